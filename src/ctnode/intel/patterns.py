"""A fast check of the simplest STIX 2.1 patterns, held to the full validator.

Most indicators in the field carry one comparison: ``[file:hashes.'SHA-256' = '…']``,
``[domain-name:value = '…']``. Validating each with ``stix2-patterns`` builds an ANTLR
lexer, parser and parse tree: about half of the time of a whole STIX import. For a
pattern of exactly one ``=`` / ``!=`` comparison of a plain object path with a string
literal (the shape :data:`_SIMPLE` matches), the grammar can only accept it, and what the
full validator then checks (``object_validator.verify_object``: a hash value against its
algorithm's form) is repeated here with the library's own table. Anything else, and any
simple pattern found at fault, goes to the full validator, so every message is the
library's own.

:func:`install` makes ``stix2`` use :func:`validate_pattern` for indicators (it looks up
``run_validator`` in ``stix2.v21.sdo`` at each call). ``tests/intel/test_patterns.py`` holds
the fast path to the full validator on a table of patterns and on generated ones.
"""

from __future__ import annotations

import re
from typing import Any

import stix2.v21.sdo
from stix2patterns.v21.object_validator import HASHES_REGEX
from stix2patterns.validator import run_validator

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_STR = r"'[^'\\]*'"
_SIMPLE = re.compile(
    rf"\[ *(?P<type>[A-Za-z_][A-Za-z0-9_-]*):(?P<first>{_ID}|{_STR})"
    rf"(?P<rest>(?:\.(?:{_ID}|{_STR}))*) *(?:==|=|!=|<>) *'(?P<value>[^'\\]*)' *\]"
)
_STEP = re.compile(rf"\.({_ID}|{_STR})")
# The grammar's keywords (case-sensitive): an identifier spelled as one lexes as the keyword.
_KEYWORDS = frozenset(
    "AND OR NOT FOLLOWEDBY LIKE MATCHES ISSUPERSET ISSUBSET EXISTS LAST IN START STOP SECONDS "
    "true false WITHIN REPEATS TIMES".split()
)


def simple_pattern_errors(pattern: str) -> list[str] | None:
    """The full validator's findings for a simple pattern, or None when the pattern is not
    of the simple shape (the full validator must decide)."""
    m = _SIMPLE.fullmatch(pattern)
    if m is None:
        return None
    parts = [m["first"], *_STEP.findall(m["rest"] or "")]
    if m["type"] in _KEYWORDS or any(p in _KEYWORDS for p in parts):
        return None
    path = [p[1:-1] if p.startswith("'") else p for p in parts]
    errors: list[str] = []
    if "hashes" in path:  # as object_validator.verify_object
        selector = path[-1]
        hash_type = selector.upper().replace("-", "").replace("'", "")
        if hash_type in HASHES_REGEX and not re.match(HASHES_REGEX[hash_type][0], m["value"]):
            errors.append(f"FAIL: '{m['value']}' is not a valid {selector} hash")
    return errors


def validate_pattern(pattern: Any, stix_version: str = "2.1") -> list[str]:
    """``stix2patterns.validator.run_validator`` with the fast path for simple 2.1 patterns."""
    if stix_version == "2.1" and isinstance(pattern, str) and simple_pattern_errors(pattern) == []:
        return []
    found: list[str] = run_validator(pattern, stix_version)
    return found


def install() -> None:
    """Have ``stix2`` validate indicator patterns with :func:`validate_pattern`."""
    stix2.v21.sdo.run_validator = validate_pattern
