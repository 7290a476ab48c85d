"""The one permission table: every action the code checks is in it, and biometric actions
follow the settings and the key's flag, with every refusal audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ctnode.errors import Forbidden
from ctnode.model.access import BIOMETRIC_SCOPES, PERMISSIONS, Actor, Purpose, allowed
from ctnode.node import Node

SRC = Path(__file__).resolve().parents[2] / "src" / "ctnode"


def test_every_checked_action_is_in_the_table() -> None:
    checked: set[str] = set()
    for path in SRC.rglob("*.py"):
        checked |= set(re.findall(r"""require\(\s*\w+(?:\(\))?,\s*["']([a-z_.]+)["']""",
                                  path.read_text(encoding="utf-8")))
    assert len(checked) > 20, "the scan found too few checks: is the pattern stale?"
    assert checked - set(PERMISSIONS) == set()
    assert set(PERMISSIONS) - checked == set(), "actions nobody checks"


def test_roles() -> None:
    screener, analyst = Actor("s", "screener"), Actor("a", "analyst")
    assert allowed(screener, "screen", set()) and not allowed(screener, "entity.view", set())
    assert allowed(analyst, "entity.view", set()) and not allowed(analyst, "keys", set())
    assert not allowed(Actor("x", "admin"), "no.such.action", {"admin"})


def test_biometric_actions_follow_the_settings_and_the_key_flag(empty_node: Node) -> None:
    analyst = Actor("a", "analyst")
    assert not allowed(analyst, "biometric.search", {"admin"})
    assert allowed(analyst, "biometric.search", {"admin", "analyst"})
    assert allowed(Actor("f", "screener", biometric=True), "biometric.search", {"admin"})
    with pytest.raises(Forbidden, match=r"may not search biometric data: .*biometric .search. permission"):
        empty_node.context.require(analyst, "biometric.search")
    (denied,) = empty_node.audit.entries(event="biometric.denied")
    assert denied.detail == {"action": "search biometric data", "role": "analyst",
                             "permission": "search"}
    with pytest.raises(Forbidden, match="role 'analyst' may not keys"):
        empty_node.context.require(analyst, "keys")
    assert len(list(empty_node.audit.entries(event="biometric.denied"))) == 1


def test_purpose_completeness() -> None:
    assert Purpose("p", "l", "c").complete and not Purpose("p", "l", " ").complete
    assert Purpose("p", "l").has_basis and not Purpose("p", " ").has_basis


def test_biometric_permissions_are_separate() -> None:
    """Search, image view, export and delete/purge are four permissions, not one."""
    scope = {a: p.scope for a, p in PERMISSIONS.items() if p.biometric}
    assert scope["biometric.search"] == "search" and scope["biometric.view"] == "view"
    assert scope["biometric.export"] == "export"
    assert scope["biometric.delete"] == scope["biometric.purge"] == "delete"
    assert set(scope.values()) == set(BIOMETRIC_SCOPES)
    searcher = Actor("k", "analyst", biometric_scopes=frozenset({"search"}))
    assert allowed(searcher, "biometric.search", {"admin"})
    assert allowed(searcher, "biometric.network", {"admin"})
    for action in ("biometric.view", "biometric.export", "biometric.delete", "biometric.purge",
                   "biometric.enrol"):
        assert not allowed(searcher, action, {"admin"}), action
    # a role given some scopes by the settings
    analyst = Actor("a", "analyst")
    roles = {"analyst": ["search", "view"]}
    assert allowed(analyst, "biometric.view", {"admin"}, roles)
    assert not allowed(analyst, "biometric.export", {"admin"}, roles)
    # the old flag and the roles of CTNODE_BIOMETRIC_ROLES hold every scope
    assert Actor("f", "screener", biometric=True).scopes == frozenset(BIOMETRIC_SCOPES)
    assert all(allowed(Actor("x", "admin"), a, {"admin"}) for a in scope)
