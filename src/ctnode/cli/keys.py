"""``ctnode keys ...``: API keys (roles: admin, analyst, screener)."""

from __future__ import annotations

from typing import Annotated

import typer

from ctnode.cli.common import console, node_session, operator, out, print_json

keys_app = typer.Typer(
    help="Manage API keys (roles: admin, analyst, screener).", no_args_is_help=True
)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for")],
    role: Annotated[str, typer.Option(help="admin, analyst or screener")] = "screener",
    biometric: Annotated[
        bool, typer.Option(help="Every biometric permission (enrol, search, view, export, delete)")
    ] = False,
    biometric_scope: Annotated[
        list[str] | None,
        typer.Option(
            "--biometric-scope",
            help="One biometric permission (repeat for more): enrol, search, view, export, delete",
        ),
    ] = None,
) -> None:
    """Create an API key; the token is printed once."""
    with node_session() as node:
        token = node.access.create_key(operator(), name=name, role=role, biometric=biometric,
                                       biometric_scopes=biometric_scope or [])
    console.print("new API key (shown once; store it safely):")
    out.print(token)


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List API keys (never their secrets)."""
    with node_session() as node:
        keys = node.access.list_keys(operator())
    if as_json:
        print_json(keys)
        return
    for k in keys:
        state = f"revoked {k['revoked_at']:%Y-%m-%d}" if k["revoked_at"] else "active"
        used = k.get("last_used_at")
        last = f"last used {used:%Y-%m-%d %H:%M} UTC" if used else "never used"
        out.print(f"{k['id']}  {k['name']:<24} {k['role']:<9} {state:<18} {last}")


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (from `keys list`)")],
) -> None:
    """Revoke an API key at once."""
    with node_session() as node:
        node.access.revoke_key(operator(), key_id)
    out.print(f"revoked {key_id}")
