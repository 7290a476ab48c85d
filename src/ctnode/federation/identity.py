"""A node's identity: its Ed25519 key pair and its signed descriptor.

The private key is a 32-byte seed in ``DATA_DIR/federation/node.key`` with
owner-only permissions (0600); it never leaves the node. The descriptor (node id,
organisation, country, coordinator contact, endpoint, public key) is signed with
that key so a partner can check it was not altered on its way.

A key can change (issue 13): ``Identity.rotate`` makes a new key pair and a *key change*
certificate, the new descriptor signed by the old key and the new one
(``KeyChange``); the certificates are kept, public only, in ``key-changes.json`` and
travel with every envelope this node sends, so that each peer can follow the chain from
the key it registered to the one in use. A change of kind ``revoke`` also says that the
old key is compromised: peers refuse anything signed with it from then on.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ctnode.audit.chain import canonical_json
from ctnode.clock import format_ts, utcnow
from ctnode.errors import InvalidInput
from ctnode.model.countries import BODIES, node_country

# What a node says about itself in its profile and descriptor (besides its key).
PROFILE_FIELDS = ("node_id", "organisation", "country", "contact", "endpoint")
NODE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise InvalidInput("not valid base64") from None


def sign_payload(key: SigningKey, payload: dict[str, Any]) -> str:
    """Ed25519 signature (base64) over the canonical JSON of ``payload``."""
    return b64(key.sign(canonical_json(payload).encode()).signature)


def verify_payload(public_key: str, payload: dict[str, Any], signature: str) -> bool:
    """True when ``signature`` is ``public_key``'s signature over ``payload``'s canonical JSON."""
    try:
        VerifyKey(unb64(public_key)).verify(canonical_json(payload).encode(), unb64(signature))
    except (BadSignatureError, InvalidInput, ValueError, TypeError):
        return False
    return True


def check_endpoint(endpoint: str, *, development: bool) -> str:
    """An endpoint URL peers may be reached at.

    https always; plain http only to a loopback host, or anywhere in development mode.
    """
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(f"endpoint {endpoint!r} must be an http(s) URL with a host")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS and not development:
        raise InvalidInput(
            f"endpoint {endpoint!r}: plain http to a non-loopback host is refused outside "
            "development mode; use https"
        )
    return endpoint.strip().rstrip("/")


def check_country(country: str) -> str:
    """A node's country: ISO 3166-1 alpha-2 or a regional/international body's code."""
    code = node_country(country)
    if code is None:
        raise InvalidInput(
            f"country {country[:20]!r} is not an ISO 3166-1 alpha-2 code nor one of the bodies "
            f"{', '.join(sorted(BODIES))} (docs/federation.md)")
    return code


def check_node_id(node_id: str) -> str:
    if not NODE_ID.match(node_id):
        raise InvalidInput("a node id is 2-63 characters: lower-case letters, digits, . _ -")
    return node_id


KEY_CHANGE_KINDS = ("rotate", "revoke")
# Key change certificates an envelope carries (the newest ones): a peer that missed more
# changes than this must be re-added from a descriptor.
KEY_CHANGES_CARRIED = 3


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A node's key changed: the new descriptor, signed by the old key and by the new one.

    ``kind`` is ``rotate`` (planned) or ``revoke`` (the old key is compromised: peers
    refuse it from then on). Self-authenticating: whoever trusted the old key can check it.
    """

    kind: str
    node_id: str
    old_key: str
    new_key: str
    at: str
    reason: str
    descriptor: dict[str, Any]
    old_signature: str = ""
    new_signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "v": 1,
            "kind": self.kind,
            "node_id": self.node_id,
            "old_key": self.old_key,
            "new_key": self.new_key,
            "at": self.at,
            "reason": self.reason,
            "descriptor": self.descriptor,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "old_signature": self.old_signature,
                "new_signature": self.new_signature}

    @classmethod
    def parse(cls, data: Any, *, development: bool) -> KeyChange:
        """Read and check a certificate: shape, both signatures, the descriptor it carries
        (same node, the new key, self-signed)."""
        if not isinstance(data, dict):
            raise InvalidInput("a key change must be a JSON object")
        names = ("kind", "node_id", "old_key", "new_key", "at", "old_signature",
                 "new_signature")
        for name in names:
            if not isinstance(data.get(name), str) or not data[name]:
                raise InvalidInput(f"key change field {name!r} missing or not a string")
        if not isinstance(data.get("reason", ""), str) or data.get("v", 1) != 1:
            raise InvalidInput("key change: bad reason or version")
        if data["kind"] not in KEY_CHANGE_KINDS:
            raise InvalidInput(f"key change kind must be one of {', '.join(KEY_CHANGE_KINDS)}")
        change = cls(**{n: data[n] for n in names}, reason=data.get("reason", ""),
                     descriptor=data.get("descriptor") or {})
        desc = Descriptor.parse(change.descriptor, development=development)
        if desc.node_id != change.node_id or desc.public_key != change.new_key:
            raise InvalidInput("key change: its descriptor is not the node's with the new key")
        if change.old_key == change.new_key:
            raise InvalidInput("key change: the old and the new key are the same")
        body = change.body()
        if not verify_payload(change.old_key, body, change.old_signature):
            raise InvalidInput("key change: not signed by the old key")
        if not verify_payload(change.new_key, body, change.new_signature):
            raise InvalidInput("key change: not signed by the new key")
        return change


def follow_key_changes(
    node_id: str, registered: str, changes: list[Any], *, development: bool,
    revoked: set[str] | frozenset[str] = frozenset(),
) -> list[KeyChange]:
    """The certificates that lead, one after the other, from the ``registered`` key to a
    newer one of ``node_id``; none of them may start from a key in ``revoked``."""
    by_old: dict[str, KeyChange] = {}
    for raw in changes[:KEY_CHANGES_CARRIED * 2]:
        try:
            change = KeyChange.parse(raw, development=development)
        except InvalidInput:
            continue  # a bad certificate does not help; the signature check decides
        if change.node_id == node_id:
            by_old.setdefault(change.old_key, change)
    chain: list[KeyChange] = []
    key = registered
    while key in by_old and key not in revoked and len(chain) < len(by_old):
        chain.append(by_old[key])
        key = by_old[key].new_key
    return chain


@dataclass(frozen=True, slots=True)
class Descriptor:
    """What a node says about itself, signed with its own key."""

    node_id: str
    organisation: str
    country: str
    contact: str
    endpoint: str
    public_key: str
    issued_at: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "v": 1,
            "node_id": self.node_id,
            "organisation": self.organisation,
            "country": self.country,
            "contact": self.contact,
            "endpoint": self.endpoint,
            "public_key": self.public_key,
            "issued_at": self.issued_at,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    @classmethod
    def parse(cls, data: Any, *, development: bool) -> Descriptor:
        """Read and check a descriptor (shape, endpoint policy, self-signature)."""
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except ValueError:
                raise InvalidInput("a descriptor must be a JSON object") from None
        if not isinstance(data, dict):
            raise InvalidInput("a descriptor must be a JSON object")
        fields = (*PROFILE_FIELDS, "public_key", "issued_at", "signature")
        for name in fields:
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise InvalidInput(f"descriptor field {name!r} missing or not a string")
        desc = cls(**{name: data[name] for name in fields})
        check_node_id(desc.node_id)
        check_country(desc.country)
        if len(unb64(desc.public_key)) != 32:
            raise InvalidInput("descriptor public_key is not an Ed25519 key")
        if data.get("v", 1) != 1:
            raise InvalidInput("unsupported descriptor version")
        if not verify_payload(desc.public_key, desc.body(), desc.signature):
            raise InvalidInput("descriptor signature does not verify (altered or forged)")
        check_endpoint(desc.endpoint, development=development)
        return desc


class Identity:
    """This node's key pair and profile, kept in ``DATA_DIR/federation/``."""

    KEY_FILE = "node.key"
    PROFILE_FILE = "identity.json"
    CHANGES_FILE = "key-changes.json"  # the key change certificates (public), oldest first

    def __init__(self, folder: Path, key: SigningKey, profile: dict[str, str],
                 changes: list[dict[str, Any]] | None = None) -> None:
        self.folder = folder
        self.key = key
        self.profile = profile
        self.changes = changes or []

    @property
    def key_changes(self) -> list[dict[str, Any]]:
        """The newest key change certificates, as every envelope from this node carries them."""
        return self.changes[-KEY_CHANGES_CARRIED:]

    @property
    def public_keys(self) -> list[str]:
        """Every key this node has signed with, oldest first (its checkpoints' keys)."""
        return [*(c["old_key"] for c in self.changes), self.public_key]

    @property
    def key_created_at(self) -> str | None:
        """When the key in use was made (ISO 8601; None for keys made before this was kept)."""
        return self.profile.get("key_created_at")

    @property
    def node_id(self) -> str:
        return self.profile["node_id"]

    @property
    def public_key(self) -> str:
        return b64(bytes(self.key.verify_key))

    @staticmethod
    def _write_private(path: Path, data: bytes) -> None:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        os.chmod(path, 0o600)

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return (folder / cls.KEY_FILE).exists() and (folder / cls.PROFILE_FILE).exists()

    @classmethod
    def create(
        cls,
        folder: Path,
        *,
        node_id: str,
        organisation: str,
        country: str,
        contact: str,
        endpoint: str,
        development: bool,
        force: bool = False,
    ) -> Identity:
        """Make a fresh key pair and profile; refuses to replace an existing key unless forced."""
        check_node_id(node_id)
        country = check_country(country)
        for label, value in (
            ("organisation", organisation),
            ("contact", contact),
        ):
            if not value.strip():
                raise InvalidInput(f"{label} must not be empty")
        endpoint = check_endpoint(endpoint, development=development)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        if cls.exists(folder) and not force:
            raise InvalidInput(
                f"this node already has a key in {folder}; use --force to replace it"
            )
        key = SigningKey.generate()
        profile = {
            "node_id": node_id,
            "organisation": organisation.strip(),
            "country": country.strip().upper(),
            "contact": contact.strip(),
            "endpoint": endpoint,
            "key_created_at": format_ts(utcnow()),
        }
        (folder / cls.CHANGES_FILE).unlink(missing_ok=True)  # a new identity, no history
        cls._write_private(folder / cls.KEY_FILE, bytes(key))
        cls._write_private(folder / cls.PROFILE_FILE, json.dumps(profile, indent=2).encode())
        return cls(folder, key, profile)

    @classmethod
    def load(cls, folder: Path) -> Identity:
        key_path = folder / cls.KEY_FILE
        if not cls.exists(folder):
            raise InvalidInput("this node has no identity yet: run `ctnode init`")
        mode = key_path.stat().st_mode & 0o777
        if mode & 0o077:
            raise InvalidInput(f"{key_path} is readable by others (mode {mode:o}); chmod 600 it")
        key = SigningKey(key_path.read_bytes())
        profile = json.loads((folder / cls.PROFILE_FILE).read_text(encoding="utf-8"))
        changes_path = folder / cls.CHANGES_FILE
        changes = (json.loads(changes_path.read_text(encoding="utf-8"))
                   if changes_path.exists() else [])
        public = b64(bytes(key.verify_key))
        # a rotation interrupted between writing its certificate and its key: not in force
        while changes and changes[-1].get("new_key") != public:
            changes.pop()
        return cls(folder, key, profile, changes)

    def rotate(self, kind: str, reason: str = "") -> tuple[Identity, KeyChange]:
        """Replace this node's key: a new key pair, the new descriptor signed by the old key
        and the new one (a ``KeyChange``, kept in ``key-changes.json``). The old private key
        is overwritten; the returned identity signs from now on."""
        if kind not in KEY_CHANGE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KEY_CHANGE_KINDS)}")
        new_key = SigningKey.generate()
        profile = {**self.profile, "key_created_at": format_ts(utcnow())}
        new = Identity(self.folder, new_key, profile, list(self.changes))
        change = KeyChange(kind=kind, node_id=self.node_id, old_key=self.public_key,
                           new_key=new.public_key, at=format_ts(utcnow()),
                           reason=reason.strip()[:500], descriptor=new.descriptor().to_dict())
        change = replace(change, old_signature=self.sign(change.body()),
                         new_signature=new.sign(change.body()))
        new.changes.append(change.to_dict())
        # certificate first: a key without its certificate would cut this node off its peers
        self._write_private(self.folder / self.CHANGES_FILE,
                            json.dumps(new.changes, indent=2).encode())
        self._write_private(self.folder / self.PROFILE_FILE, json.dumps(profile, indent=2).encode())
        self._write_private(self.folder / self.KEY_FILE, bytes(new_key))
        return new, change

    def descriptor(self) -> Descriptor:
        desc = Descriptor(
            node_id=self.node_id,
            organisation=self.profile["organisation"],
            country=self.profile["country"],
            contact=self.profile["contact"],
            endpoint=self.profile["endpoint"],
            public_key=self.public_key,
            issued_at=format_ts(utcnow()),
        )
        return replace(desc, signature=sign_payload(self.key, desc.body()))

    def sign(self, payload: dict[str, Any]) -> str:
        return sign_payload(self.key, payload)
