"""Every answer states its coverage: the lists screened, and a loud marker when it may miss."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ctnode import clock
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.lists import as_demo
from ctnode.services.screening.coverage import coverage_of, list_date
from ctnode.services.screening.query import build_query
from tests.conftest import ADMIN, DEMO_LIST, SCREENER

P = Purpose("screening", "test", "case-1")
LIST_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the demo file's dateGenerated


def _row(name: str, version: str | None, entities: int = 10) -> dict[str, object]:
    return {"name": name, "title": name, "version": version, "entities": entities,
            "imported_at": LIST_DATE}


def test_a_list_date_is_read_from_its_version() -> None:
    assert str(list_date("2026-01-01T00:00:00.000Z")) == "2026-01-01"
    assert str(list_date("2024-05-13")) == "2024-05-13"
    assert list_date("v3") is None and list_date(None) is None and list_date("2024-13-40") is None


@pytest.mark.parametrize(("rows", "codes"), [
    ([], ["no_lists"]),
    ([_row("un_sc", "2026-01-01", entities=0)], ["no_lists"]),
    ([_row("un_sc_demo", "2026-01-01")], ["demo_only"]),
    ([_row("un_sc_demo", "2026-01-01"), _row("un_sc", "2026-01-20")], ["demo_list"]),
    ([_row("un_sc", "2026-01-20"), _row("national", None)], []),
])
def test_warnings_name_what_the_answer_cannot_see(rows: list[dict[str, object]],
                                                  codes: list[str]) -> None:
    cov = coverage_of(rows, max_age_days=30, now=datetime(2026, 1, 25, tzinfo=UTC))
    assert [w.code for w in cov.warnings] == codes
    assert cov.complete is (not codes)


def test_age_counts_from_the_lists_own_date_with_the_configured_limit() -> None:
    rows = [_row("un_sc", "2026-01-01T00:00:00.000Z")]
    at_30 = coverage_of(rows, max_age_days=30, now=datetime(2026, 1, 31, tzinfo=UTC))
    assert at_30.complete and at_30.lists[0].age_days == 30
    at_31 = coverage_of(rows, max_age_days=30, now=datetime(2026, 2, 1, tzinfo=UTC))
    assert [w.code for w in at_31.warnings] == ["stale_list"]
    assert "31 days old" in at_31.warnings[0].message and at_31.lists[0].stale
    assert coverage_of(rows, max_age_days=60, now=datetime(2026, 2, 1, tzinfo=UTC)).complete


def test_a_list_asked_for_but_not_held_is_named() -> None:
    cov = coverage_of([_row("un_sc", "2026-01-20")], max_age_days=30, only=["un_sc", "eu_fsf"],
                      now=datetime(2026, 1, 25, tzinfo=UTC))
    assert [c.name for c in cov.lists] == ["un_sc"]
    assert [w.code for w in cov.warnings] == ["unknown_list"]


def _at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr(clock, "utcnow", lambda: when)


def test_an_empty_store_answers_no_hit_loudly(empty_node: Node) -> None:
    result = empty_node.screening.screen(build_query(["Ayman al-Zawahiri"]), SCREENER, P)
    assert result.hits == [] and result.coverage is not None
    assert [w.code for w in result.coverage.warnings] == ["no_lists"]
    assert not result.coverage.complete and result.coverage.lists == ()


def test_the_demo_list_alone_is_marked_in_every_answer(empty_node: Node,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    empty_node.lists.import_list(as_demo(parse_un_sc(DEMO_LIST)), ADMIN)
    _at(monkeypatch, datetime(2026, 1, 10, tzinfo=UTC))
    result = empty_node.screening.screen(build_query(["Ali"]), SCREENER, P)
    assert result.coverage is not None
    assert [w.code for w in result.coverage.warnings] == ["demo_only"]
    (demo,) = result.coverage.lists
    assert demo.demo and demo.version == "2026-01-01T00:00:00.000Z" and demo.entities > 0
    batch = list(empty_node.screening.screen_many([build_query(["Ali"])], SCREENER, P))
    assert batch[0].coverage is not None and not batch[0].coverage.complete


def test_a_stale_list_is_marked_and_a_fresh_one_is_not(node: Node,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    query = build_query(["Ali"])
    _at(monkeypatch, datetime(2026, 1, 20, tzinfo=UTC))
    fresh = node.screening.screen(query, SCREENER, P).coverage
    assert fresh is not None and fresh.complete
    assert [(c.name, c.list_date, c.age_days) for c in fresh.lists] == [("un_sc", "2026-01-01", 19)]
    _at(monkeypatch, datetime(2026, 3, 1, tzinfo=UTC))
    stale = node.screening.screen(query, SCREENER, P).coverage
    assert stale is not None and [w.code for w in stale.warnings] == ["stale_list"]
    node.settings.list_max_age_days = 90
    again = node.screening.screen(query, SCREENER, P).coverage
    assert again is not None and again.complete
