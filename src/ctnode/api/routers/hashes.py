"""Content-hash routes: hash and match files and hashes, banks and their hashes, import and
export, hits and decisions. Thin edge over ``ctnode.services.hashes``.

Files (images, videos, hash files) are sent as the raw request body or as the form field
``file``; they are hashed or read and dropped, never stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, read_upload, upload_body
from ctnode.api.schemas.hashes import (
    BankChangeIn,
    BankIn,
    HashDecisionIn,
    HashesIn,
    MatchIn,
    RemovalIn,
)
from ctnode.hashes.model import Label, RecordStatus
from ctnode.services.hashes.banks import EXPORTS, READERS, NewFiles
from ctnode.services.hashes.matching import hashes_dict

router = APIRouter(tags=["hashes"])

BankPath = Annotated[str, Path(max_length=64, description="Bank name")]
FileName = Annotated[
    str, Query(min_length=1, max_length=200, description="The file's name (only for messages)")
]
Banks = Annotated[
    list[str] | None, Query(max_length=100, description="Banks to match against (default: all)")
]
ImportFormat = Annotated[
    Literal["hma2", "hma1", "te-signals", "te-simple", "te-dataset", "stix"],
    Query(description="; ".join(f"{k}: {v[1]}" for k, v in READERS.items())),
]
ExportFormat = Annotated[
    Literal["hma2", "hma1", "te-signals", "te-simple", "te-dataset", "stix"],
    Query(description="; ".join(f"{k}: {v}" for k, v in EXPORTS.items())),
]
UPLOAD = upload_body("application/octet-stream")


@router.post("/hashes/hash", openapi_extra=UPLOAD)
async def hash_upload(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    name: FileName = "upload",
    keep: Annotated[
        bool,
        Query(description="Keep the content, sealed, in the forensics store (admins; only when "
              "CTNODE_HASH_FORENSICS_DAYS enables it)"),
    ] = False,
    reason: Annotated[str, Query(max_length=500, description="Why it is kept (with keep)")] = "",
) -> dict[str, Any]:
    """Every hash of an uploaded file: MD5 and SHA-256; PDQ (with quality) for images; vPDQ for
    videos where installed (``notes`` says why a hash is missing). The file is not kept, unless
    ``keep`` puts it in the forensics store (``forensic`` in the answer)."""
    data = await read_upload(request, node.settings.max_upload_bytes)
    done = await run_in_threadpool(node.hashes.matching.hash_bytes, actor, data, name)
    out = hashes_dict(done)
    if keep:
        out["forensic"] = await run_in_threadpool(
            node.hashes.forensics.keep, actor, data, done, reason
        )
    return out


@router.get("/hashes/forensics")
async def list_forensics(
    node: NodeDep, actor: ActorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """The forensics store's items, newest first: metadata only (audited)."""
    items = await run_in_threadpool(lambda: node.hashes.forensics.list(actor, limit=limit))
    return {"enabled_days": node.settings.hash_forensics_days, "items": items}


@router.get("/hashes/forensics/{item_id}")
async def open_forensic(
    item_id: Annotated[str, Path(max_length=36)], node: NodeDep, actor: ActorDep
) -> Response:
    """One kept item's content (audited), with its SHA-256 and expiry in headers."""
    meta, data = await run_in_threadpool(node.hashes.forensics.open, actor, item_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"X-Content-SHA256": meta["sha256"], "X-Expires-At": meta["expires_at"]},
    )


@router.post("/hashes/match")
async def match_hash(body: MatchIn, node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Banked hashes matching one hash, each with distance, bank, labels, TLP, provenance and an
    explanation; hits in content banks get a ``hit_id`` for review, benign ones come apart."""
    result = await run_in_threadpool(
        node.hashes.matching.match_value, actor, body.signal_type, body.value, body.banks
    )
    return result.as_dict()


@router.post("/hashes/match/file", openapi_extra=UPLOAD)
async def match_file(
    request: Request, node: NodeDep, actor: ActorDep, name: FileName = "upload", bank: Banks = None
) -> dict[str, Any]:
    """Hash an uploaded file (PDQ with its 8 rotations and flips) and match it; not kept."""
    data = await read_upload(request, node.settings.max_upload_bytes)
    result = await run_in_threadpool(node.hashes.matching.match_bytes, actor, data, name, bank)
    return result.as_dict()


@router.get("/hashes/banks")
async def list_banks(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Every bank with its settings and the number of hashes per status."""
    return {"banks": await run_in_threadpool(node.hashes.banks.list_banks, actor)}


@router.post("/hashes/banks", status_code=201)
async def create_bank(body: BankIn, node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Create a bank (admin)."""
    return await run_in_threadpool(node.hashes.banks.create_bank, actor, body.to_bank())


@router.get("/hashes/banks/{name}")
async def get_bank(name: BankPath, node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    return await run_in_threadpool(node.hashes.banks.get_bank, actor, name)


@router.patch("/hashes/banks/{name}")
async def change_bank(
    name: BankPath, body: BankChangeIn, node: NodeDep, actor: ActorDep
) -> dict[str, Any]:
    """Enable or disable a bank, change its PDQ threshold, description or default TLP (admin);
    effective for the next match."""
    return await run_in_threadpool(node.hashes.banks.change_bank, actor, name, body.to_change())


@router.delete("/hashes/banks/{name}")
async def delete_bank(name: BankPath, node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Delete a bank with its hashes and hits (admin). To delist hashes on peers' copies too,
    remove them instead."""
    return {
        "bank": name,
        "deleted": await run_in_threadpool(node.hashes.banks.delete_bank, actor, name),
    }


@router.get("/hashes/banks/{name}/hashes")
async def list_hashes(
    name: BankPath,
    node: NodeDep,
    actor: ActorDep,
    status: Annotated[RecordStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> dict[str, Any]:
    """The bank's hashes with labels, TLP and provenance (removed ones are tombstones)."""
    records = await run_in_threadpool(
        lambda: node.hashes.banks.list_records(actor, name, status=status, limit=limit)
    )
    return {"bank": name, "hashes": records}


@router.post("/hashes/banks/{name}/hashes", status_code=201)
async def add_hashes(
    name: BankPath, body: HashesIn, node: NodeDep, actor: ActorDep
) -> dict[str, Any]:
    """Add hashes (validated; the error names the value). An existing one is refreshed."""
    report = await run_in_threadpool(node.hashes.banks.add, actor, name, body.to_new())
    return report.as_dict()


@router.post("/hashes/banks/{name}/files", status_code=201, openapi_extra=UPLOAD)
async def add_file(
    request: Request,
    name: BankPath,
    node: NodeDep,
    actor: ActorDep,
    filename: FileName = "upload",
    label: Annotated[list[str] | None, Query(max_length=20, description="Labels")] = None,
    tlp: Annotated[str | None, Query(max_length=20)] = None,
    note: Annotated[str, Query(max_length=500)] = "",
    derived: Annotated[
        bool,
        Query(description="Also bank the PDQ of the image's standard crops as derived hashes"),
    ] = True,
) -> dict[str, Any]:
    """Hash an uploaded file and bank every hash (the file is not kept); with ``derived``, an
    image's standard crops too, as derived hashes of the same item."""
    data = await read_upload(request, node.settings.max_upload_bytes)

    def run() -> dict[str, Any]:
        hashed = node.hashes.matching.hash_bytes(actor, data, filename)
        labels = frozenset(Label.parse(x) for x in label or ())
        new = NewFiles(labels, tlp, note, "", derived)
        return node.hashes.banks.add_files(actor, name, [hashed], new).as_dict()

    return await run_in_threadpool(run)


@router.post("/hashes/banks/{name}/removals")
async def remove_hashes(
    name: BankPath, body: RemovalIn, node: NodeDep, actor: ActorDep
) -> dict[str, Any]:
    """Remove (delist) hashes by record id: they stop matching and stay as tombstones."""
    report = await run_in_threadpool(node.hashes.banks.remove, actor, name, body.record_ids)
    return report.as_dict()


@router.post("/hashes/banks/{name}/import", openapi_extra=UPLOAD)
async def import_hashes(
    request: Request,
    name: BankPath,
    node: NodeDep,
    actor: ActorDep,
    format: ImportFormat,
    filename: FileName = "upload",
) -> dict[str, Any]:
    """Import a hash file into the bank, all or nothing (errors name file, line and field)."""
    data = await read_upload(request, node.settings.max_upload_bytes)
    report = await run_in_threadpool(
        node.hashes.banks.import_bytes, actor, name, data, filename, format
    )
    return report.as_dict()


@router.get(
    "/hashes/banks/{name}/export",
    responses={
        200: {
            "content": {
                "application/json": {},
                "text/plain": {},
                "text/csv": {},
                "application/zip": {},
            }
        }
    },
)
async def export_hashes(
    name: BankPath, node: NodeDep, actor: ActorDep, format: ExportFormat = "hma2"
) -> Response:
    """The bank's active hashes in a format HMA, ThreatExchange or STIX tools read; TLP:RED
    hashes never leave (the ``X-Withheld`` header counts them)."""
    data, file_name, result = await run_in_threadpool(
        node.hashes.banks.export_bytes, actor, name, format
    )
    media = {"json": "application/json", "txt": "text/plain", "csv": "text/csv"}
    return Response(
        data,
        media_type=media.get(file_name.rsplit(".", 1)[-1], "application/zip"),
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "X-Written": str(result.written),
            "X-Withheld": str(sum(result.withheld.values())),
        },
    )


@router.post("/hashes/banks/{name}/publish")
async def publish_bank(name: BankPath, node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Send this node's bank whole (active hashes, removals) to the peers whose agreement
    names ``hashes:<bank>`` and subscribes; each answers with a signed receipt (admin).
    Later additions and removals are sent on their own as they happen."""
    receipts = await run_in_threadpool(node.federation.hashes.publish, actor, name)
    return {"bank": name, "receipts": receipts}


@router.get("/hashes/hits")
async def list_hits(
    node: NodeDep,
    actor: ActorDep,
    decided: Annotated[bool | None, Query(description="false: to review (default)")] = False,
    bank: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Hash hits, newest first: undecided ones by default."""
    hits = await run_in_threadpool(
        lambda: node.hashes.matching.list_hits(actor, decided=decided, bank=bank, limit=limit)
    )
    return {"hits": hits}


@router.post("/hashes/hits/{hit_id}/decision")
async def decide_hit(
    hit_id: Annotated[str, Path(max_length=36)],
    body: HashDecisionIn,
    node: NodeDep,
    actor: ActorDep,
) -> dict[str, Any]:
    """A person's decision: confirmed, not_terrorist_content (counts towards flood protection)
    or unsure."""
    return await run_in_threadpool(
        node.hashes.matching.decide, actor, hit_id, body.decision.value, body.comment
    )
