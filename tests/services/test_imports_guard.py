"""Imports that refuse to destroy: other formats, other publishers, older lists, large
delistings, dry runs, and removing a dataset on purpose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ctnode.errors import ImportRefused, NotFound
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from ctnode.store import schema as tables
from tests.conftest import ADMIN, DEMO_LIST, REPO, SCREENER

FIXTURES = REPO / "tests" / "ingest" / "fixtures"
FTM = FIXTURES / "opensanctions-sample.ftm.json"  # its entities state the dataset "demo"
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


def _national_ftm(tmp_path: Path, *, datasets: list[str] | None, n: int = 3) -> Path:
    """A small national list as FtM JSON lines; ``datasets`` is what its entities state."""
    path = tmp_path / f"national-{'-'.join(datasets or ['none'])}-{n}.ftm.json"
    lines = []
    for i in range(1, n + 1):
        entity: dict[str, object] = {
            "id": f"nat-{i}", "schema": "Person",
            "properties": {"name": [f"Nationalperson Number{i} Listed"]}}
        if datasets is not None:
            entity["datasets"] = datasets
        lines.append(json.dumps(entity))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _publishers(node: Node) -> dict[str, str | None]:
    return {d["name"]: d["publisher"] for d in node.store.entities.list_datasets()}


def _national(node: Node) -> tuple[int, list[tuple[str, str | None]]]:
    return (node.lists.count("national"),
            [(d["name"], d["publisher"]) for d in node.store.entities.list_datasets()])


def test_a_list_of_another_publisher_is_refused(empty_node: Node, tmp_path: Path) -> None:
    """A second, unrelated FtM file into a national list's dataset: same format, another
    source. Refused before anything is written (dry run included), audited; --source is
    the way out when it is the same list."""
    node = empty_node
    ours = _national_ftm(tmp_path, datasets=["nl_ministry"])
    node.lists.import_source("ftm", str(ours), ADMIN, dataset="national")
    assert _publishers(node) == {"national": "nl_ministry"}
    before = _national(node)
    failed = len(list(node.audit.entries(event="import.failed")))
    for dry_run in (True, False):
        with pytest.raises(ImportRefused) as refused:
            node.lists.import_source("ftm", str(FTM), ADMIN, dataset="national",
                                     dry_run=dry_run)
        message = refused.value.message
        assert "\n" not in message
        assert "holds the list of 'nl_ministry' and this file's source is 'demo'" in message
        assert "--source 'nl_ministry'" in message
        assert "ctnode datasets remove national" in message
        assert _national(node) == before
    entries = list(node.audit.entries(event="import.failed"))
    assert len(entries) == failed + 2 and entries[-1].detail["source"] == str(FTM)
    assert "nl_ministry" in entries[-1].detail["error"]
    # a file that states no source is refused too: the dataset's publisher is known
    silent = _national_ftm(tmp_path, datasets=None, n=4)
    with pytest.raises(ImportRefused, match="this file does not state its source"):
        node.lists.import_source("ftm", str(silent), ADMIN, dataset="national")
    assert _national(node) == before
    # the way out: the person importing states the source (case and spacing do not matter)
    report = node.lists.import_source("ftm", str(silent), ADMIN, dataset="national",
                                      publisher="  NL_Ministry ")
    assert report.added == ["national-nat-4"] and node.lists.count("national") == 4
    # a later release of the same list, stating the same source, needs no option
    assert not node.lists.import_source("ftm", str(ours), ADMIN, dataset="national",
                                        confirm=True).added
    # under its own dataset the other file is fine, and records its own publisher
    node.lists.import_source("ftm", str(FTM), ADMIN, dataset="os_demo")
    assert _publishers(node)["os_demo"] == "demo"


def test_a_csv_list_of_another_publisher_is_refused(empty_node: Node,
                                                     tmp_path: Path) -> None:
    """CSV: the mapping's publisher (else its title) is the list's source, or --source."""
    node = empty_node
    mapping = FIXTURES / "national-list.toml"
    csv = FIXTURES / "national-list.csv"
    node.lists.import_source("csv", str(csv), ADMIN, mapping=mapping)
    assert _publishers(node) == {"nl_demo": "Fictional national terrorist list"}
    other = tmp_path / "other.toml"
    other.write_text(mapping.read_text(encoding="utf-8").replace(
        'title = "Fictional national terrorist list"',
        'title = "Another country\'s list"\npublisher = "Ministry of Elsewhere"'),
        encoding="utf-8")
    before = (node.lists.count("nl_demo"), _publishers(node))
    with pytest.raises(ImportRefused,
                       match="holds the list of 'Fictional national terrorist list' and this "
                             "file's source is 'Ministry of Elsewhere'"):
        node.lists.import_source("csv", str(csv), ADMIN, mapping=other)
    assert (node.lists.count("nl_demo"), _publishers(node)) == before
    node.lists.import_source("csv", str(csv), ADMIN, mapping=other,
                             publisher="Fictional national terrorist list")
    assert _publishers(node) == {"nl_demo": "Fictional national terrorist list"}


def test_an_ofac_file_into_another_publishers_list_is_refused(empty_node: Node) -> None:
    """The OFAC files do not name their publisher: US Treasury OFAC unless --source says
    otherwise; a dataset holding another publisher's SDN-shaped list refuses OFAC's."""
    node = empty_node
    folder = FIXTURES / "ofac"
    node.lists.import_source("ofac-sdn", str(folder), ADMIN,
                             publisher="Ministry of Elsewhere (SDN-shaped list)")
    before = (node.lists.count("us_ofac_sdn"), _publishers(node))
    with pytest.raises(ImportRefused, match="holds the list of 'Ministry of Elsewhere "
                       r"\(SDN-shaped list\)' and this file's source is 'US Treasury OFAC'"):
        node.lists.import_source("ofac-sdn", str(folder), ADMIN)
    assert (node.lists.count("us_ofac_sdn"), _publishers(node)) == before
    node.lists.remove_dataset(ADMIN, "us_ofac_sdn", reason="the wrong list")
    node.lists.import_source("ofac-sdn", str(folder), ADMIN)
    assert _publishers(node) == {"us_ofac_sdn": "US Treasury OFAC"}


def test_a_list_whose_publisher_was_never_recorded_takes_the_next_stated(
        node: Node, tmp_path: Path) -> None:
    """Lists imported before the publisher was recorded (NULL) are not refused: the next
    import that states one records it, and from then on it is guarded."""
    assert _publishers(node) == {"un_sc": "UN Security Council"}
    with node.store.begin() as conn:
        conn.execute(tables.datasets.update().values(publisher=None))
    newer = _un_file(tmp_path, date="2026-02-01T00:00:00.000Z")
    node.lists.import_source("un-sc", str(newer), ADMIN)
    assert _publishers(node) == {"un_sc": "UN Security Council"}
    # the demo list is never the UN's: its own dataset and its own publisher
    from ctnode.services.lists import DEMO_PUBLISHER, as_demo
    node.lists.import_list(as_demo(node.lists.parse_source("un-sc", str(DEMO_LIST))), ADMIN)
    assert _publishers(node)["un_sc_demo"] == DEMO_PUBLISHER


def test_a_peers_full_sync_into_a_local_list_meets_the_publisher_rule(node: Node) -> None:
    """A peer's full list for a dataset held locally is refused by the store's publisher rule
    (a signed ``not_publisher`` to the peer), not by the local source check; unchanged."""
    from ctnode.errors import ListConflict
    from ctnode.model.entities import Entity, Statement
    from ctnode.model.lists import ParsedList

    entity = Entity(id="un_sc-EVIL.1", schema="Person", dataset="un_sc", reference="EVIL.1")
    entity.statements = [Statement(prop="name", value="Nobody", original="Nobody",
                                   dataset="un_sc")]
    parsed = ParsedList(dataset="un_sc", title="un_sc (updates from node-z)", version=None,
                        source="peer:node-z", entities=[entity], publisher="peer:node-z")
    before = _state(node)
    with pytest.raises(ListConflict) as refused:
        node.lists.import_list(parsed, ADMIN)
    assert refused.value.reason == "not_publisher"
    assert _state(node) == before
