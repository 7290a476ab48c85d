"""Text extraction from Markdown, HTML and PDF: the text, the title, and nothing executable."""

from __future__ import annotations

import pytest

from ctnode.errors import InvalidInput
from ctnode.library.extract import extract, extract_html, extract_markdown, extract_pdf
from tests.library.conftest import FIXTURES, make_pdf


def test_markdown_text_title_and_embedded_html() -> None:
    doc = extract_markdown((FIXTURES / "guide.md").read_bytes())
    assert doc.title == "Handling digital evidence in terrorism investigations"
    assert doc.headings == [doc.title, "Chain of custody"]
    assert "Hash values (SHA-256) of each image are written down before analysis." in doc.text
    assert "sha256sum image.dd" in doc.text  # code blocks are text too
    assert "Contact the duty officer before powering off" in doc.text  # raw HTML read as text
    assert "<b>" not in doc.text and "**" not in doc.text and "*before*" not in doc.text
    assert "Diagram of an evidence bag label" in doc.text  # image alt text


def test_html_drops_scripts_styles_comments_and_handlers() -> None:
    doc = extract_html((FIXTURES / "page.html").read_bytes())
    assert doc.title == "Financement du terrorisme : signaux d'alerte"
    assert doc.language == "fr"
    assert doc.description == "Indicateurs pour les cellules de renseignement financier."
    for hidden in (
        "SCRIPT-TEXT",
        "ONLOAD-TEXT",
        "COMMENT-TEXT",
        "NOSCRIPT-TEXT",
        "TEMPLATE-TEXT",
        "IFRAME-TEXT",
        "font-family",
        "tracker.example",
    ):
        assert hidden not in doc.text
    assert "Dons en espèces répétés\n\nTransferts vers des zones de conflit" in doc.text
    assert doc.text.endswith("Fin du document & annexes.")  # entities decoded, nbsp folded


def test_html_without_title_uses_first_heading_and_tolerates_broken_markup() -> None:
    doc = extract_html("<h2>Second</h2><h1>Lignes directrices<p>texte <b>gras")
    assert doc.title == "Second"
    assert "texte gras" in doc.text


def test_pdf_text_title_language_pages() -> None:
    pdf = make_pdf(
        [
            ["Border screening of travellers", "Advance passenger information (API) and PNR."],
            ["Biometrics at the border (e-gates)."],
        ],
        title="Border guide",
        lang="en-GB",
    )
    doc = extract_pdf(pdf)
    assert (doc.title, doc.language, doc.pages) == ("Border guide", "en-GB", 2)
    assert doc.text.splitlines()[0] == "Border screening of travellers"
    assert "Biometrics at the border (e-gates)." in doc.text


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"plain text", "no %PDF- header"), (b"%PDF-1.4\n garbage", "not readable as PDF")],
)
def test_bad_pdfs_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        extract_pdf(data, "report.pdf")


def test_extract_sniffs_the_format() -> None:
    assert extract(make_pdf([["Hello PDF"]])).text == "Hello PDF"
    assert extract(b"<!DOCTYPE html><title>T</title><p>x</p>").title == "T"
    assert extract(b"# Heading\n\ntext", name="notes.md").title == "Heading"
    assert extract("caf\u0065\u0301 au lait".encode()).text == "café au lait"  # NFC
    with pytest.raises(InvalidInput, match="not UTF-8"):
        extract(b"\xff\xfe\x00bad", name="x.txt")
