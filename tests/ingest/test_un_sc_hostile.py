"""Hostile and broken UN list files: each is refused with a message naming file, place and field.

Large inputs are never written to disk: a sparse file (2 GiB apparent size, no
blocks) and a generated stream prove that garbage fails after reading at most
``MAX_MARKUP_BYTES`` (16 MiB), not the whole input.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from lxml import etree

from ctnode.errors import ImportFailed
from ctnode.ingest import un_sc
from ctnode.ingest.un_sc import DEMO_LIST, MAX_MARKUP_BYTES, parse_un_sc

FIXTURES = Path(__file__).parent / "fixtures"
GIB2 = 2 * 1024**3
HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00.000Z">\n<INDIVIDUALS>\n')


def refused(source: Path | bytes | io.RawIOBase | io.BufferedReader, **kw: str) -> str:
    with pytest.raises(ImportFailed) as info:
        parse_un_sc(source, **kw)  # type: ignore[arg-type]
    assert info.value.status_code == 422
    return info.value.message


@pytest.mark.parametrize("name", ["xxe-external-entity", "xxe-parameter-entity",
                                  "billion-laughs"])
def test_dtd_and_entities_are_refused(name: str) -> None:
    path = FIXTURES / f"{name}.xml"
    message = refused(path)
    assert message.startswith(str(path))
    assert "DOCTYPE" in message and "refused" in message


def test_doctype_in_utf16_is_refused() -> None:
    text = (FIXTURES / "xxe-external-entity.xml").read_text(encoding="utf-8")
    data = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert "DOCTYPE" in refused(data)


def test_lxml_settings_are_a_second_line_of_defence() -> None:
    """Even past the byte check, entities are neither fetched nor expanded."""
    with (FIXTURES / "xxe-external-entity.xml").open("rb") as fh:
        names = [el for _, el in un_sc._iterparse(fh) if el.tag == "FIRST_NAME"]
    assert names[0].text is None  # &secret; left unresolved: /etc/passwd was not read
    with (FIXTURES / "billion-laughs.xml").open("rb") as fh, \
            pytest.raises(etree.XMLSyntaxError):
        for _ in un_sc._iterparse(fh):
            pass


def test_wrong_root_element() -> None:
    message = refused(FIXTURES / "wrong-root.xml")
    assert "wrong-root.xml: line 2: root element is <sdnList>" in message
    assert "CONSOLIDATED_LIST" in message


def test_record_without_reference_names_position_line_and_dataid() -> None:
    message = refused(FIXTURES / "missing-reference.xml")
    assert "missing-reference.xml: line 10: INDIVIDUAL record #2 (DATAID 7000002)" in message
    assert "REFERENCE_NUMBER is missing" in message


def test_duplicate_reference_numbers() -> None:
    message = refused(FIXTURES / "duplicate-reference.xml")
    assert "line 11: ENTITY record #2 (DATAID 7000002) repeats REFERENCE_NUMBER XXi.001" in message
    assert "record #1 (line 4)" in message


def test_truncated_file_names_the_line() -> None:
    message = refused(FIXTURES / "truncated.xml")
    assert "truncated.xml: not well-formed XML at line 61" in message
    assert "Premature end of data" in message


def test_truncated_after_a_complete_record() -> None:
    data = DEMO_LIST.read_bytes()
    cut = data[: data.index(b"</INDIVIDUAL>") + len(b"</INDIVIDUAL>")]
    assert "not well-formed XML" in refused(cut)


def test_other_structural_errors() -> None:
    assert "unexpected element <PERSONS>" in refused(
        HEAD.replace(b"<INDIVIDUALS>", b"<PERSONS>") + b"</PERSONS></CONSOLIDATED_LIST>")
    assert "unexpected element <ENTITY> in <INDIVIDUALS>" in refused(
        HEAD + b"<ENTITY/></INDIVIDUALS></CONSOLIDATED_LIST>")
    assert "holds no INDIVIDUAL or ENTITY records" in refused(
        HEAD + b"</INDIVIDUALS></CONSOLIDATED_LIST>")
    assert "not a plain reference number" in refused(
        HEAD + b"<INDIVIDUAL><REFERENCE_NUMBER>QDi 001/../x</REFERENCE_NUMBER></INDIVIDUAL>"
        b"</INDIVIDUALS></CONSOLIDATED_LIST>")
    assert "empty.xml" in refused(b"", source_name="empty.xml")


def test_missing_file() -> None:
    assert "nope.xml: file not found" in refused(FIXTURES / "nope.xml",
                                                 source_name="nope.xml")


def test_unknown_record_elements_are_warned_once() -> None:
    data = DEMO_LIST.read_bytes().replace(b"<SORT_KEY/>", b"<SORT_KEY/><NEW_FIELD>x</NEW_FIELD>")
    parsed = parse_un_sc(data)
    assert len(parsed.entities) == 16
    assert parsed.warnings == ["<bytes>: unknown element <NEW_FIELD> in records was ignored"]


# -- large garbage: fail fast, bounded reading --------------------------------------------


def test_sparse_2gib_file_of_garbage_fails_at_once(tmp_path: Path) -> None:
    path = tmp_path / "garbage.xml"
    with path.open("wb") as fh:
        fh.write(HEAD)
        fh.truncate(GIB2)  # sparse: 2 GiB apparent size, nothing written
    start = time.perf_counter()
    message = refused(path)
    assert time.perf_counter() - start < 5
    assert "not well-formed XML at line 4" in message


def test_few_mb_of_random_garbage(tmp_path: Path) -> None:
    path = tmp_path / "random.xml"
    path.write_bytes(bytes(range(256)) * 16 * 1024)  # 4 MiB
    assert "not well-formed XML at line 1" in refused(path)


class Generated(io.RawIOBase):
    """A read-only stream of ``head`` then ``unit`` repeated, made on demand (never stored)."""

    def __init__(self, head: bytes, unit: bytes, total: int = GIB2) -> None:
        self.head, self.unit, self.total, self.pos = head, unit, total, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = min(len(buffer), self.total - self.pos)
        if n <= 0:
            return 0
        out = bytearray(self.head[self.pos:self.pos + n])
        if len(out) < n:
            out += self.unit * ((n - len(out)) // len(self.unit) + 1)
        buffer[:n] = out[:n]
        self.pos += n
        return n


GARBAGE = {
    # libxml2 itself stops text at 10 MB (huge_tree=False) and depth at 256.
    "endless text": (HEAD + b"<INDIVIDUAL><COMMENTS1>", b"a", "Text node too long"),
    "endless nesting": (HEAD + b"<INDIVIDUAL>", b"<X>", "Excessive depth"),
    "endless elements": (HEAD + b"<INDIVIDUAL>", b"<X/>", "more than 5000 elements"),
    "endless records": (HEAD, b"<INDIVIDUAL><REFERENCE_NUMBER>A</REFERENCE_NUMBER>"
                              b"</INDIVIDUAL>", "repeats REFERENCE_NUMBER A"),
    # These libxml2 would buffer whole (2 GiB of memory) before failing; our reader stops them.
    "endless comment": (HEAD + b"<!--", b"a", "without markup"),
    "endless comment with tags": (HEAD + b"<!--", b"<a>", "comment, CDATA section"),
    "endless CDATA": (HEAD + b"<INDIVIDUAL><COMMENTS1><![CDATA[", b"<b>", "comment, CDATA"),
    "endless attribute": (HEAD + b'<INDIVIDUAL a="', b">", "without markup"),
    "endless tag name": (HEAD + b"<INDIVIDUAL", b"A", "without markup"),
    "endless processing instruction": (HEAD + b"<?pi ", b"x", "without markup"),
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_generated_2gib_garbage_stops_early(case: str) -> None:
    head, unit, expected = GARBAGE[case]
    stream = Generated(head, unit)
    message = refused(io.BufferedReader(stream, 64 * 1024), source_name=case)
    assert expected in message
    assert message.startswith(case)
    assert stream.pos <= MAX_MARKUP_BYTES + 1024 * 1024  # read at most ~17 MiB of 2 GiB
