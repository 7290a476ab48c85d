"""The canonical JSON of a screened subject's identity, written by orjson (``canonical_text_json``):
the same bytes as ``canonical_json``, so every subject key and keyed hash stays the same."""

from __future__ import annotations

import hashlib
import hmac
import sys

import pytest

from ctnode.audit.chain import canonical_json, canonical_text_json
from ctnode.model.screening import ScreenQuery
from ctnode.node import Node


def _every_character() -> str:
    """Every code point but the surrogates, in one string."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def test_every_character_is_written_as_the_json_module_writes_it() -> None:
    text = _every_character()
    for start in range(0, len(text), 4096):  # (each character, and each beside others)
        chunk = text[start:start + 4096]
        value: dict[str, str | list[str]] = {"names": [chunk, chunk[::-1]], "schema": chunk}
        assert canonical_text_json(value) == canonical_json(value).encode()
    for c in range(0x80):  # the escaped characters alone, as a key's value and as a key
        value = {chr(c): chr(c), "b": [chr(c) * 3]}
        assert canonical_text_json(value) == canonical_json(value).encode(), hex(c)


def test_keys_sorted_lists_kept_in_order_empty_values() -> None:
    value: dict[str, str | list[str]] = {
        "schema": "Person", "names": ["zed", "abd al-rahman", "ÄÖ 中文"], "birth_dates": [],
        "documents": [], "nationalities": ["qa"], "subject_id": ["x\"y\\z\n"]}
    out = canonical_text_json(value)
    assert out == canonical_json(value).encode()
    assert out.startswith(b'{"birth_dates":[],"documents":[],"names":["zed","abd al-rahman"')


def test_a_lone_surrogate_fails_as_before() -> None:
    value: dict[str, str | list[str]] = {"names": ["a\ud800b"]}
    with pytest.raises(UnicodeEncodeError):
        canonical_json(value).encode()
    with pytest.raises(UnicodeEncodeError):
        canonical_text_json(value)


def test_a_subject_key_is_the_keyed_hash_of_its_identity(node: Node) -> None:
    """The subject key (hashed for every query of a batch) is the keyed hash of the same
    canonical JSON as before: a subject screened again keeps its key, and its decisions."""
    query = ScreenQuery(names=["  Abd al-Rahman  bin 'Amir ", "ÄHMED"], birth_dates=["1954"],
                        nationalities=["QA"], documents=["ab 12 3"], subject_id=" s-1 ")
    ident = {"schema": "Person", "names": ["abd al-rahman bin 'amir", "ähmed"],
             "birth_dates": ["1954"], "nationalities": ["qa"], "documents": ["AB123"],
             "subject_id": ["s-1"]}
    key = node.screening.ctx._hash_key
    expected = hmac.new(key, canonical_json(ident).encode(), hashlib.sha256).hexdigest()
    assert node.screening.subject_key(query) == expected == node.screening.ctx.keyed_hash(ident)
