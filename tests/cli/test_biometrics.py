"""The CLI edge: enrol, search, import and export through ``ctnode biometrics`` and
``ctnode import/export ansi-nist``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.biometrics.kit import Material

pytestmark = pytest.mark.usefixtures("nbis")


def _saved(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("backend", ["sqlite"])  # runs once, on SQLite
def test_cli_round_trip(
    node: Node, bio_files: Material, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTNODE_DATA_DIR", str(node.settings.data_dir))
    monkeypatch.setenv("CTNODE_DATABASE_URL", node.settings.store_url)
    monkeypatch.setenv("CTNODE_MODE", "development")
    runner = CliRunner()
    ansi = _saved(tmp_path, "print.an2", bio_files.an2("minutiae-and-print"))
    r = runner.invoke(
        app, ["import", "ansi-nist", str(ansi), "--entity", "un_sc-DMe.003", "--legal-basis", "Act"]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        [
            "import",
            "ansi-nist",
            str(_saved(tmp_path, "iris.an2", bio_files.an2("type-17-iris"))),
            "--entity",
            "un_sc-DMe.003",
            "--legal-basis",
            "Act",
        ],
    )
    # valid, but only iris: recorded with a note, not refused
    assert r.exit_code == 0 and "nothing kept" in r.output and "iris" in r.output
    face = _saved(tmp_path, "face.jpg", bio_files.face("a1"))
    r = runner.invoke(
        app, ["biometrics", "enrol", "un_sc-DMe.001", "--face", str(face), "--legal-basis", "Act"]
    )
    assert r.exit_code == 0, r.output
    probe = _saved(tmp_path, "probe.jpg", bio_files.face("a2"))
    r = runner.invoke(
        app,
        [
            "biometrics",
            "search",
            "--face",
            str(probe),
            "--purpose",
            "screening",
            "--legal-basis",
            "Act",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert '"entity_id": "un_sc-DMe.001"' in r.output and '"decision": "match"' in r.output
    out = tmp_path / "e.an2"
    r = runner.invoke(
        app,
        [
            "export",
            "ansi-nist",
            "un_sc-DMe.003",
            "-o",
            str(out),
            "--purpose",
            "p",
            "--legal-basis",
            "Act",
        ],
    )
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"1.001:")


@pytest.mark.parametrize("backend", ["sqlite"])  # runs once, on SQLite
def test_cli_face_index_and_scoped_keys(
    node: Node, bio_files: Material, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CTNODE_DATA_DIR", str(node.settings.data_dir))
    monkeypatch.setenv("CTNODE_DATABASE_URL", node.settings.store_url)
    monkeypatch.setenv("CTNODE_MODE", "development")
    runner = CliRunner()
    face = _saved(tmp_path, "face.jpg", bio_files.face("a1"))
    r = runner.invoke(
        app, ["biometrics", "enrol", "un_sc-DMe.001", "--face", str(face), "--legal-basis", "A"]
    )
    assert r.exit_code == 0 and "quality" in " ".join(r.output.split()), r.output
    r = runner.invoke(app, ["biometrics", "index", "status"])
    assert r.exit_code == 0 and "stale or missing" in " ".join(r.output.split()), r.output
    r = runner.invoke(app, ["biometrics", "index", "rebuild"])
    assert r.exit_code == 0 and "rebuilt from the store: asked for; 1 templates" in " ".join(r.output.split())
    r = runner.invoke(app, ["biometrics", "index", "status", "--json"])
    assert r.exit_code == 0 and '"current": true' in " ".join(r.output.split()), r.output
    group = _saved(tmp_path, "group.jpg", bio_files.face("group"))
    r = runner.invoke(app, ["biometrics", "search", "--face", str(group), "--purpose", "p",
                            "--legal-basis", "A"])
    text = " ".join(r.output.split())
    assert r.exit_code == 0 and "face 2 at x=" in text and "calibrated for 1 " in text
    r = runner.invoke(app, ["keys", "create", "desk", "--biometric-scope", "search"])
    assert r.exit_code == 0 and "ctn_" in " ".join(r.output.split()), r.output
    r = runner.invoke(app, ["keys", "create", "bad", "--biometric-scope", "purge"])
    assert r.exit_code != 0 and "unknown biometric permission" in " ".join(r.output.split())
