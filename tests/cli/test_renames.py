"""The spellings renamed in 0.2 still work for one release, hidden from ``--help``
(CHANGELOG.md lists them): ``--case-ref``, ``biometrics enroll``, ``travel-retention``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node
from tests.conftest import TRAVEL_FIXTURES

runner = CliRunner()


def env(node: Node) -> dict[str, str]:
    return {"CTNODE_DATA_DIR": str(node.settings.data_dir),
            "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}


def test_old_spellings_are_hidden_from_help() -> None:
    manifest = runner.invoke(app, ["screen", "manifest", "--help"]).output
    assert "--case " in manifest and "--case-ref" not in manifest
    assert "travel-retention" not in runner.invoke(app, ["--help"]).output
    biometrics = runner.invoke(app, ["biometrics", "--help"]).output
    assert "enrol " in biometrics and "enroll" not in biometrics


def test_case_ref_is_read_as_case(node: Node) -> None:
    edi = str(TRAVEL_FIXTURES / "paxlst_edge_cases.edi")
    for flag in ("--case", "--case-ref"):
        r = runner.invoke(app, ["screen", "manifest", edi, "-f", "jsonl", "--purpose", "border",
                                flag, f"CASE{flag}"], env=env(node))
        assert r.exit_code == 0, r.output
    cases = [e.case_ref for e in node.audit.entries(event="screen.manifest")]
    assert cases == ["CASE--case", "CASE--case-ref"]
    r = runner.invoke(app, ["screen", "manifest", edi, "--case", "A", "--case-ref", "B"],
                      env=env(node))
    assert r.exit_code == 1 and "give the case once" in r.output


def test_old_command_names_still_run(node: Node) -> None:
    r = runner.invoke(app, ["travel-retention"], env=env(node))
    assert r.exit_code == 0 and "masked 0 raw messages" in r.output
    r = runner.invoke(app, ["biometrics", "enroll", "--help"])
    assert r.exit_code == 0 and "--legal-basis" in r.output
    r = runner.invoke(app, ["screen", "Faris Nadir", "--json", "--case-ref", "C-9"],
                      env=env(node))
    assert r.exit_code == 0 and json.loads(r.stdout)["hits"]
    (screen,) = node.audit.entries(event="screen")
    assert screen.case_ref == "C-9"
