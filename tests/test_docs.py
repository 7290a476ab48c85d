"""Tests keep the docs complete: every route, audit event and CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import typer.main
from typer._click.core import Command, Context  # Typer vendors its own click
from typer.core import TyperGroup

from ctnode.api.app import create_app
from ctnode.audit.events import EVENTS, EventName
from ctnode.cli.main import app as cli_app
from ctnode.node import Node

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _all_docs() -> str:
    return "\n".join(p.read_text() for p in DOCS.rglob("*.md"))


def test_every_route_is_documented(empty_node: Node) -> None:
    text = _all_docs()
    for path in create_app(empty_node).openapi()["paths"]:
        assert path in text, f"route {path} is not documented in docs/"


def test_every_audit_event_is_documented() -> None:
    text = _all_docs()
    for name in EVENTS:
        assert f"`{name}`" in text, f"audit event {name} is not documented in docs/"


def test_audit_events_written_by_the_code_are_registered() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "ctnode"
    used: set[str] = set()
    for path in src.rglob("*.py"):
        used.update(re.findall(r"""\.record\(\s*["']([a-z_.]+)["']""", path.read_text()))
    assert len(used) > 40, "the scan found too few audit calls: is the pattern stale?"
    missing = used - set(EVENTS)
    assert not missing, f"audit events written but not registered in audit/events.py: {missing}"


def test_the_event_type_lists_exactly_the_catalogue() -> None:
    assert set(get_args(EventName)) == set(EVENTS)


def _commands(group: Command, prefix: str = "ctnode") -> list[str]:
    out = [prefix]
    if isinstance(group, TyperGroup):
        ctx = Context(group)
        for name in group.list_commands(ctx):  # the top group loads its commands on look-up
            cmd = group.get_command(ctx, name)
            assert cmd is not None, name
            out.extend(_commands(cmd, f"{prefix} {name}"))
    return out


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands(typer.main.get_command(cli_app))
    assert len(commands) > 20 and "ctnode keys revoke" in commands
    for command in commands:
        if command.endswith(" screen name"):
            continue  # the default of `ctnode screen`
        assert f"`{command}" in text, f"{command} is not documented in docs/cli.md"


def test_the_security_mapping_names_tests_that_exist() -> None:
    """docs/security.md maps each finding of issue 13 to its tests (``path::name``, or
    ``::name`` for another test of the last path named in the cell): each must exist."""
    tests = DOCS.parent / "tests"
    text = (DOCS / "security.md").read_text()
    section = text.split("## How each control is proven", 1)[1].split("\n## ", 1)[0]
    named = 0
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| ---"):
            continue
        for cell in line.split(" | ")[1:]:
            path = None
            for ref in re.findall(r"`((?:[\w/]+\.py)?(?:::\w+)?)`", cell):
                file, _, name = ref.partition("::")
                if file:
                    path = (DOCS.parent / file if file.startswith("bench/")
                            else tests / file.replace("fed/", "federation/", 1))
                    assert path.is_file(), f"docs/security.md names {file}, not a file"
                if name:
                    assert path is not None, f"::{name} without a file before it"
                    assert re.search(rf"^def {name}\(", path.read_text(), re.M), (
                        f"docs/security.md names {path.name}::{name}, not a test there")
                    named += 1
    assert named > 40, named
