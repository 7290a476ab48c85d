"""The command line as scripts and people meet it: one-line errors whatever the terminal,
valid JSON when piped, outputs that never overwrite inputs, clear errors for paths that
cannot be written, options in ``--help``, ``--version``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctnode import __version__
from ctnode.cli.biometrics import _print_json
from ctnode.cli.main import app
from ctnode.node import Node
from tests.conftest import PAYMENT_FIXTURES, TRAVEL_FIXTURES

runner = CliRunner()
LONG = "/no/such/folder/" + "/".join(["a-rather-long-folder-name"] * 8) + "/manifest.edi"


def env(node: Node) -> dict[str, str]:
    return {"CTNODE_DATA_DIR": str(node.settings.data_dir),
            "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error (")]


def test_errors_are_one_line_when_piped(tmp_path: Path) -> None:
    base = {"CTNODE_DATA_DIR": str(tmp_path), "CTNODE_MODE": "development", "COLUMNS": "40"}
    r = runner.invoke(app, ["screen", "manifest", LONG], env=base)
    # where there is no node, that is the one line said (read-only commands create nothing)
    assert r.exit_code == 1 and _error_lines(r.output) == [
        f"error (no_store): no node data here (looked in {tmp_path / 'ctnode.db'}); set "
        "CTNODE_DATA_DIR to the node's data folder (or CTNODE_DATABASE_URL), or set up a node "
        "with `ctnode up` or `ctnode import`"]
    assert runner.invoke(app, ["db", "upgrade"], env=base).exit_code == 0
    r = runner.invoke(app, ["screen", "manifest", LONG], env=base)
    assert r.exit_code == 1
    (line,) = _error_lines(r.output)
    assert line == f"error (invalid_input): {LONG}: no such file"
    odd = str(tmp_path / "[red]x[/red].edi")  # brackets are shown, never read as markup
    r = runner.invoke(app, ["screen", "payments", odd], env=base)
    assert _error_lines(r.output) == [f"error (invalid_input): {odd}: no such file"]


def test_configuration_errors_are_one_line(tmp_path: Path) -> None:
    r = runner.invoke(app, ["datasets"], env={"CTNODE_DATA_DIR": str(tmp_path),
                                              "CTNODE_HOST": "0.0.0.0", "CTNODE_MODE": "production"})
    assert r.exit_code == 2
    (line,) = [x for x in r.output.splitlines() if x.strip()]
    assert line.startswith("configuration error: ") and "0.0.0.0" in line


def test_json_is_valid_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    # what `ctnode biometrics search --json` prints: long explanations once broke at 80 columns
    value = {"explanation": "cosine similarity of the SFace templates " * 6,
             "note": ":warning: [bold]kept as written[/bold]"}
    _print_json(value)
    assert json.loads(capsys.readouterr().out) == value


def test_screen_json_is_valid_when_piped(node: Node) -> None:
    name = "Arslan Timurovich Vedenov " * 6
    r = runner.invoke(app, ["screen", name, "--json"], env=env(node))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["query"] == name


def test_output_never_overwrites_the_input(node: Node, tmp_path: Path) -> None:
    batch = tmp_path / "subjects.jsonl"
    batch.write_text('{"id": "1", "name": "Arslan Vedenov"}\n', encoding="utf-8")
    before = batch.read_bytes()
    for out in (str(batch), str(tmp_path / "." / "subjects.jsonl")):
        r = runner.invoke(app, ["screen", "--batch", str(batch), "--out", out], env=env(node))
        assert r.exit_code == 1
        assert "would overwrite the input" in r.output and "Traceback" not in r.output
        assert batch.read_bytes() == before
    manifest = tmp_path / "m.edi"
    manifest.write_bytes((TRAVEL_FIXTURES / "paxlst_edge_cases.edi").read_bytes())
    r = runner.invoke(app, ["screen", "manifest", str(manifest), "-f", "csv", "-o",
                            str(manifest)], env=env(node))
    assert r.exit_code == 1 and "would overwrite the input" in r.output
    assert manifest.read_bytes() == (TRAVEL_FIXTURES / "paxlst_edge_cases.edi").read_bytes()
    payment = PAYMENT_FIXTURES / "mt103_short_names.fin"
    r = runner.invoke(app, ["screen", "payments", str(payment), "-o", str(payment)],
                      env=env(node))
    assert r.exit_code == 1 and "would overwrite the input" in r.output


def test_unwritable_or_missing_output_folders_are_clear_errors(node: Node,
                                                                tmp_path: Path) -> None:
    batch = tmp_path / "subjects.jsonl"
    batch.write_text('{"id": "1", "name": "Arslan Vedenov"}\n', encoding="utf-8")
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    cases = [
        (["screen", "--batch", str(batch), "--out", str(tmp_path / "missing" / "o.jsonl")],
         "does not exist"),
        (["screen", "manifest", str(TRAVEL_FIXTURES / "paxlst_edge_cases.edi"), "-o",
          str(a_file / "report.txt")], "is not a folder"),
        (["screen", "payments", str(PAYMENT_FIXTURES / "mt103_short_names.fin"), "-o",
          str(tmp_path)], "is a folder"),
        (["audit", "export", "-o", str(tmp_path / "nope" / "audit.jsonl")], "does not exist"),
        (["export", "ftm", "-o", str(tmp_path / "nope" / "lists.jsonl")], "does not exist"),
    ]
    for args, why in cases:
        r = runner.invoke(app, args, env=env(node))
        assert r.exit_code == 1, (args, r.output)
        (line,) = _error_lines(r.output)
        assert why in line and "Traceback" not in r.output, (args, r.output)


def test_screen_help_shows_the_options_of_a_name_screen() -> None:
    r = runner.invoke(app, ["screen", "--help"], env={"COLUMNS": "120"})
    assert r.exit_code == 0
    for option in ("--birth-date", "--nationality", "--document", "--batch", "--out", "--json",
                   "--network", "--purpose", "--legal-basis", "--case"):
        assert option in r.output, option
    assert "manifest" in r.output and "payments" in r.output


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.startswith(f"ctnode {__version__} (Python 3.")
