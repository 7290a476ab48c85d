"""Who acts, why, and the one table of what each role may do.

``PERMISSIONS`` is the only place that says who may do what; the access service
(``ctnode.services.access``) enforces it. Biometric actions are special-category
data, in five separate permissions (``BIOMETRIC_SCOPES``): ``enrol`` (enrol, import),
``search`` (1:N search, network queries, asking for a hit's record), ``view`` (records
and images), ``export`` (ANSI/NIST exports, deciding a biometric disclosure) and
``delete`` (delete, purge). A scope is held by the roles in ``CTNODE_BIOMETRIC_ROLES``
(all five), by the roles ``CTNODE_BIOMETRIC_ROLE_SCOPES`` names it for, and by keys
made with it (``ctnode keys create --biometric-scope search``; a key made with
``--biometric`` holds all five); every refusal of one is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    biometric: bool = False  # every biometric scope (a key made with --biometric)
    biometric_scopes: frozenset[str] = frozenset()  # the scopes of a key made with some of them

    @property
    def scopes(self) -> frozenset[str]:
        """The biometric permissions this actor holds itself (roles may add more)."""
        return frozenset(BIOMETRIC_SCOPES) if self.biometric else self.biometric_scopes


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


BIOMETRIC_SCOPES: tuple[str, ...] = ("enrol", "search", "view", "export", "delete")


@dataclass(frozen=True, slots=True)
class Permission:
    """Who may do one action. ``biometric``: the biometric permission ``scope`` decides (from
    the settings' roles and the key's scopes) instead of ``roles``; ``what`` names the action
    in a refusal."""

    roles: frozenset[str] = frozenset()
    what: str = ""
    biometric: bool = False
    scope: str = ""


_ALL = frozenset({"admin", "analyst", "screener"})
_ANALYSTS = frozenset({"admin", "analyst"})
_ADMIN = frozenset({"admin"})


def _bio(scope: str, what: str) -> Permission:
    assert scope in BIOMETRIC_SCOPES
    return Permission(what=what, biometric=True, scope=scope)


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
    "users": Permission(_ADMIN),  # console accounts: create, reset, unlock, others' sessions
    # monitoring (subjects under watch, re-screened when a list changes)
    "watch.add": Permission(_ANALYSTS),  # put subjects under watch (one, a file, travellers)
    "watch.list": Permission(_ANALYSTS),  # read watched subjects (their names: audited)
    "watch.remove": Permission(_ANALYSTS),
    "watch.alerts": Permission(_ANALYSTS),  # read and acknowledge one's own alerts
    "watch.admin": Permission(_ADMIN),  # every owner's subjects and alerts; a full re-screen
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
    # threat intelligence (STIX 2.1 / TAXII 2.1 / MISP)
    "intel.read": Permission(_ANALYSTS),  # read collections and objects (console, API, TAXII)
    "intel.write": Permission(_ANALYSTS),  # import files and MISP events, TAXII POST
    "intel.admin": Permission(_ADMIN),  # collections, pull sources, pulls, deleting objects
    # best-practice library
    "library.read": Permission(_ALL),  # search and read documents
    "library.write": Permission(_ANALYSTS),  # add and withdraw documents
    "hashes.exchange": Permission(_ADMIN),  # publish a bank to the peers subscribed to it
    "hashes.forensics": Permission(_ADMIN),  # keep content in, list and open the forensics store
    # biometrics (special-category data)
    "biometric.enrol": _bio("enrol", "enrol biometric data"),
    "biometric.import": _bio("enrol", "import biometric data"),
    "biometric.search": _bio("search", "search biometric data"),
    "biometric.network": _bio("search", "send biometric queries to peers"),
    "biometric.disclosure.request": _bio("search", "ask for the record behind a biometric hit"),
    "biometric.view": _bio("view", "view biometric data"),
    "biometric.export": _bio("export", "export biometric data"),
    "biometric.disclosure.decide": _bio("export", "decide on a biometric disclosure"),
    "biometric.delete": _bio("delete", "delete biometric data"),
    "biometric.purge": _bio("delete", "purge biometric data"),
}


def allowed(
    actor: Actor,
    action: str,
    biometric_roles: frozenset[str] | set[str],
    role_scopes: Mapping[str, Sequence[str]] | None = None,
) -> bool:
    """Whether ``actor`` may do ``action`` (unknown actions: nobody).

    A biometric action needs its scope: held by every role in ``biometric_roles``, by
    the roles ``role_scopes`` gives it to, and by the actor's own key scopes.
    """
    perm = PERMISSIONS.get(action)
    if perm is None:
        return False
    if perm.biometric:
        return (
            actor.role in biometric_roles
            or perm.scope in actor.scopes
            or perm.scope in (role_scopes or {}).get(actor.role, ())
        )
    return actor.role in perm.roles
