"""The ``ctnode`` command line, run in-process with the node's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctnode.cli.main import app
from ctnode.node import Node

runner = CliRunner()


@pytest.fixture
def env(node_with_un: Node) -> dict[str, str]:
    return {
        "CTNODE_DATA_DIR": str(node_with_un.settings.data_dir),
        "CTNODE_DATABASE_URL": node_with_un.settings.store_url,
        "CTNODE_MODE": "development",
    }


@pytest.fixture
def demo_env(node: Node) -> dict[str, str]:
    """The environment of a node holding the demo list (tests that need no real record)."""
    return {"CTNODE_DATA_DIR": str(node.settings.data_dir),
            "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}


def test_help_explains_every_command() -> None:
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("up", "serve", "import", "export", "screen", "decide", "review", "keys", "audit"):
        assert cmd in r.output
    r = runner.invoke(app, ["screen", "--help"])
    assert r.exit_code == 0 and "batch" in r.output


def test_screen_json(env: dict[str, str]) -> None:
    r = runner.invoke(
        app, ["screen", "AL-ZAWAHIRI, Aiman", "--birth-date", "1951", "--json"], env=env
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    top = data["hits"][0]
    assert top["reference"] == "QDi.006" and top["band"] in {"match", "possible"}
    assert top["explanation"]


def test_screen_table_and_bad_date(env: dict[str, str]) -> None:
    r = runner.invoke(app, ["screen", "Aiman al-Zawahiri"], env=env)
    assert r.exit_code == 0 and "QDi.006" in r.stdout
    # A malformed date never drops the query: it is screened without it, with a warning.
    r = runner.invoke(app, ["screen", "Aiman al-Zawahiri", "--birth-date", "1974-01-32"], env=env)
    assert r.exit_code == 0 and "QDi.006" in r.stdout, r.output
    text = " ".join(r.stdout.split())
    assert "warning: --birth-date: birth date '1974-01-32'" in text
    assert "ignored for matching" in text
    r = runner.invoke(app, ["screen", "Aiman al-Zawahiri", "--birth-date", "1968-13-30", "--json"],
                      env=env)
    data = json.loads(r.stdout)
    assert data["hits"][0]["reference"] == "QDi.006" and len(data["warnings"]) == 1
    assert [c["list"] for c in data["coverage"]["lists"]] == ["un_sc"]


def test_batch_skips_bad_lines_and_goes_on(env: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "id": 1,
                        "schema": "Person",
                        "name": "Ayman al-Zawahiri",
                        "birthDate": "1951-06-19",
                    }
                ),
                "{not json",
                json.dumps({"id": 3, "name": ""}),
                json.dumps({"id": 4, "schema": "Person", "name": "Jonathan Quigley-Smithers"}),
                json.dumps(
                    {
                        "id": 5,
                        "schema": "Organization",
                        "name": "Al-Nusrah Front for the People of the Levant",
                    }
                ),
            ]
        )
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["screen", "--batch", str(src), "--out", str(out)], env=env)
    assert r.exit_code == 0, r.output
    assert "line 2" in r.output and "line 3" in r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [row["id"] for row in rows] == [1, 4, 5]
    assert rows[0]["hits"][0]["reference"] == "QDi.006"
    assert set(rows[0]["hits"][0]) == {
        "entity_id",
        "list",
        "reference",
        "name",
        "score",
        "band",
        "explanation",
        "suppressed",
    }
    assert rows[1]["hits"] == [] and rows[1]["suppressed"] == []
    assert rows[1]["coverage"]["lists"][0].startswith("un_sc@")


def test_keys_and_audit_commands(demo_env: dict[str, str]) -> None:
    env = demo_env
    r = runner.invoke(app, ["keys", "create", "border-desk", "--role", "screener"], env=env)
    assert r.exit_code == 0 and r.stdout.strip().startswith("ctn_")
    key_id = r.stdout.strip().split("_")[1]
    r = runner.invoke(app, ["keys", "list", "--json"], env=env)
    assert any(k["id"] == key_id for k in json.loads(r.stdout))
    line = [x for x in runner.invoke(app, ["keys", "list"], env=env).stdout.splitlines()
            if key_id in x]
    assert len(line) == 1 and "never used" in line[0]
    assert runner.invoke(app, ["keys", "revoke", key_id], env=env).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", key_id], env=env).exit_code == 1
    r = runner.invoke(app, ["audit", "verify"], env=env)
    assert r.exit_code == 0 and "OK" in r.stdout
    r = runner.invoke(app, ["audit", "list", "--json"], env=env)
    events = [e["event"] for e in json.loads(r.stdout)]
    assert "key.create" in events and "key.revoke" in events


def test_keys_list_shows_when_each_key_was_last_used(demo_env: dict[str, str],
                                                     node: Node) -> None:
    env = {**demo_env, "COLUMNS": "200"}  # one line a key (a narrow terminal wraps it)
    token = runner.invoke(app, ["keys", "create", "gate-7", "--role", "screener"],
                          env=env).stdout.strip()
    key_id = token.split("_")[1]
    node.access.authenticate(token)
    line = [x for x in runner.invoke(app, ["keys", "list"], env=env).stdout.splitlines()
            if key_id in x]
    assert len(line) == 1 and "last used 20" in line[0] and "UTC" in line[0]
    used = [k for k in json.loads(runner.invoke(app, ["keys", "list", "--json"], env=env).stdout)
            if k["id"] == key_id]
    assert used[0]["last_used_at"]


def test_each_command_takes_its_own_terminal_width(demo_env: dict[str, str]) -> None:
    # rich reads COLUMNS when a console is made; this process runs several commands, and each
    # must print for its own terminal, not the first command's (a narrow one wraps the row)
    narrow, wide = {**demo_env, "COLUMNS": "40"}, {**demo_env, "COLUMNS": "200"}
    token = runner.invoke(app, ["keys", "create", "gate-7", "--role", "screener"],
                          env=narrow).stdout.strip()
    key_id = token.split("_")[1]

    def rows(env: dict[str, str]) -> list[str]:
        return runner.invoke(app, ["keys", "list"], env=env).stdout.splitlines()

    def one_line(env: dict[str, str]) -> bool:
        lines = rows(env)
        assert max(map(len, lines)) <= int(env["COLUMNS"])
        (line,) = [x for x in lines if key_id in x]
        return "never used" in line

    for terminal, whole in ((wide, True), (narrow, False), (wide, True), (narrow, False)):
        assert one_line(terminal) is whole


def test_export_import_ftm_round_trip(
    env: dict[str, str], tmp_path: Path, node_with_un: Node
) -> None:
    out = tmp_path / "un.ftm.jsonl"
    r = runner.invoke(app, ["export", "ftm", "--out", str(out)], env=env)
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    assert len(lines) == 1009
    first = json.loads(lines[0])
    assert {"id", "schema", "properties"} <= set(first)
    r = runner.invoke(app, ["import", "ftm", str(out), "--dataset", "un_copy", "--json"], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["added"] == 1009


def test_import_reports_missing_file(demo_env: dict[str, str]) -> None:
    env = demo_env
    r = runner.invoke(app, ["import", "un-sc", "/nonexistent/list.xml"], env=env)
    assert r.exit_code == 1 and "/nonexistent/list.xml" in r.output


def test_users_create_prints_a_one_time_password_or_reads_one(demo_env: dict[str, str],
                                                              node: Node) -> None:
    r = runner.invoke(app, ["users", "create", "ana", "--role", "admin", "--name", "Ana"],
                      env=demo_env)
    assert r.exit_code == 0, r.output
    one_time = r.stdout.strip().splitlines()[-1]
    assert len(one_time) >= 12
    first = node.users.sign_in("ana", one_time)
    assert first.user["role"] == "admin" and first.user["must_change_password"]
    r = runner.invoke(app, ["users", "create", "bo", "--password-stdin"], env=demo_env,
                      input="a long enough secret\n")
    assert r.exit_code == 0 and "one-time password" not in r.output
    assert node.users.sign_in("bo", "a long enough secret").user["role"] == "analyst"
    made = [e for e in node.audit.entries(event="user.create")]
    assert len(made) == 2 and all(e.actor.startswith("cli:") for e in made)
