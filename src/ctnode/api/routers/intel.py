"""Threat intelligence for people and scripts (the TAXII 2.1 server is ``routers/taxii.py``):
collections, imports of STIX 2.1 and MISP event JSON, exports, an object with its versions
and watchlist links, and the objects that name a watchlist record."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, read_upload, upload_body

router = APIRouter(prefix="/intel", tags=["threat intelligence"])
Key = Annotated[str, Path(max_length=64, description="collection id or alias")]


class CollectionIn(BaseModel):
    """A new TAXII collection."""

    title: str = Field(min_length=1, max_length=200)
    alias: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9_-]+$")
    description: str | None = Field(default=None, max_length=5000)
    writable: bool = Field(default=True, description="TAXII clients with intel.write may POST")


@router.get("/collections")
def list_collections(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Every collection, with its number of object versions."""
    return {"collections": node.intel.list_collections(actor)}


@router.post("/collections", status_code=201)
def create_collection(body: CollectionIn, node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Make a collection (admins); its id is a UUID, its alias names it in URLs."""
    return node.intel.create_collection(
        actor,
        title=body.title,
        alias=body.alias,
        description=body.description,
        writable=body.writable,
    )


@router.post("/collections/{key}/import", openapi_extra=upload_body("application/json"))
async def import_content(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    key: Key,
    format: Annotated[Literal["stix", "misp"], Query(description="stix or misp")] = "stix",
    name: Annotated[
        str, Query(max_length=200, description="source name kept as provenance")
    ] = "upload",
) -> dict[str, Any]:
    """Import a STIX 2.1 bundle or a MISP event (JSON export); validated whole: an invalid
    file is refused with every problem named and nothing is kept."""
    data = await read_upload(request, node.settings.max_upload_bytes)
    # in a worker thread: the import reaches subscribed peers before it returns
    read = node.intel.import_misp if format == "misp" else node.intel.import_stix
    result = await run_in_threadpool(read, actor, data, collection=key, source=name)
    return result.as_dict()


@router.get("/collections/{key}/export")
def export(
    node: NodeDep,
    actor: ActorDep,
    key: Key,
    format: Annotated[Literal["stix", "misp"], Query()] = "stix",
    type: Annotated[list[str] | None, Query(description="STIX types to export")] = None,
) -> dict[str, Any]:
    """The collection's newest versions as a STIX bundle, or as one MISP event."""
    if format == "misp":
        event, notes = node.intel.export_misp(actor, key, types=type or ())
        return {**event, "notes": notes}
    return node.intel.export_stix(actor, key, types=type or ())


@router.get("/collections/{key}/objects/{object_id}")
def show_object(
    node: NodeDep,
    actor: ActorDep,
    key: Key,
    object_id: Annotated[str, Path(max_length=300)],
) -> dict[str, Any]:
    """An object's newest version, its versions, and the watchlist records it names."""
    return node.intel.show(actor, object_id, key)


@router.get("/links/{entity_id}")
def linked_objects(
    node: NodeDep, actor: ActorDep, entity_id: Annotated[str, Path(max_length=255)]
) -> dict[str, Any]:
    """The threat actors and intrusion sets that name a watchlist record."""
    return {"entity_id": entity_id, "objects": node.intel.linked_to(actor, entity_id)}


@router.post("/collections/{key}/publish")
def publish(node: NodeDep, actor: ActorDep, key: Key) -> dict[str, Any]:
    """Send the newest version of every object of this node's collection to the peers whose
    agreement names ``intel:<alias or id>`` and subscribes, cut by TLP; each answers with a
    signed receipt (admin). Later additions, revocations and deletions are sent as they
    happen."""
    return {"collection": key, "receipts": node.federation.intel.publish(actor, key)}
