"""Every warning of the list parsers is a code of ``LIST_WARNINGS`` (issue 14: the console
says it in the person's language), and its English text is the one the API always showed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ctnode.ingest.ftm import parse_ftm
from ctnode.ingest.list_warnings import LIST_WARNINGS, list_warning, list_warning_phrase

INGEST = Path(__file__).resolve().parents[2] / "src" / "ctnode" / "ingest"
PARSERS = ("csv_list.py", "ftm.py", "ofac_sdn.py", "un_sc.py", "un_sc_records.py")
VALUE = re.compile(r"%\((\w+)\)s")


def _warn_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text())
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and ((isinstance(node.func, ast.Name) and node.func.id == "warn")
                 or (isinstance(node.func, ast.Attribute) and node.func.attr == "warn"))]


def test_every_parser_warning_is_a_code_with_its_values() -> None:
    used: set[str] = set()
    for name in PARSERS:
        calls = _warn_calls(INGEST / name)
        assert calls, name
        for call in calls:
            where = f"{name} line {call.lineno}"
            first = call.args[0] if call.args else None
            # a text written in place (an f-string, a variable) has no translation
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), where
            assert first.value in LIST_WARNINGS, (where, first.value)
            assert len(call.args) == 1, where
            named = {k.arg for k in call.keywords}
            wanted = set(VALUE.findall(LIST_WARNINGS[first.value]))
            # ``source`` is added by the parser's own ``warn`` where the template starts with it
            assert named == wanted or named | {"source"} == wanted, (where, named, wanted)
            used.add(first.value)
    assert used == set(LIST_WARNINGS)  # no template that no parser writes


SAMPLES = {"source": "list.jsonl", "where": "un.xml INDIVIDUAL QDi.001", "line": "7",
           "prop": "birthDate", "schema": "Person", "type": "date", "tag": "FOO", "file": "alt.csv",
           "years": "1960-1965", "formats": "%Y-%m-%d, %d.%m.%Y", "column": "Full Name",
           "count": "3", "num": "36", "limit": "1,000"}


@pytest.mark.parametrize("code", sorted(LIST_WARNINGS))
def test_a_warning_reads_back_to_its_code_and_values(code: str) -> None:
    values = {name: SAMPLES.get(name, f"'{name} value'")
              for name in VALUE.findall(LIST_WARNINGS[code])}
    text = list_warning(code, **values)
    phrase = list_warning_phrase(text)
    assert phrase is not None and phrase.code == code, text
    assert dict(phrase.values) == values
    assert phrase.render(LIST_WARNINGS.__getitem__) == text


def test_the_english_text_is_unchanged_and_other_text_has_no_code() -> None:
    lines = [
        '{"id": "a", "schema": "Person", "properties": {"name": ["A B"], '
        '"nationality": ["Atlantis"]}}',
        '{"id": "b", "schema": "Organization", "properties": {"name": ["C"], '
        '"birthDate": ["1970"]}}',
    ]
    parsed = parse_ftm(lines, dataset="fx", source_name="x.jsonl")
    assert parsed.warnings == [
        "x.jsonl: line 1: nationality 'Atlantis' is not a known country; kept as written",
        "x.jsonl: line 2: property 'birthDate' is not part of Organization; ignored",
    ]
    assert [list_warning_phrase(w).code for w in parsed.warnings  # type: ignore[union-attr]
            ] == ["list.line.country", "list.ftm.not_in_schema"]
    assert list_warning_phrase("x.jsonl: something else entirely") is None
