"""Fuzzing the manifest parsers: no input crashes them.

Every input either parses (possibly partly, with what was skipped in
``issues``) or raises an ``InvalidInput`` subclass; nothing else escapes.
Inputs are random bytes, random EDIFACT-like segment soup, and random
mutations (cut, insert, duplicate, truncate) of real sample messages.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctnode.errors import InvalidInput
from ctnode.travel.model import Manifest
from ctnode.travel.parse import parse_manifest
from tests.conftest import TRAVEL_FIXTURES as FIXTURES
from tests.conftest import formats_dir

SAMPLES = sorted(FIXTURES.glob("*.edi")) + sorted(formats_dir().glob("*.edi")) + sorted(
    formats_dir().glob("mrz_*.txt"))
SEEDS = [p.read_bytes() for p in SAMPLES]
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(data: bytes) -> None:
    try:
        manifest = parse_manifest(data)
    except InvalidInput as exc:
        assert exc.message  # a clear message, with a position where there is one
        return
    assert isinstance(manifest, Manifest)
    for t in manifest.travellers:
        assert isinstance(t.names, list)
    for issue in manifest.issues:
        assert issue.where is not None


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    check(data)


SEGMENT = st.builds(
    lambda tag, els: tag + "".join("+" + ":".join(e) for e in els) + "'",
    st.sampled_from(["UNA:+.? ", "UNB", "UNG", "UNH", "BGM", "TDT", "LOC", "DTM", "NAD", "ATT",
                     "NAT", "DOC", "RFF", "CNT", "UNT", "UNE", "UNZ", "TIF", "SSR", "TVL", "RCI",
                     "SRC", "EQN", "XYZ", "A", ""]),
    st.lists(st.lists(st.text(alphabet="ABCXYZ0123456789 ?':+/\n\r*$", max_size=12), max_size=4),
             max_size=6),
)


@FUZZ
@given(st.lists(SEGMENT, max_size=40), st.sampled_from(["PAXLST", "PNRGOV"]))
def test_segment_soup(segments: list[str], kind: str) -> None:
    head = f"UNB+UNOA:4+A+B'UNH+1+{kind}:D:05B:UN'"
    check((head + "".join(segments)).encode())


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["cut", "insert", "dup", "truncate", "flip"]))
        n = len(data)
        i = draw(st.integers(0, max(n - 1, 0)))
        j = draw(st.integers(i, min(n, i + 40)))
        if op == "cut":
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from(
                [b"'", b"+", b":", b"?", b"\n", b"UNA", b"\xff", b"NAD+FL+++"])))
        elif op == "dup":
            data[i:i] = data[i:j]
        elif op == "truncate":
            del data[i:]
        elif n:
            data[i] = draw(st.integers(0, 255))
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_samples(data: bytes) -> None:
    check(data)


def test_samples_are_present() -> None:
    assert len(SAMPLES) >= 3  # our own fixtures at least


def test_every_sample_parses_without_error_issues_in_the_tokenizer() -> None:
    for path in SAMPLES:
        if path.name == "cusres_unknown.edi":
            continue
        manifest = parse_manifest(path.read_bytes())
        assert manifest.travellers, path.name


def test_large_deep_input_is_bounded(tmp_path: Path) -> None:
    data = b"UNH+1+PAXLST:D:05B:UN'" + b"NAD+FL+++" + b"?" * 100_000 + b"'"
    check(data)
