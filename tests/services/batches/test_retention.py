"""Retention of screened messages: masked after 24 h, deleted after 30 days, configurable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ctnode.node import Node
from ctnode.travel.masking import mask_message
from tests.conftest import TRAVEL_FIXTURES as FIXTURES

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RAW = (FIXTURES / "paxlst_edge_cases.edi").read_bytes()


def _record(node: Node, at: datetime, **changes: object) -> str:
    settings = node.settings.model_copy(update=changes)
    return node.retention.record(kind="manifest", fmt="PAXLST D:05B", raw=RAW, actor="test",
                                 source="cli", summary={"travellers": 4}, now=at,
                                 settings=settings)


def test_default_policy_masks_after_24_hours_and_deletes_after_30_days(empty_node: Node) -> None:
    fresh = _record(empty_node, NOW - timedelta(hours=23))
    old = _record(empty_node, NOW - timedelta(hours=25))
    expired = _record(empty_node, NOW - timedelta(days=30, minutes=1))
    result = empty_node.retention.sweep(now=NOW)
    assert (result.masked, result.deleted) == (1, 1)
    row = empty_node.retention.get_message(fresh)
    assert row is not None and bytes(row["raw"]) == RAW
    masked = empty_node.retention.get_message(old)
    assert masked is not None and masked["raw"] is None
    assert "VEDENOV" not in masked["masked"] and "NAD+FL+++" in masked["masked"]
    assert masked["summary"] == {"travellers": 4}
    assert empty_node.retention.get_message(expired) is None


def test_periods_are_configurable(empty_node: Node) -> None:
    settings = empty_node.settings.model_copy(update={"messages_raw_mask_hours": 1,
                                                      "messages_raw_delete_days": 2})
    a = empty_node.retention.record(kind="payment", fmt="MT103", raw=b":20:X", actor="t",
                                    source="api", summary={}, now=NOW - timedelta(hours=2),
                                    settings=settings)
    b = empty_node.retention.record(kind="payment", fmt="MT103", raw=b":20:X", actor="t",
                                    source="api", summary={}, now=NOW - timedelta(days=3),
                                    settings=settings)
    assert empty_node.retention.sweep(now=NOW, settings=settings).masked == 1
    assert empty_node.retention.get_message(a)["raw"] is None  # type: ignore[index]
    assert empty_node.retention.get_message(b) is None


def test_raw_storage_can_be_switched_off(empty_node: Node) -> None:
    mid = _record(empty_node, NOW, messages_store_raw=False)
    row = empty_node.retention.get_message(mid)
    assert row is not None and row["raw"] is None and row["masked"] is None
    assert row["sha256"] and row["summary"] == {"travellers": 4}


def test_mask_keeps_structure_and_blanks_values(formats: Path) -> None:
    for name in ("paxlst_d02b_custom_una_gtas.edi", "pnrgov_10_1_gtas.edi",
                 "mt103_50F_person_id_synthetic.fin", "pacs008_001_08_screening_synthetic.xml"):
        raw = (formats / name).read_bytes()
        masked = mask_message(raw)
        for secret in ("BETTON", "SMITHJR", "MUELLER", "SIDOROV", "751234567", "C01X00T47",
                       "DE89370400440532013000"):
            assert secret not in masked, (name, secret)
    xml = mask_message((formats / "pacs008_001_08_screening_synthetic.xml").read_bytes())
    assert "<Cdtr>" in xml and 'xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"' in xml
    mt = mask_message((formats / "mt103_50F_person_id_synthetic.fin").read_bytes())
    assert ":50F:" in mt and ":59:" in mt
