"""Fixtures for the threat-intelligence engine.

Small real-format files beside the tests: ``fixtures/ct-bundle.json`` (a STIX 2.1
bundle written for these tests: every core type, TLP 2.0 markings, a threat actor
linked to UN list entry QDe.115, two versions of one malware object) and
``fixtures/misp-event.json`` (a MISP event in MISP's JSON export form: attributes,
a file object with an object reference, tags, a sighting, a galaxy cluster and an
event report). No network: the TAXII tests serve the protocol layer from a local
HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "ct-bundle.json").read_text())
    return data


@pytest.fixture
def misp_event_bytes() -> bytes:
    return (FIXTURES / "misp-event.json").read_bytes()
