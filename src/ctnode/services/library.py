"""The best-practice library: add documents (Markdown, HTML, PDF, text) with their metadata,
search them in each document's language with highlighted snippets, read and withdraw them.

Adding is one transaction (metadata, original, language versions, index rows, audit entry);
a file that cannot be read or metadata that does not validate is refused, naming the field,
and nothing is kept. A person using the node (console, API, CLI) may see every TLP level;
documents past ``valid_until`` are never found or served. Withdrawal drops the text, the
original and the index rows and keeps the record of what was withdrawn, by whom, when.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import CTNodeError, InvalidInput, NotFound, TooLarge
from ctnode.library.extract import extract
from ctnode.library.model import DocumentFormat, Topic, language_base, parse_meta
from ctnode.library.query import parse_query
from ctnode.library.snippets import snippet
from ctnode.model.access import Actor
from ctnode.model.tlp import TLP, Recipient, allowed_levels
from ctnode.services.context import Context
from ctnode.store.contracts import LibraryFilters, Row

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
LOCAL = Recipient("local")


@dataclass(frozen=True, slots=True)
class LibraryHit:
    document_id: str
    language: str
    score: float
    title: str
    snippet_text: str
    snippet_html: str

    def as_dict(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "language": self.language,
                "score": round(self.score, 6), "title": self.title,
                "snippet": self.snippet_text, "snippet_html": self.snippet_html}


@dataclass(frozen=True, slots=True)
class LibraryChange:
    """Documents added and withdrawn (after the transaction committed), for the listeners
    that share this node's own documents with subscribed peers (``on_change``)."""

    added: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)


class Library:
    """Documents of best practice, searched in their own languages."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store.library
        self._listeners: list[Callable[[LibraryChange], object]] = []

    def on_change(self, listener: Callable[[LibraryChange], object]) -> None:
        """Call ``listener`` after this node's own documents are added or withdrawn."""
        self._listeners.append(listener)

    def _changed(self, change: LibraryChange) -> None:
        for listener in self._listeners:
            listener(change)

    def add(self, actor: Actor, data: bytes, meta: Mapping[str, Any], *, file_name: str,
            fmt: DocumentFormat | None = None) -> Row:
        """Extract the text, validate the metadata (the file's own title, language and
        description fill what is not given), store and index every language version."""
        self.ctx.require(actor, "library.write")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise TooLarge(f"{file_name}: larger than {MAX_DOCUMENT_BYTES} bytes")
        try:
            found = extract(data, fmt, name=file_name)
            if not found.text.strip():
                raise InvalidInput(f"{file_name}: no text found (a scanned PDF has no text layer)")
            given = dict(meta)
            given.setdefault("id", str(uuid.uuid4()))
            given["title"] = given.get("title") or found.title
            given["languages"] = given.get("languages") or found.language
            given["summary"] = given.get("summary") or found.description or ""
            given.setdefault("format", fmt or _format_of(data, file_name))
            parsed = parse_meta(given)
        except CTNodeError as exc:
            self.ctx.audit.record("library.add.failed", actor, detail={
                "file": file_name, "reason": exc.message[:2000]})
            raise
        texts = [(language_base(lang), parsed.title, parsed.summary, found.text)
                 for lang in dict.fromkeys(language_base(x) for x in parsed.languages)]
        sha = hashlib.sha256(data).hexdigest()
        with self.ctx.store.begin() as conn:
            self.store.add_document(conn, parsed, original=data, file_name=file_name,
                                    sha256=sha, added_by=actor.name, added_at=utcnow(),
                                    texts=texts)
            self.ctx.audit.record("library.add", actor, conn=conn, result_ids=[parsed.id],
                                  detail={"file": file_name, "sha256": sha,
                                          "languages": list(parsed.languages),
                                          "topics": sorted(t.value for t in parsed.topics),
                                          "tlp": parsed.tlp.value})
        self._changed(LibraryChange(added=[parsed.id]))
        return {**parsed.as_dict(), "sha256": sha, "characters": len(found.text)}

    def search(self, actor: Actor, text: str, *, languages: Iterable[str] | None = None,
               topics: Iterable[str] | None = None, limit: int = 10,
               offset: int = 0) -> tuple[list[LibraryHit], int]:
        """Hits (best first, with a highlighted snippet) and how many documents match."""
        self.ctx.require(actor, "library.read")
        if not 1 <= limit <= 100 or not 0 <= offset <= 10_000:
            raise InvalidInput("limit must be 1-100 and offset 0-10000")
        parsed = parse_query(text)
        langs = frozenset(language_base(x) for x in languages) if languages else None
        try:
            tops = frozenset(Topic(x) for x in topics) if topics else None
        except ValueError:
            raise InvalidInput(f"topics: one of {', '.join(t.value for t in Topic)}") from None
        filters = LibraryFilters(today=utcnow().date(),
                                 tlp_levels=frozenset(x.value for x in allowed_levels(LOCAL)),
                                 languages=langs, topics=tops)
        compiled = {lang: parsed.compile(lang) for lang in self.store.languages()
                    if langs is None or lang in langs}
        # every language in one statement on PostgreSQL (one round trip), merged by score
        merged, total = self.store.search_all(list(compiled.items()), filters, offset + limit)
        out: list[LibraryHit] = []
        page = merged[offset : offset + limit]
        texts = self.store.texts_of([(h.document_id, h.lang) for h in page])
        for h in page:
            row = texts[(h.document_id, h.lang)]

            snip = snippet(row["body"] or row["summary"], h.lang, compiled[h.lang],
                           width=240)
            out.append(LibraryHit(h.document_id, h.lang, h.score, row["title"], snip.text,
                                  snip.as_html()))
        self.ctx.audit.record("library.search", actor, query_hash=self.ctx.keyed_hash(text),
                              result_ids=[h.document_id for h in out],
                              detail={"total": total})
        return out, total

    def get(self, actor: Actor, document_id: str, *, with_text: bool = False) -> Row:
        """A document's metadata (and its text per language); past ``valid_until`` or
        withdrawn documents are not served."""
        self.ctx.require(actor, "library.read")
        row = self.store.get_document(document_id)
        if row["withdrawn_at"] is not None:
            raise NotFound(f"library document {document_id} was withdrawn "
                           f"on {row['withdrawn_at']:%Y-%m-%d}")
        if row["valid_until"] is not None and row["valid_until"] < utcnow().date():
            raise NotFound(f"library document {document_id} expired on {row['valid_until']}")
        if TLP(row["tlp"]) not in allowed_levels(LOCAL):
            raise NotFound(f"no library document {document_id!r}")
        self.ctx.audit.record("library.view", actor, result_ids=[document_id])
        out = {k: v for k, v in row.items() if k != "original"}
        if with_text:
            out["texts"] = self.store.texts(document_id)
        return out

    def original(self, actor: Actor, document_id: str) -> tuple[bytes, str]:
        """The file as it was added, and its name."""
        row = self.get(actor, document_id)
        return bytes(self.store.get_document(document_id)["original"]), str(row["file_name"])

    def list_documents(self, actor: Actor) -> list[Row]:
        self.ctx.require(actor, "library.read")
        return self.store.list_documents()

    def withdraw(self, actor: Actor, document_id: str, reason: str) -> None:
        self.ctx.require(actor, "library.write")
        if not reason.strip():
            raise InvalidInput("a withdrawal needs a reason")
        row = self.store.get_document(document_id)
        if row["withdrawn_at"] is not None:
            raise InvalidInput(f"library document {document_id} is already withdrawn")
        if row.get("owner"):
            raise InvalidInput(f"library document {document_id} is a copy of {row['owner']}'s: "
                               "only its publisher withdraws it")
        with self.ctx.store.begin() as conn:
            self.store.withdraw(conn, document_id, by=actor.name, at=utcnow())
            self.ctx.audit.record("library.withdraw", actor, conn=conn,
                                  result_ids=[document_id], detail={"reason": reason[:500]})
        self._changed(LibraryChange(withdrawn=[document_id]))

    # -- copies shared with peers (federation/library_exchange) ------------------------------

    def document_to_wire(self, document_id: str) -> Row | None:
        """One of this node's own documents as a peer receives it: metadata, each language
        version's text, the original file (base64) and its digest; None when it is not
        shareable (a copy of a peer's, withdrawn, or past ``valid_until``)."""
        row = self.store.get_document(document_id)
        today = utcnow().date()
        if row.get("owner") or row["withdrawn_at"] is not None or (
            row["valid_until"] is not None and row["valid_until"] < today
        ):
            return None
        meta = {k: row[k] for k in ("id", "title", "languages", "source", "summary",
                                    "format", "keywords", "topics")}
        meta |= {"date": row["date"].isoformat(), "tlp": TLP(row["tlp"]).label,
                 "valid_until": row["valid_until"].isoformat() if row["valid_until"] else None}
        return {
            "meta": meta,
            "file_name": row["file_name"],
            "sha256": row["sha256"],
            "original": base64.b64encode(bytes(row["original"] or b"")).decode("ascii"),
            "texts": [[r["lang"], r["title"], r["summary"], r["body"]]
                      for r in self.store.texts(document_id)],
        }

    def own_documents(self) -> list[str]:
        """The ids of this node's own documents in force (what a full share sends)."""
        return [r["id"] for r in self.store.list_documents(limit=1_000_000)
                if not r.get("owner")]

    def apply_peer(self, actor: Actor, owner: str, documents: list[Any],
                   removed: list[str]) -> Row:
        """Apply a publisher's library delta: each document validated (metadata as any
        upload, the original's digest checked) and stored as the publisher's copy, replacing
        an older copy; removed ids withdrawn from the copy. One transaction, audited."""
        parsed = []
        for i, item in enumerate(documents):
            where = f"documents[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("meta"), dict):
                raise InvalidInput(f"{where}: a document with its meta")
            try:
                meta = parse_meta(item["meta"])
                original = base64.b64decode(str(item.get("original") or ""), validate=True)
            except (CTNodeError, binascii.Error, ValueError) as exc:
                raise InvalidInput(f"{where}: {getattr(exc, 'message', exc)}") from None
            sha = hashlib.sha256(original).hexdigest()
            if item.get("original_omitted") is True and not original:
                sha = str(item.get("sha256") or "")[:64]  # too large to travel: text only
            elif sha != item.get("sha256"):
                raise InvalidInput(f"{where}: the original does not match its sha256")
            texts = item.get("texts")
            if not isinstance(texts, list) or not all(
                isinstance(t, list) and len(t) == 4 and all(isinstance(x, str) for x in t)
                for t in texts
            ):
                raise InvalidInput(f"{where}: texts must be [lang, title, summary, body] lists")
            held = self.store.find_document(meta.id)
            if held is not None and held.get("owner") != owner:
                raise InvalidInput(f"{where}: document {meta.id} is not {owner}'s here")
            parsed.append((meta, original, sha, str(item.get("file_name") or meta.id)[:300],
                           [(language_base(t[0]), t[1], t[2], t[3]) for t in texts], held))
        now, out = utcnow(), {"added": 0, "replaced": 0, "withdrawn": 0}
        with self.ctx.store.begin() as conn:
            for meta, original, sha, name, texts, held in parsed:
                if held is not None:
                    self.store.remove_document(conn, meta.id)
                    out["replaced"] += 1
                else:
                    out["added"] += 1
                self.store.add_document(conn, meta, original=original, file_name=name,
                                        sha256=sha, added_by=actor.name, added_at=now,
                                        texts=texts, owner=owner)
            for doc_id in sorted(set(removed)):
                held = self.store.find_document(doc_id)
                if held is None or held.get("owner") != owner or held["withdrawn_at"]:
                    continue
                self.store.withdraw(conn, doc_id, by=actor.name, at=now)
                out["withdrawn"] += 1
            self.ctx.audit.record("library.add", actor, conn=conn,
                                  result_ids=[m[0].id for m in parsed][:1000],
                                  detail={"source": f"peer:{owner}", **out,
                                          "removed": sorted(set(removed))[:1000]})
        return out


def _format_of(data: bytes, name: str) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or name.lower().endswith((".html", ".htm")):
        return "html"
    if name.lower().endswith((".md", ".markdown")):
        return "markdown"
    return "text"
