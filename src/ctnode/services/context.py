"""What every service is given: the settings, the store, the audit log, the keyed hash, and
the one permission check. Never the node: a service sees only what it needs.

``node.py`` builds one ``Context`` and hands it to every service it builds.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from ctnode.audit.chain import canonical_json, canonical_text_json
from ctnode.audit.log import AuditLog
from ctnode.errors import Forbidden
from ctnode.model.access import PERMISSIONS, Actor, allowed
from ctnode.settings import Settings
from ctnode.store.contracts import Store


def load_secret(path: Path, size: int = 32) -> bytes:
    """A node-local random secret in a file (made on first use, owner-only permissions).

    Processes starting together on a new data folder (a server and a command) agree on one
    secret: each writes its candidate to a file of its own and links it into place, which
    fails when another got there first; the loser then reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp: created 0600
                fh.write(secrets.token_bytes(size))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)  # atomic; never replaces an existing secret
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return path.read_bytes()


class Context:
    """The narrow context of the services of one node."""

    def __init__(self, settings: Settings, store: Store, audit: AuditLog, hash_key: bytes) -> None:
        self.settings = settings
        self.store = store
        self.audit = audit
        self._hash_key = hash_key

    def keyed_hash(self, value: Any) -> str:
        """HMAC-SHA256 of canonical JSON with the node's secret: audit holds no recoverable data."""
        return hmac.new(self._hash_key, canonical_json(value).encode(), hashlib.sha256).hexdigest()

    def keyed_text_hash(self, value: dict[str, str | list[str]]) -> str:
        """``keyed_hash(value)`` (the same hash) of an object of strings and lists of strings,
        its canonical JSON written faster (:func:`canonical_text_json`)."""
        return hmac.new(self._hash_key, canonical_text_json(value), hashlib.sha256).hexdigest()

    def require(self, actor: Actor, action: str) -> None:
        """Refuse ``actor`` what ``ctnode.model.access.PERMISSIONS`` does not allow it; a refused
        biometric action is audited (special-category data)."""
        settings = self.settings
        if allowed(actor, action, set(settings.biometric_roles), settings.biometric_role_scopes):
            return
        perm = PERMISSIONS.get(action)
        if perm is not None and perm.biometric:
            self.audit.record("biometric.denied", actor,
                              detail={"action": perm.what, "role": actor.role,
                                      "permission": perm.scope})
            raise Forbidden(f"role {actor.role!r} may not {perm.what}: it needs the biometric "
                            f"{perm.scope!r} permission")
        raise Forbidden(f"role {actor.role!r} may not {action}")
