"""List imports: deltas between real UN list versions, provenance, one-transaction safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ctnode.errors import ImportFailed
from ctnode.ingest.un_sc import parse_un_sc
from ctnode.node import Node
from ctnode.store import schema as tables
from tests.conftest import ADMIN, ANALYST


def _counts(node: Node) -> dict[str, int]:
    with node.store.engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(tbl)).scalar_one())
            for name, tbl in (
                ("entities", tables.entities),
                ("statements", tables.statements),
                ("events", tables.entity_events),
                ("imports", tables.imports),
            )
        }


def test_un_delta_between_real_versions(empty_node: Node, shared_data: Path) -> None:
    old = empty_node.lists.import_list(
        parse_un_sc(shared_data / "un-sc-consolidated-2026-01-28.xml"), ADMIN
    )
    assert len(old.added) == 999 and not old.removed
    new = empty_node.lists.import_list(parse_un_sc(shared_data / "un-sc-consolidated.xml"), ADMIN)
    assert len(new.added) == 11
    assert {i.split("-", 1)[1] for i in new.added} == {
        "QDi.437",
        "QDi.438",
        "QDi.439",
        *(f"SDi.{n:03d}" for n in range(7, 15)),
    }
    assert new.removed == ["un_sc-QDe.137"]
    # Records whose content changed (whitespace-only and link-only differences do not count).
    # Every record that gained a passport number (29 Taliban entries) is among them.
    assert 100 <= len(new.changed) <= 160
    assert "un_sc-TAi.038" in new.changed
    # Of those, the ones whose identifying values changed (names, dates, documents...): the
    # Taliban entries that gained passports are among them; reworded notes are not.
    assert 20 <= len(new.changed_identifying) <= 40
    assert {"un_sc-TAi.002", "un_sc-TAi.038"} <= set(new.changed_identifying)
    changed_event = empty_node.store.entities.entity_events("un_sc-TAi.038")[-1]
    assert changed_event["kind"] == "changed" and changed_event["detail"]["added"]
    assert new.unchanged == 1009 - 11 - len(new.changed)

    gone = empty_node.store.entities.get_entity("un_sc-QDe.137")
    assert gone.status == "delisted" and gone.delisted_at is not None
    kinds = [e["kind"] for e in empty_node.store.entities.entity_events("un_sc-QDe.137")]
    assert kinds == ["listed", "delisted"]
    assert empty_node.store.entities.count_entities("un_sc", "listed") == 1009
    # Delisted records are kept as history, not deleted, and are not screened by default.
    assert empty_node.store.entities.count_entities("un_sc") == 1010

    # Unchanged values keep the first_seen of the first import; last_seen moves on.
    entity = empty_node.store.entities.get_entity("un_sc-QDi.006")
    stmt = next(s for s in entity.statements if s.prop == "name")
    assert stmt.first_seen is not None and stmt.last_seen is not None
    assert stmt.first_seen < stmt.last_seen

    again = empty_node.lists.import_list(parse_un_sc(shared_data / "un-sc-consolidated.xml"), ADMIN)
    assert (again.added, again.changed, again.removed) == ([], [], [])
    assert again.unchanged == 1009


def test_relisting_after_delisting(empty_node: Node, shared_data: Path) -> None:
    empty_node.lists.import_list(parse_un_sc(shared_data / "un-sc-consolidated-2026-01-28.xml"), ADMIN)
    empty_node.lists.import_list(parse_un_sc(shared_data / "un-sc-consolidated.xml"), ADMIN)
    back = empty_node.lists.import_list(  # an older list: refused unless allowed
        parse_un_sc(shared_data / "un-sc-consolidated-2026-01-28.xml"), ADMIN, allow_older=True
    )
    assert back.relisted == ["un_sc-QDe.137"]
    assert len(back.removed) == 11
    assert empty_node.store.entities.get_entity("un_sc-QDe.137").status == "listed"


def test_failed_import_leaves_store_exactly_as_it_was(node: Node, tmp_path: Path) -> None:
    before = _counts(node)
    audit_before = node.audit.count()
    bad = tmp_path / "bad.xml"
    bad.write_text(
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
        "<FIRST_NAME>X</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    with pytest.raises(ImportFailed) as err:
        node.lists.import_source("un-sc", str(bad), ADMIN)
    assert "bad.xml" in err.value.message
    assert _counts(node) == before
    entries = list(node.audit.entries(after_seq=audit_before))
    assert [e.event for e in entries] == ["import.failed"]


def test_store_error_mid_import_rolls_back(node: Node) -> None:
    """A failure inside the transaction (here: a duplicate id) leaves nothing behind."""
    parsed = parse_un_sc(Path(__file__).resolve().parents[2] / "src/ctnode/demo/demo-un-sc.xml")
    parsed.dataset = "other"
    for e in parsed.entities:
        e.dataset = "other"
        e.id = "other-" + (e.reference or e.id)
    parsed.entities.append(parsed.entities[0])
    before = _counts(node)
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        node.lists.import_list(parsed, ADMIN)
    assert _counts(node) == before
    failed = list(node.audit.entries(event="import.failed"))
    assert len(failed) == 1 and failed[0].detail["source"] == parsed.source


def test_only_admins_import(node: Node, shared_data: Path) -> None:
    from ctnode.errors import Forbidden

    with pytest.raises(Forbidden):
        node.lists.import_source("un-sc", str(shared_data / "un-sc-consolidated.xml"), ANALYST)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from ctnode.model.access import Actor
    from ctnode.node import Node
    from ctnode.settings import Settings
    from ctnode.ingest.un_sc import parse_un_sc
    node = Node(Settings(data_dir=sys.argv[1], database_url=sys.argv[2], mode="development"))
    parsed = parse_un_sc(sys.argv[3])
    def progress(done, total):
        if done >= 500:
            print("MIDWAY", flush=True)
            time.sleep(60)
    node.lists.import_list(parsed, Actor("killer", "admin"), progress=progress, confirm=True)
    print("FINISHED", flush=True)
    """
)


def test_killing_the_process_mid_import_loses_nothing(
    node: Node, tmp_path: Path, shared_data: Path
) -> None:
    before = _counts(node)
    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(tmp_path / "killer"),
            node.settings.store_url,
            str(shared_data / "un-sc-consolidated.xml"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "MIDWAY"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _counts(node) == before
    # The store still works after the crash (the real list replaces the demo: confirmed).
    report = node.lists.import_list(parse_un_sc(shared_data / "un-sc-consolidated.xml"), ADMIN,
                                    confirm=True)
    assert len(report.added) == 1009
