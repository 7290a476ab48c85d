"""``ctnode hashes``: the whole command line as an operator meets it, on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import ImageOps
from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.hashes.conftest import picture


@pytest.mark.parametrize("backend", ["sqlite"])  # runs once, on SQLite
def test_hash_bank_match_decide_export(
    empty_node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTNODE_DATA_DIR", str(empty_node.settings.data_dir))
    monkeypatch.setenv("CTNODE_DATABASE_URL", empty_node.settings.store_url)
    monkeypatch.setenv("CTNODE_MODE", "development")
    run = CliRunner().invoke
    original, mirrored = tmp_path / "a.png", tmp_path / "b.jpg"
    picture(3).save(original)
    ImageOps.mirror(picture(3)).save(mirrored)

    r = run(app, ["hashes", "hash", str(original), "--json"])
    assert r.exit_code == 0, r.output
    [hashed] = json.loads(r.stdout)
    pdq = hashed["pdq"]["value"]
    assert hashed["content_type"] == "image" and len(pdq) == 64

    assert run(app, ["hashes", "bank", "create", "CT_TEST", "--tlp", "GREEN"]).exit_code == 0
    r = run(app, ["hashes", "bank", "add", "CT_TEST", pdq, "--label", "glorification"])
    assert r.exit_code == 0 and "1 added" in r.output
    r = run(app, ["hashes", "bank", "add", "CT_TEST", "nothex", "--type", "md5"])
    assert r.exit_code == 1 and "values[0]" in r.output

    r = run(app, ["hashes", "match", str(mirrored), "--json"])
    assert r.exit_code == 3, r.output  # 3: something matched
    [hit] = json.loads(r.stdout)[str(mirrored)]["hits"]
    assert hit["variant"] == "mirrored" and hit["tlp"] == "TLP:GREEN"
    r = run(app, ["hashes", "match", "--hash", f"pdq:{pdq}"])
    assert r.exit_code == 3 and "CT_TEST" in r.output
    r = run(app, ["hashes", "match", "--hash", "md5:" + "0" * 32])
    assert r.exit_code == 0 and "no match" in r.output

    r = run(app, ["hashes", "hits", "--json"])
    assert len(json.loads(r.stdout)) == 2
    r = run(app, ["hashes", "decide", hit["hit_id"], "confirmed", "-m", "known video still"])
    assert r.exit_code == 0 and "confirmed" in r.output
    r = run(app, ["hashes", "bank", "set", "CT_TEST", "--pdq-threshold", "10", "--disable"])
    assert r.exit_code == 0 and "enabled=False" in r.output

    out = tmp_path / "bank.csv"
    r = run(app, ["hashes", "bank", "export", "CT_TEST", str(out), "--format", "te-dataset"])
    assert r.exit_code == 0 and pdq in out.read_text()
    r = run(app, ["hashes", "bank", "list"])
    assert "CT_TEST" in r.output and "active 1" in r.output
    r = run(app, ["hashes", "bank", "delete", "CT_TEST"])
    assert r.exit_code == 1 and "--yes" in r.output
