"""The one reading of untrusted JSON and text (ctnode.textsafe)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctnode.cli.main import app as cli_app
from ctnode.clock import utcnow
from ctnode.errors import InvalidInput, TooDeep, UnsafeText
from ctnode.node import Node
from ctnode.settings import Settings
from ctnode.textsafe import check_url_part, json_depth, json_object_line, load_json, printable


def test_depth_is_counted_outside_strings() -> None:
    assert json_depth(b'{"a": "[[[[[[[[[[", "b": [[1]]}', 100) == 3
    assert json_depth(b'"\\"[[[["', 100) == 0
    assert json_depth(b"[" * 100_000, 64) == 65  # stops early
    with pytest.raises(TooDeep):
        load_json(b"[" * 65 + b"]" * 65, max_depth=64)
    assert load_json(b"[" * 64 + b"]" * 64, max_depth=64) is not None


@pytest.mark.parametrize("raw", [
    b'{"a": "x\\u0000y"}', b'{"x\\u0000": 1}', b'["\\ud800"]', b'{"a": ["ok", {"b": "\\udfff"}]}',
    b'{"a": "caf\xe9"}',
])
def test_nul_surrogates_and_non_utf8_refused(raw: bytes) -> None:
    with pytest.raises(UnsafeText):
        load_json(raw)


def test_valid_text_and_pairs_pass() -> None:
    assert load_json('{"n": "\\ud83d\\ude00 Алматы"}'.encode()) == {"n": "\U0001f600 Алматы"}
    with pytest.raises(InvalidInput, match="not valid JSON"):
        load_json(b'{"a": NaN}')
    with pytest.raises(InvalidInput):
        load_json(b"1" * 5000)  # more digits than Python converts


def test_url_parts() -> None:
    check_url_part(b"q=%D0%90%D0%BB%D0%B8", "query")
    for bad in (b"q=a%00b", b"q=%ED%A0%80", b"/%ff"):
        with pytest.raises(UnsafeText):
            check_url_part(bad, "query")


def test_printable_never_lets_the_terminal_interpret() -> None:
    text = "Alert\x1b[2J\x1b]0;owned\x07 title\x07\nline two\u202eevil\x00\x9b"
    shown = printable(text)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\x00" not in shown and "\x9b" not in shown
    assert shown.startswith("Alert\\x1b") and "\nline two" in shown
    assert printable("x" * 50, limit=10) == "x" * 10


def test_inbox_prints_a_peers_escape_sequences_inert(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", mode="development", database_url="")
    node = Node(settings)
    try:
        with node.store.begin() as conn:
            node.store.federation.add_alert(conn, {
                "id": str(uuid.uuid4()), "direction": "incoming", "peer_id": "evil-node",
                "kind": "urgent\x1b[31m", "title": "Read me\x1b]8;;http://x\x07",
                "body": "clear\x1b[2Jscreen\x1b[1;1H", "detail": {}, "at": utcnow(),
                "read_at": None,
            })
    finally:
        node.close()
    env = {"CTNODE_DATA_DIR": str(settings.data_dir), "CTNODE_MODE": "development",
           "CTNODE_DATABASE_URL": ""}
    r = CliRunner().invoke(cli_app, ["inbox"], env=env)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    assert "clear\\x1bscreen" in r.output and "Read me" in r.output
    r = CliRunner().invoke(cli_app, ["inbox", "--json"], env=env)
    assert json.loads(r.output)[0]["title"].startswith("Read me")  # JSON keeps the data exact


@pytest.mark.parametrize("raw", [
    '{"id": "q1", "name": "Abd al-Rahman bin \'Amir", "schema": "Person"}',
    '{"id": 123456789012345678901234567890, "name": "x"}',  # past 64 bits: an int, not a float
    '{"id": -9223372036854775809, "name": "x"}',
    '{"id": 18446744073709551615, "n": [1, -2, 0]}',
    '{"id": 1.5e-7, "x": [1e400, -0.0, 2.5]}',
    '{"a": NaN, "b": Infinity}',
    '{"a": "\\ud800"}',  # a lone surrogate escaped: the json module reads it (check_text refuses)
    '{"a": 1, "a": 2, "b": {"c": [true, false, null]}}',
    '{"a": "x\\u00e9\\n\\t\\"\\\\ y", "é": "中文"}',
    '  {"a" : [ ] }  ',
])
def test_a_json_line_is_read_as_the_json_module_reads_it(raw: str) -> None:
    got = json_object_line(raw, "line 1")
    want = json.loads(raw)
    assert repr(got) == repr(want)
    assert [type(v) for v in got.values()] == [type(v) for v in want.values()]


@pytest.mark.parametrize("raw", ['{"a": 1', "[1, 2]", '{"a": 01}', "", "\ufeff{}"])
def test_a_bad_json_line_is_refused_with_the_json_modules_words(raw: str) -> None:
    try:
        json.loads(raw)
        expected = "expected a JSON object"
    except json.JSONDecodeError as exc:
        expected = f"not JSON ({exc.msg} at column {exc.colno})"
    with pytest.raises(InvalidInput) as err:
        json_object_line(raw, "line 7")
    assert err.value.message == f"line 7: {expected}"
