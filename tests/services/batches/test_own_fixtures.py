"""Parse → store → screen on a fresh clone: the project's own small fixtures, in the real
formats, run the whole path without the shared data folder (the fictional demo list holds
DMi.002, ARSLAN TIMUROVICH VEDENOV)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ctnode.clock import utcnow
from ctnode.model.access import Purpose
from ctnode.node import Node
from tests.conftest import PAYMENT_FIXTURES, SCREENER, TRAVEL_FIXTURES

PURPOSE = Purpose("border screening", "national API law s.12", "CASE-FRESH")
MANIFESTS = [TRAVEL_FIXTURES / "paxlst_edge_cases.edi", TRAVEL_FIXTURES / "pnrgov_short_names.edi",
             TRAVEL_FIXTURES / "mrz_short_names.txt"]
PAYMENTS = [PAYMENT_FIXTURES / "mt103_multi_wallet.fin", PAYMENT_FIXTURES / "pacs008_wallets.xml"]


def _stored_then_masked(node: Node, message_id: str | None, raw: bytes) -> None:
    assert message_id is not None
    row = node.retention.get_message(message_id)
    assert row is not None and bytes(row["raw"]) == raw
    node.retention.sweep(now=utcnow() + timedelta(hours=25))
    row = node.retention.get_message(message_id)
    assert row is not None and row["raw"] is None and "VEDENOV" not in row["masked"].upper()


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_each_manifest_format_is_parsed_stored_and_screened(node: Node, path: Path) -> None:
    raw = path.read_bytes()
    report = node.manifests.screen(raw, SCREENER, PURPOSE)
    hits = [h.reference for r in report.results for h in r.reportable]
    assert "DMi.002" in hits, (path.name, hits)
    _stored_then_masked(node, report.message_id, raw)


@pytest.mark.parametrize("path", PAYMENTS, ids=[p.name for p in PAYMENTS])
def test_each_payment_format_is_parsed_stored_and_screened(node: Node, path: Path) -> None:
    raw = path.read_bytes()
    report = node.payments.screen(raw, SCREENER, PURPOSE)
    hits = [h.reference for tr in report.transactions for p in tr.parties if p.result
            for h in p.result.reportable]
    assert "DMi.002" in hits, (path.name, hits)
    _stored_then_masked(node, report.message_id, raw)
