"""``ctnode index status|rebuild|verify`` on a node with the demo list."""

from __future__ import annotations

import json

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
