"""``ctnode library ...``: the best-practice library (add, search, show, list, withdraw)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ctnode.cli.common import node_session, operator, out, print_json, read_file
from ctnode.services.library import MAX_DOCUMENT_BYTES

library_app = typer.Typer(
    help="The best-practice library: documents (Markdown, HTML, PDF, text) searched in their "
    "own languages.",
    no_args_is_help=True,
)
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]


@library_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="Markdown, HTML, PDF or text file")],
    topic: Annotated[list[str], typer.Option("--topic", help="Taxonomy topic (repeat): "
                                             "financing-of-terrorism, forensics, online-content, "
                                             "critical-infrastructure, border-and-travel, "
                                             "biometrics, prevention-and-rehabilitation, "
                                             "legal-frameworks")],
    source: Annotated[str, typer.Option(help="Who published it")],
    date: Annotated[str, typer.Option(help="Date of issue, YYYY-MM-DD")],
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Language tag (repeat; "
                                                   "default: the file's own, e.g. <html lang>)")]
    = None,
    title: Annotated[str | None, typer.Option(help="Title (default: the file's own)")] = None,
    summary: Annotated[str | None, typer.Option(help="Short summary")] = None,
    tlp: Annotated[str, typer.Option(help="TLP level, e.g. TLP:GREEN")] = "TLP:GREEN",
    valid_until: Annotated[str | None, typer.Option(help="Not served after this date")] = None,
    as_json: AsJson = False,
) -> None:
    """Add a document: its text is extracted and indexed in each of its languages."""
    data = read_file(file, MAX_DOCUMENT_BYTES)
    meta = {"title": title, "languages": lang, "topics": topic, "source": source, "date": date,
            "summary": summary, "tlp": tlp, "valid_until": valid_until}
    with node_session() as node:
        added = node.library.add(operator(), data, meta, file_name=file.name)
    if as_json:
        print_json(added)
    else:
        out.print(f"added {added['id']}: {added['title']} ({', '.join(added['languages'])}, "
                  f"{added['tlp']}, {added['characters']} characters)", markup=False)


@library_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", a OR b, -excluded')],
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Only these languages")]
    = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Only these topics")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: AsJson = False,
) -> None:
    """Search the library; each hit with the passage that matched (--json: with HTML
    highlighting)."""
    with node_session() as node:
        hits, total = node.library.search(operator(), query, languages=lang, topics=topic,
                                          limit=limit)
    if as_json:
        print_json({"total": total, "hits": [h.as_dict() for h in hits]})
        return
    out.print(f"{total} documents match", markup=False)
    for h in hits:
        out.print(f"{h.title} ({h.document_id}, {h.language}, score {h.score:.3g})",
                  markup=False, style="bold")
        out.print(f"  {h.snippet_text}", markup=False)


@library_app.command("show")
def show(document_id: Annotated[str, typer.Argument(help="Document id")],
         as_json: AsJson = False) -> None:
    """A document's metadata."""
    with node_session() as node:
        doc = node.library.get(operator(), document_id)
    if as_json:
        print_json(doc)
        return
    for key in ("id", "title", "languages", "topics", "source", "date", "tlp", "valid_until",
                "file_name", "sha256", "added_at", "added_by"):
        out.print(f"{key}: {doc[key]}", markup=False)


@library_app.command("list")
def list_documents(as_json: AsJson = False) -> None:
    """The documents held (withdrawn ones left out), newest first."""
    with node_session() as node:
        rows = node.library.list_documents(operator())
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['id']}  {r['date']}  {r['tlp']}  {','.join(r['languages'])}  {r['title']}",
                  markup=False)


@library_app.command("withdraw")
def withdraw(
    document_id: Annotated[str, typer.Argument(help="Document id")],
    reason: Annotated[str, typer.Option(help="Why it is withdrawn (audited)")],
) -> None:
    """Withdraw a document: text, original and index entries are removed; the record stays."""
    with node_session() as node:
        node.library.withdraw(operator(), document_id, reason)
    out.print(f"withdrawn {document_id}", markup=False)


@library_app.command("publish")
def publish() -> None:
    """Send this node's documents in force (cut by TLP) to the peers subscribed to the library
    (agreements naming 'library'); later additions and withdrawals are sent as they happen.
    Prints each peer's receipt."""
    with node_session() as node:
        receipts = node.federation.library.publish(operator())
    for r in receipts:
        out.print(f"{r['peer_id']}: {r['status']}")
