"""Access: who is calling (an API key's actor) and the keys themselves.

What each role may do is ``ctnode.model.access.PERMISSIONS``; ``Context.require``
enforces it for every service.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import datetime, timedelta
from typing import Any

from ctnode.clock import utcnow
from ctnode.errors import InvalidInput, Unauthorized
from ctnode.model.access import BIOMETRIC_SCOPES, ROLES, Actor
from ctnode.services.access_tokens import hash_secret, new_token, secret_matches, split_token
from ctnode.services.context import Context

ANONYMOUS = Actor(name="anonymous", role="none")

# A setting whose name says it holds (or points at) a secret is shown only as set / not set;
# the store's URL too (it may carry a password).
# A key's ``last_used_at`` is written at most once in this span (not on every request).
LAST_USED_EVERY = timedelta(minutes=1)

SECRET_SETTING = re.compile(r"key|secret|password|token|credential|private|database_url", re.I)


def local_actor() -> Actor:
    """The operator at the node's console (the CLI has the store's own credentials)."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "operator"
    return Actor(name=f"cli:{user}", role="admin")


class Access:
    """API keys and authentication for one node."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.keys = ctx.store.keys
        # key id -> when this process last wrote (or found) its last use: no store write
        # for the other requests of that minute
        self._used: dict[str, datetime] = {}
        self._used_lock = threading.Lock()

    def create_key(self, actor: Actor, *, name: str, role: str, biometric: bool = False,
                   biometric_scopes: list[str] | None = None) -> str:
        """Create an API key; returns the token, shown once and never stored in clear.

        ``biometric``: every biometric permission; ``biometric_scopes``: only those named
        (``model.access.BIOMETRIC_SCOPES``: enrol, search, view, export, delete).
        """
        self.ctx.require(actor, "keys")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        if not name.strip() or len(name) > 128:
            raise InvalidInput("a key needs a name of 1 to 128 characters")
        scopes = sorted(set(biometric_scopes or []))
        unknown = [s for s in scopes if s not in BIOMETRIC_SCOPES]
        if unknown:
            raise InvalidInput(f"unknown biometric permission {unknown[0]!r}: use "
                               f"{', '.join(BIOMETRIC_SCOPES)}")
        key_id, secret, token = new_token()
        self._add(actor, key_id, secret, name=name.strip(), role=role, biometric=biometric,
                  biometric_scopes=scopes or None)
        return token

    def _add(self, actor: Actor, key_id: str, secret: str, **fields: Any) -> None:
        with self.ctx.store.begin() as conn:
            self.keys.add_key(conn, {"id": key_id, **fields, "secret_hash": hash_secret(secret),
                                     "created_by": actor.name})
            self.ctx.audit.record("key.create", actor, conn=conn, detail={"key_id": key_id, **fields})

    def ensure_bootstrap_key(self, token: str) -> None:
        """Install CTNODE_BOOTSTRAP_ADMIN_KEY (a ctn_<id>_<secret> token) if not present."""
        key_id, secret = split_token(token)
        if self.keys.get_key(key_id) is None:
            self._add(Actor(name="settings", role="admin"), key_id, secret,
                      name="bootstrap-admin", role="admin", biometric=False)

    def list_keys(self, actor: Actor) -> list[dict[str, Any]]:
        self.ctx.require(actor, "keys")
        return self.keys.list_keys()

    def node_settings(self, actor: Actor) -> list[tuple[str, str, bool]]:
        """The node's settings for an admin to read: ``(name, value, redacted)``; a secret-like
        setting's value is ``"set"`` or ``"not set"``, never the value itself."""
        self.ctx.require(actor, "keys")
        shown: list[tuple[str, str, bool]] = []
        for name, value in sorted(self.ctx.settings.model_dump().items()):
            if SECRET_SETTING.search(name):
                shown.append((name, "set" if value not in (None, "", [], {}) else "not set", True))
            else:
                shown.append((name, str(value), False))
        return shown

    def has_keys(self) -> bool:
        """Whether any key was ever made (the first start makes one)."""
        return bool(self.keys.list_keys())

    def revoke_key(self, actor: Actor, key_id: str) -> None:
        self.ctx.require(actor, "keys")
        with self.ctx.store.begin() as conn:
            self.keys.revoke_key(conn, key_id)
            self.ctx.audit.record("key.revoke", actor, conn=conn, detail={"key_id": key_id})

    def authenticate(self, token: str | None, *, source: str = "local") -> Actor:
        """The actor a token stands for; ``Unauthorized`` (audited) for missing, unknown or
        revoked keys. The first refusal a minute per (source, key id) is its own audit entry,
        repeats are counted (``AuditLog.refusals``): a stranger cannot grow the log at will."""
        try:
            return self._authenticate(token)
        except Unauthorized as exc:
            key_id = token.split("_")[1] if token and token.count("_") >= 2 else None
            key_id = "".join(c for c in key_id[:40] if c.isascii() and c.isalnum()) if key_id \
                else None
            self.ctx.audit.refusals.refused(
                "auth.denied",
                source=source,
                reason="no_key" if not token else "bad_key",
                claimed=f"key:{key_id}" if key_id else "key:?",
                actor=ANONYMOUS,
                detail={"key_id": key_id, "message": exc.message[:200]},
            )
            raise

    def _authenticate(self, token: str | None) -> Actor:
        if not token:
            raise Unauthorized(
                "an API key is required (header X-API-Key or Authorization: ApiKey ...)"
            )
        try:
            key_id, secret = split_token(token)
        except InvalidInput as exc:
            raise Unauthorized(exc.message) from None
        row = self.keys.get_key(key_id)
        if (
            row is None
            or row["revoked_at"] is not None
            or not secret_matches(secret, row["secret_hash"])
        ):
            raise Unauthorized("unknown or revoked API key")
        self._note_use(key_id)
        return Actor(name=f"key:{row['name']}", role=row["role"], key_id=key_id,
                     biometric=bool(row["biometric"]),
                     biometric_scopes=frozenset(row.get("biometric_scopes") or ()))

    def _note_use(self, key_id: str) -> None:
        """Keep the key's last use to the minute: one short write a minute a key at most
        (the store's own condition holds it across several node processes too)."""
        now = utcnow()
        with self._used_lock:
            last = self._used.get(key_id)
            if last is not None and now - last < LAST_USED_EVERY:
                return
            self._used[key_id] = now
            if len(self._used) > 10_000:  # bounded: forget the oldest half
                for old in sorted(self._used, key=self._used.__getitem__)[:5_000]:
                    del self._used[old]
        self.keys.touch_key(key_id, now, now - LAST_USED_EVERY)
