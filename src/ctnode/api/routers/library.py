"""The best-practice library: add (raw file body, metadata in the query), search with
highlighted snippets, read metadata or the original file, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ctnode.api.deps import ActorDep, NodeDep, read_upload, upload_body

router = APIRouter(prefix="/library", tags=["library"])
DocId = Annotated[str, Path(max_length=64)]


@router.post("/documents", status_code=201,
             openapi_extra=upload_body("application/octet-stream"))
async def add_document(
    request: Request,
    node: NodeDep,
    actor: ActorDep,
    name: Annotated[str, Query(max_length=200, description="file name (its ending gives the "
                                                           "format)")],
    topic: Annotated[list[str], Query(description="taxonomy topics")],
    source: Annotated[str, Query(max_length=500)],
    date: Annotated[str, Query(description="date of issue, YYYY-MM-DD", max_length=10)],
    lang: Annotated[list[str] | None, Query(description="language tags")] = None,
    title: Annotated[str | None, Query(max_length=500)] = None,
    summary: Annotated[str | None, Query(max_length=5000)] = None,
    tlp: Annotated[str, Query(max_length=20)] = "TLP:GREEN",
    valid_until: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    """Add a document (Markdown, HTML, PDF or text) as the body; metadata as query parameters."""
    data = await read_upload(request, node.settings.max_upload_bytes)
    meta = {"title": title, "languages": lang, "topics": topic, "source": source, "date": date,
            "summary": summary, "tlp": tlp, "valid_until": valid_until}
    # in a worker thread: the document reaches subscribed peers before it returns
    return await run_in_threadpool(node.library.add, actor, data, meta, file_name=name)


@router.get("/search")
def search(
    node: NodeDep,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    lang: Annotated[list[str] | None, Query()] = None,
    topic: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Search in each document's language; hits with a snippet (`snippet_html` marks matches)."""
    hits, total = node.library.search(actor, q, languages=lang, topics=topic, limit=limit,
                                      offset=offset)
    return {"total": total, "hits": [h.as_dict() for h in hits]}


@router.get("/documents")
def list_documents(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """The documents held, newest first (withdrawn ones left out)."""
    return {"documents": node.library.list_documents(actor)}


@router.get("/documents/{document_id}")
def get_document(node: NodeDep, actor: ActorDep, document_id: DocId,
                 text: Annotated[bool, Query(description="include the text")] = False,
                 ) -> dict[str, Any]:
    """A document's metadata (and its extracted text per language)."""
    return node.library.get(actor, document_id, with_text=text)


@router.get("/documents/{document_id}/original")
def get_original(node: NodeDep, actor: ActorDep, document_id: DocId) -> Response:
    """The file as it was added."""
    data, name = node.library.original(actor, document_id)
    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "document"
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})


@router.delete("/documents/{document_id}", status_code=204)
def withdraw(node: NodeDep, actor: ActorDep, document_id: DocId,
             reason: Annotated[str, Query(min_length=1, max_length=500)]) -> Response:
    """Withdraw a document (text, original and index entries removed; the record kept)."""
    node.library.withdraw(actor, document_id, reason)
    return Response(status_code=204)


@router.post("/publish")
def publish(node: NodeDep, actor: ActorDep) -> dict[str, Any]:
    """Send every document of this node's library in force to the peers whose agreement names
    ``library`` and subscribes, cut by TLP; each answers with a signed receipt. Later
    additions and withdrawals are sent as they happen."""
    return {"receipts": node.federation.library.publish(actor)}
