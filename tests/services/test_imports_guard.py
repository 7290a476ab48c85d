"""Imports that refuse to destroy: other formats, older lists, large delistings, dry runs,
and removing a dataset on purpose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ctnode.errors import ImportRefused, NotFound
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from tests.conftest import ADMIN, DEMO_LIST, REPO, SCREENER

FTM = REPO / "tests" / "ingest" / "fixtures" / "opensanctions-sample.ftm.json"
P = Purpose("screening", "test", "case-1")


def _un_file(tmp_path: Path, *, date: str, drop: int = 0) -> Path:
    """The demo UN file with another dateGenerated and its first ``drop`` individuals gone."""
    text = DEMO_LIST.read_text(encoding="utf-8")
    text = text.replace('dateGenerated="2026-01-01T00:00:00.000Z"', f'dateGenerated="{date}"')
    for _ in range(drop):
        text = re.sub(r"<INDIVIDUAL>.*?</INDIVIDUAL>", "", text, count=1, flags=re.S)
    path = tmp_path / f"un-{date[:10]}-{drop}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def _state(node: Node) -> tuple[int, list[tuple[str, str | None]]]:
    return (node.lists.count("un_sc"),
            [(d["name"], d["version"]) for d in node.store.entities.list_datasets()])


def test_a_file_of_another_format_is_refused(empty_node: Node) -> None:
    node = empty_node
    node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
    before = _state(node)
    with pytest.raises(ImportRefused, match="holds a list imported as un-sc; a ftm file"):
        node.lists.import_source("ftm", str(FTM), ADMIN, dataset="un_sc")
    assert _state(node) == before
    assert list(node.audit.entries(event="import.failed"))[-1].detail["source"] == str(FTM)
    # under its own name it is fine
    assert node.lists.import_source("ftm", str(FTM), ADMIN, dataset="national").added
    assert {d["name"]: d["kind"] for d in node.store.entities.list_datasets()} == {
        "national": "ftm", "un_sc": "un-sc"}


def test_a_list_imported_before_formats_were_recorded_is_guarded(node: Node) -> None:
    """The fixture imports the demo as un_sc without a recorded format (as older stores)."""
    before = _state(node)
    with pytest.raises(ImportRefused, match="imported as un-sc"):
        node.lists.import_source("ftm", str(FTM), ADMIN, dataset="un_sc")
    assert _state(node) == before


def test_an_older_list_is_refused_unless_allowed(empty_node: Node, tmp_path: Path) -> None:
    node = empty_node
    node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
    before = _state(node)
    older = _un_file(tmp_path, date="2025-11-30T00:00:00.000Z", drop=1)
    with pytest.raises(ImportRefused, match=r"older than the version held .*--allow-older"):
        node.lists.import_source("un-sc", str(older), ADMIN)
    assert _state(node) == before
    report = node.lists.import_source("un-sc", str(older), ADMIN, allow_older=True,
                                      confirm=True)
    assert len(report.removed) == 1 and report.version == "2025-11-30T00:00:00.000Z"
    # FtM and CSV: the version the import states
    node.lists.import_source("ftm", str(FTM), ADMIN, dataset="national", version="2026-05-13")
    with pytest.raises(ImportRefused, match="2026-04-01 is older"):
        node.lists.import_source("ftm", str(FTM), ADMIN, dataset="national",
                                 version="2026-04-01")


def test_a_dry_run_prints_the_delta_and_changes_nothing(empty_node: Node,
                                                        tmp_path: Path) -> None:
    node = empty_node
    node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
    before, imports = _state(node), len(list(node.audit.entries(event="import")))
    newer = _un_file(tmp_path, date="2026-02-01T00:00:00.000Z", drop=2)
    report = node.lists.import_source("un-sc", str(newer), ADMIN, dry_run=True)
    assert report.dry_run and report.held_before == 16
    assert report.removed == ["un_sc-DMi.001", "un_sc-DMi.002"] and report.unchanged == 14
    assert _state(node) == before and len(list(node.audit.entries(event="import"))) == imports
    hits = node.screening.screen(build_query(["Faris Nadir"]), SCREENER, P).hits
    assert hits[0].entity_id == "un_sc-DMi.001" and hits[0].status == "listed"


def test_delisting_more_than_five_percent_needs_confirmation(empty_node: Node,
                                                             tmp_path: Path) -> None:
    node = empty_node
    node.lists.import_source("un-sc", str(DEMO_LIST), ADMIN)
    before = _state(node)
    newer = _un_file(tmp_path, date="2026-02-01T00:00:00.000Z", drop=2)  # 2 of 16: 12.5%
    with pytest.raises(ImportRefused, match=r"would delist 2 of the 16 .*12\.5%.*--confirm"):
        node.lists.import_source("un-sc", str(newer), ADMIN)
    assert _state(node) == before
    report = node.lists.import_source("un-sc", str(newer), ADMIN, confirm=True)
    assert report.removed == ["un_sc-DMi.001", "un_sc-DMi.002"]
    assert node.lists.count("un_sc") == 14


def test_a_dataset_is_removed_on_purpose_and_audited(empty_node: Node) -> None:
    node = empty_node
    node.lists.import_list(parse_un_sc(DEMO_LIST), ADMIN)
    node.lists.import_source("ftm", str(FTM), ADMIN, dataset="national")
    assert node.screening.screen(build_query(["Faris Nadir"]), SCREENER, P).hits
    report = node.lists.remove_dataset(ADMIN, "un_sc", reason="wrong file loaded")
    assert len(report.removed) == 16 and report.held_before == 16
    assert [d["name"] for d in node.store.entities.list_datasets()] == ["national"]
    hits = node.screening.screen(build_query(["Faris Nadir"]), SCREENER, P).hits
    assert all(h.dataset == "national" for h in hits)
    (entry,) = list(node.audit.entries(event="dataset.remove"))
    assert entry.detail["dataset"] == "un_sc" and entry.detail["entities"] == 16
    assert entry.detail["reason"] == "wrong file loaded" and entry.actor == ADMIN.name
    assert node.store.entities.entity_events("un_sc-DMi.001")[-1]["kind"] == "removed"
    with pytest.raises(NotFound):
        node.lists.remove_dataset(ADMIN, "un_sc", reason="again")
