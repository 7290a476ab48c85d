"""``ctnode index status|rebuild|verify`` on a node with the demo list."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.match import persist
from ctnode.node import Node

runner = CliRunner()


def _env(node: Node) -> dict[str, str]:
    return {"CTNODE_DATA_DIR": str(node.settings.data_dir),
            "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}


def test_status_rebuild_verify(node: Node) -> None:
    env = _env(node)
    r = runner.invoke(app, ["index", "status", "--json"], env=env)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["current"] is False and data["problem"] == "no index yet"
    r = runner.invoke(app, ["index", "rebuild"], env=env)
    assert r.exit_code == 0, r.output
    assert "name index rebuilt" in r.stdout
    data = json.loads(runner.invoke(app, ["index", "status", "--json"], env=env).stdout)
    assert data["current"] is True and data["records"] == node.lists.count(status=None)
    assert data["bytes"] > 0 and data["index_mark"] == data["store_mark"]
    r = runner.invoke(app, ["index", "verify", "--sample", "25"], env=env)
    assert r.exit_code == 0, r.output
    assert "25 answered as the naive reference" in r.stdout and r.stdout.strip().endswith("ok")
    assert "name bounds: " in r.stdout  # which bound path runs (compiled or numpy), said once


def test_verify_rebuilds_a_corrupt_index_and_says_so(node: Node) -> None:
    env = _env(node)
    assert runner.invoke(app, ["index", "rebuild"], env=env).exit_code == 0
    folder = node.settings.data_dir / "index"
    stamp = persist.read_stamp(folder)
    assert stamp is not None
    (folder / stamp["generation"] / persist.POSTINGS).write_bytes(b"\0" * 8)
    r = runner.invoke(app, ["index", "verify", "--sample", "5"], env=env)
    assert r.exit_code == 0, r.output
    assert "postings.i32 is corrupt" in r.output and "rebuilding" in r.output
    assert persist.read_stamp(folder)["generation"] != stamp["generation"]  # type: ignore[index]


def test_verify_counts_only_entities_the_index_reads(node: Node, tmp_path: Path) -> None:
    """A listed wallet with no name, date or document is no record of the name index:
    verify compares the index with the entities it reads, not with every stored one."""
    env = _env(node)
    lines = [
        {"id": "nat-p1", "schema": "Person", "properties": {"name": ["Ivan Petrovich Sidorenko"]}},
        {"id": "nat-w1", "schema": "CryptoWallet",
         "properties": {"publicKey": ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"], "currency": ["XBT"],
                        "holder": ["nat-p1"]}},
    ]
    src = tmp_path / "national.ftm.json"
    src.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    r = runner.invoke(app, ["import", "ftm", str(src), "--dataset", "national", "--source",
                            "national-coordinator"], env=env)
    assert r.exit_code == 0, r.output
    stored = node.lists.count(status=None)
    r = runner.invoke(app, ["index", "verify", "--sample", "5"], env=env)
    assert r.exit_code == 0, r.output
    assert f"records: {stored - 1} in the index, {stored - 1} in the store" in r.stdout
