"""The fast check of simple STIX patterns (``intel/patterns``) against the full validator of
``stix2-patterns``: every pattern the fast path decides, it decides as the full one does."""

from __future__ import annotations

import pytest
import stix2
from bench.intel.generate import generate
from stix2patterns.validator import run_validator

from ctnode.intel.patterns import simple_pattern_errors, validate_pattern
from ctnode.intel.stix import parse_stix

SHA = "a" * 64
CASES = [
    # simple, valid
    (f"[file:hashes.'SHA-256' = '{SHA}']", True),
    (f"[file:hashes.SHA256 = '{SHA}']", True),
    ("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", True),
    ("[domain-name:value = 'example.net']", True),
    ("[ipv4-addr:value != '198.51.100.7']", True),
    ("[url:value == 'https://x.example/login?a=1&b=[2]']", True),
    ("[email-addr:value <> 'a@example.org']", True),
    ("[ x-custom-thing:prop.'sub key'.leaf = 'v' ]", True),
    ("[file:'name' = 'report.pdf']", True),
    ("[file:name = 'مستند.pdf']", True),
    ("[file:name = '']", True),
    ("[file:name = 'AND OR // not a comment /* */']", True),
    # simple shape, at fault: a hash that is not of its algorithm's form
    ("[file:hashes.'SHA-256' = 'not-a-hash']", True),
    ("[file:hashes.MD5 = 'abc']", True),
    ("[file:hashes.'SHA-1' = '" + "g" * 40 + "']", True),
    # not simple: the full validator decides
    ("[file:name = 'a'] AND [file:size = 3]", False),
    ("[file:size = 3]", False),
    ("[file:name = 'it\\'s']", False),
    ("[file:name MATCHES '^a']", False),
    ("[file:name = 'a' AND file:size > 1]", False),
    ("[file:extensions.'x'[*].name = 'a']", False),
    ("[file:AND = 'a']", False),
    ("[true:name = 'a']", False),
    ("[file:my-prop = 'a']", False),
    ("[file:name = t'2026-01-01T00:00:00Z']", False),
    (" [file:name = 'a']", False),
    ("file:name = 'a'", False),
    ("[file:name = 'a'] WITHIN 5 SECONDS", False),
]


@pytest.mark.parametrize(("pattern", "simple"), CASES)
def test_the_fast_path_decides_as_the_full_validator(pattern: str, simple: bool) -> None:
    fast = simple_pattern_errors(pattern)
    assert (fast is not None) == simple
    full = run_validator(pattern, "2.1")
    if fast is not None:
        assert fast == full
    assert validate_pattern(pattern) == full


def test_generated_indicators_are_decided_alike() -> None:
    patterns = [o["pattern"] for o in generate(2000) if o.get("type") == "indicator"]
    assert len(patterns) > 400
    for p in patterns:
        fast = simple_pattern_errors(p)
        assert fast is not None and fast == run_validator(p, "2.1") == []


def test_stix2_uses_it_and_still_refuses_a_bad_pattern() -> None:
    indicator = {
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--0b9b3e3e-6c1a-4b8e-9a55-2b6f4c3e9d11",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
    }
    assert stix2.v21.sdo.run_validator is validate_pattern
    parse_stix([{**indicator, "pattern": f"[file:hashes.'SHA-256' = '{SHA}']"}])
    for bad in ("[file:hashes.'SHA-256' = 'xyz']", "[file:name = 'a'"):
        with pytest.raises(Exception, match="pattern"):
            parse_stix([{**indicator, "pattern": bad}])
