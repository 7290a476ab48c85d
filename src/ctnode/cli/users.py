"""``ctnode users ...``: the console's people (roles: admin, analyst, screener).

The first admin of the console is made here: ``ctnode users create NAME --role admin``
prints a one-time password (or reads one with ``--password-stdin``) that must be changed
at the first sign-in.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ctnode.cli.common import console, node_session, operator, out, print_json

users_app = typer.Typer(
    help="Manage the console's accounts (sign-in at http://HOST:PORT/).", no_args_is_help=True
)


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Sign-in name: a-z, 0-9, '.', '_', '-'")],
    role: Annotated[str, typer.Option(help="admin, analyst or screener")] = "analyst",
    name: Annotated[str, typer.Option(help="The person's name as shown in the console")] = "",
    biometric_scope: Annotated[
        list[str] | None,
        typer.Option("--biometric-scope",
                     help="One biometric permission (repeat for more): enrol, search, view, "
                          "export, delete"),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin",
                           help="Read the first password from standard input instead of making "
                                "a one-time password")
    ] = False,
) -> None:
    """Create an account; prints a one-time password, to be changed at first sign-in."""
    given = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with node_session() as node:
        user_id, password = node.users.create(operator(), username=username, role=role,
                                              display_name=name, password=given,
                                              biometric_scopes=biometric_scope or [])
    console.print(f"created {role} {username.strip().lower()} ({user_id})")
    if given is None:
        console.print("one-time password (shown once; the person changes it at first sign-in):")
        out.print(password)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List accounts (never their passwords), with throttles."""
    with node_session() as node:
        users = node.users.list_users(operator())
    if as_json:
        print_json(users)
        return
    for u in users:
        state = "disabled" if u["disabled_at"] else (
            f"throttled until {u['locked_until']:%H:%M} UTC" if u["locked_until"] else "active")
        out.print(f"{u['username']:<24} {u['role']:<9} {state}")


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument()]) -> None:
    """Lift the throttle of an account after failed sign-ins (it lapses by itself too)."""
    with node_session() as node:
        node.users.unlock(operator(), node.users.find(operator(), username)["id"])
    console.print(f"{username}: unlocked")


@users_app.command("reset-password")
def users_reset_password(username: Annotated[str, typer.Argument()]) -> None:
    """Give an account a new one-time password and end its sessions."""
    with node_session() as node:
        password = node.users.reset_password(operator(),
                                             node.users.find(operator(), username)["id"])
    console.print(f"{username}: new one-time password (shown once; every session ended):")
    out.print(password)


@users_app.command("revoke-sessions")
def users_revoke_sessions(username: Annotated[str, typer.Argument()]) -> None:
    """End every console session of an account at once."""
    with node_session() as node:
        n = node.users.revoke_session(operator(), node.users.find(operator(), username)["id"])
    console.print(f"{username}: {n} session(s) ended")
