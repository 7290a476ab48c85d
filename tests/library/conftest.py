"""Fixtures for the library engine.

Documents in the real formats beside the tests (``fixtures/``: a Markdown guide, an
HTML page with scripts, styles and an inline event handler that must never reach the
text). PDFs are written by :func:`make_pdf` below: a minimal but complete PDF 1.4
file (catalog, pages, a Helvetica content stream, an info dictionary with the title,
a cross-reference table with exact offsets), so pypdf reads a real file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ctnode.library.model import DocumentMeta, parse_meta

FIXTURES = Path(__file__).parent / "fixtures"


def _pdf_text(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], title: str | None = None, lang: str | None = None) -> bytes:
    """A PDF whose pages show the given lines (Latin-1 text, Helvetica 11pt)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    info_id = font_id + 1
    page_ids = [3 + 2 * i for i in range(n_pages)]
    catalog = (
        b"<< /Type /Catalog /Pages 2 0 R" + (f" /Lang ({lang})".encode() if lang else b"") + b" >>"
    )
    objects.append(catalog)
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for i, lines in enumerate(pages):
        body = (
            "BT /F1 11 Tf 72 770 Td 14 TL "
            + " ".join(f"({_pdf_text(line)}) '" for line in lines)
            + " ET"
        )
        stream = body.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_ids[i] + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    objects.append(
        b"<< /Title (" + _pdf_text(title or "").encode("latin-1") + b") /Producer (ctnode tests) >>"
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_id} 0 R >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def meta(doc_id: str, **kw: object) -> DocumentMeta:
    base: dict[str, object] = {
        "id": doc_id,
        "title": f"Document {doc_id}",
        "languages": ["en"],
        "topics": ["forensics"],
        "source": "test",
        "date": "2025-06-01",
        "tlp": "TLP:GREEN",
    }
    base.update(kw)
    return parse_meta(base)


TODAY = date(2026, 3, 1)
