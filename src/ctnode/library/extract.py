"""Plain text out of Markdown, HTML and PDF documents, safely.

- Markdown: ``markdown-it-py`` (CommonMark) tokens; raw HTML inside Markdown goes
  through the HTML extractor, so it is read as text and never rendered.
- HTML: ``lxml.html`` with a parser that loads nothing from the network and keeps
  no comments or processing instructions; ``script``, ``style``, ``template``,
  ``noscript``, ``iframe``, ``object`` and ``embed`` are dropped with their content.
  Nothing is executed: lxml only parses.
- PDF: ``pypdf`` text extraction page by page; encrypted files are refused, and the
  number of pages read is bounded.

All text comes out NFC-normalised, so offsets into it (snippets) are stable.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt

from ctnode.errors import InvalidInput, TooLarge
from ctnode.library.model import DocumentFormat

# Refuse documents larger than this many bytes, and read at most this many PDF pages.
MAX_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 2000
_DROP_TAGS = (
    "script",
    "style",
    "template",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "head",
)
_BLOCK_TAGS = frozenset(
    "p div section article header footer aside nav main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd "
    "table tr td th thead tbody blockquote pre figure figcaption br hr address details summary".split()
)


@dataclass(slots=True)
class Extracted:
    """Text of a document and what its own markup says about it."""

    text: str
    title: str | None = None
    language: str | None = None  # from <html lang> or PDF metadata, when present
    description: str | None = None
    pages: int | None = None
    headings: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _as_text(data: bytes | str, name: str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_BYTES:
        raise TooLarge(f"{name}: {len(data)} bytes; documents may be at most {MAX_BYTES}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: not UTF-8 text (byte {exc.start})") from None


def extract_html(data: bytes | str, name: str = "document") -> Extracted:
    """Text, title, language and description of an HTML page; scripts and styles never read."""
    if isinstance(data, bytes) and len(data) > MAX_BYTES:
        raise TooLarge(f"{name}: {len(data)} bytes; documents may be at most {MAX_BYTES}")
    if not data.strip():
        return Extracted(text="")
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True
    )
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InvalidInput(f"{name}: not readable as HTML: {exc}") from None
    title_el = root.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else None
    desc = root.xpath("//meta[@name='description']/@content")
    lang = root.get("lang") or next(iter(root.xpath("//body/@lang")), None)
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    headings = [" ".join(h.text_content().split()) for h in root.iter("h1", "h2", "h3")]
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.text is not None or len(el):
                el.text = "\n" + (el.text or "")
    body = root.find("body")
    text = _clean((body if body is not None else root).text_content())
    if not title and headings:
        title = headings[0]
    return Extracted(
        text=text,
        title=title or None,
        language=str(lang) if lang else None,
        description=str(desc[0]).strip() if desc else None,
        headings=[h for h in headings if h],
    )


_MD = MarkdownIt("commonmark")


def extract_markdown(data: bytes | str, name: str = "document") -> Extracted:
    """Text of a Markdown document; the first level-1 heading is its title."""
    source = _as_text(data, name)
    tokens = _MD.parse(source)
    parts: list[str] = []
    headings: list[str] = []
    title: str | None = None
    in_heading: str | None = None
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = tok.tag
        elif tok.type == "heading_close":
            in_heading = None
        elif tok.type == "inline":
            pieces: list[str] = []
            for child in tok.children or []:
                if child.type in ("text", "code_inline"):
                    pieces.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    pieces.append(" ")
                elif child.type == "image":
                    pieces.append(child.content)  # alt text
                elif child.type == "html_inline":
                    continue  # tags only; their text arrives as text tokens
            line = "".join(pieces)
            if in_heading:
                headings.append(line.strip())
                if in_heading == "h1" and title is None:
                    title = line.strip()
            parts.append(line)
        elif tok.type in ("fence", "code_block"):
            parts.append(tok.content)
        elif tok.type == "html_block":
            parts.append(extract_html(tok.content, name).text)
    return Extracted(text=_clean("\n".join(parts)), title=title, headings=headings)


def extract_pdf(data: bytes, name: str = "document", max_pages: int = MAX_PDF_PAGES) -> Extracted:
    """Text of a PDF, page by page (pages separated by a blank line)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"{name}: {len(data)} bytes; documents may be at most {MAX_BYTES}")
    if not data.startswith(b"%PDF-"):
        raise InvalidInput(f"{name}: not a PDF file (no %PDF- header)")
    # pypdf loads the image library: only when a PDF is read, never for a name screen
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidInput(f"{name}: the PDF is encrypted; upload an unencrypted copy")
        pages = reader.pages
        if len(pages) > max_pages:
            raise TooLarge(f"{name}: {len(pages)} pages; at most {max_pages} are read")
        texts = [page.extract_text() or "" for page in pages]
        meta = reader.metadata
        title = str(meta.title).strip() if meta is not None and meta.title else None
        root = reader.trailer["/Root"].get_object()
        lang = root.get("/Lang") if isinstance(root, dict) else None
    except (PdfReadError, PyPdfError, KeyError, ValueError) as exc:
        raise InvalidInput(f"{name}: not readable as PDF: {exc}") from None
    return Extracted(
        text=_clean("\n\n".join(texts)),
        title=title or None,
        language=str(lang) if lang else None,
        pages=len(texts),
    )


def extract(data: bytes, fmt: DocumentFormat | None = None, name: str = "document") -> Extracted:
    """Dispatch on the format (or sniff it: ``%PDF-``, an ``<html`` start, a ``.md`` name)."""
    if fmt is None:
        head = data[:1024].lstrip().lower()
        if data.startswith(b"%PDF-"):
            fmt = "pdf"
        elif head.startswith((b"<!doctype html", b"<html")) or name.lower().endswith(
            (".html", ".htm")
        ):
            fmt = "html"
        elif name.lower().endswith((".md", ".markdown")):
            fmt = "markdown"
        else:
            fmt = "text"
    if fmt == "pdf":
        return extract_pdf(data, name)
    if fmt == "html":
        return extract_html(data, name)
    if fmt == "markdown":
        return extract_markdown(data, name)
    return Extracted(text=_clean(_as_text(data, name)))
