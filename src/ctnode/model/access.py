"""Who acts, why, and the one table of what each role may do.

``PERMISSIONS`` is the only place that says who may do what; the access service
(``ctnode.services.access``) enforces it. Biometric actions are special-category
data: they are allowed to the roles in ``CTNODE_BIOMETRIC_ROLES`` and to keys flagged
``biometric``, whatever their role, and every refusal of one is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "analyst", "screener"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "screener")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an API key's name and role, the local operator on the CLI, or a peer."""

    name: str
    role: str
    key_id: str | None = None
    biometric: bool = False


@dataclass(frozen=True, slots=True)
class Purpose:
    """Why: the purpose and legal basis of a query and the case it belongs to."""

    purpose: str | None = None
    legal_basis: str | None = None
    case_ref: str | None = None

    @property
    def complete(self) -> bool:
        """Purpose, legal basis and case reference all given (needed across the network)."""
        return bool(self.has_basis and (self.case_ref or "").strip())

    @property
    def has_basis(self) -> bool:
        """Purpose and legal basis given (needed to touch biometric data)."""
        return bool((self.purpose or "").strip() and (self.legal_basis or "").strip())


NO_PURPOSE = Purpose()
SYSTEM = Actor(name="system", role="admin")  # the node itself (jobs, list deltas, expiry)


@dataclass(frozen=True, slots=True)
class Permission:
    """Who may do one action. ``biometric``: the roles come from the settings instead, and a
    key flagged biometric may too; ``what`` names the action in a refusal."""

    roles: frozenset[str] = frozenset()
    what: str = ""
    biometric: bool = False


_ALL = frozenset({"admin", "analyst", "screener"})
_ANALYSTS = frozenset({"admin", "analyst"})
_ADMIN = frozenset({"admin"})


def _bio(what: str) -> Permission:
    return Permission(what=what, biometric=True)


PERMISSIONS: dict[str, Permission] = {
    # lists and screening
    "screen": Permission(_ALL),
    "search": Permission(_ALL),
    "entity.view": Permission(_ANALYSTS),
    "decide": Permission(_ANALYSTS),
    "review": Permission(_ANALYSTS),
    "import": Permission(_ADMIN),
    "export": Permission(_ANALYSTS),
    "keys": Permission(_ADMIN),
    "audit": Permission(_ADMIN),
    # federation
    "federation.admin": Permission(_ADMIN),  # init, peers, agreements, alerts, checkpoints
    "federation.directory": Permission(_ALL),  # read the directory
    "federation.screen": Permission(_ALL),  # screen across the network
    "federation.disclosure": Permission(_ANALYSTS),  # request, approve, refuse disclosures
    "federation.inbox": Permission(_ANALYSTS),  # read alerts and list updates
    # content hashes (issue 16)
    "hashes.hash": Permission(_ALL),  # hash files on the node (content is never kept)
    "hashes.match": Permission(_ALL),  # match a hash or a file against the banks
    "hashes.view": Permission(_ANALYSTS),  # view banks and the hashes in them
    "hashes.edit": Permission(_ANALYSTS),  # add, remove (delist) and import hashes
    "hashes.export": Permission(_ANALYSTS),  # export a bank (TLP:RED never leaves)
    "hashes.review": Permission(_ANALYSTS),  # read hits and decide on them
    "hashes.banks": Permission(_ADMIN),  # create, change (enable, threshold), delete banks
    "hashes.exchange": Permission(_ADMIN),  # publish a bank to the peers subscribed to it
    # biometrics (special-category data)
    "biometric.enrol": _bio("enrol biometric data"),
    "biometric.import": _bio("import biometric data"),
    "biometric.export": _bio("export biometric data"),
    "biometric.view": _bio("view biometric data"),
    "biometric.search": _bio("search biometric data"),
    "biometric.purge": _bio("purge biometric data"),
    "biometric.delete": _bio("delete biometric data"),
    "biometric.network": _bio("send biometric queries to peers"),
    "biometric.disclosure.request": _bio("ask for the record behind a biometric hit"),
    "biometric.disclosure.decide": _bio("decide on a biometric disclosure"),
}


def allowed(actor: Actor, action: str, biometric_roles: frozenset[str] | set[str]) -> bool:
    """Whether ``actor`` may do ``action`` (unknown actions: nobody)."""
    perm = PERMISSIONS.get(action)
    if perm is None:
        return False
    if perm.biometric:
        return actor.role in biometric_roles or actor.biometric
    return actor.role in perm.roles
