"""A node's identity: its Ed25519 key pair and its signed descriptor.

The private key is a 32-byte seed in ``DATA_DIR/federation/node.key`` with
owner-only permissions (0600); it never leaves the node. The descriptor (node id,
organisation, country, coordinator contact, endpoint, public key) is signed with
that key so a partner can check it was not altered on its way.
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


def check_node_id(node_id: str) -> str:
    if not NODE_ID.match(node_id):
        raise InvalidInput("a node id is 2-63 characters: lower-case letters, digits, . _ -")
    return node_id


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

    def __init__(self, folder: Path, key: SigningKey, profile: dict[str, str]) -> None:
        self.folder = folder
        self.key = key
        self.profile = profile

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
        for label, value in (
            ("organisation", organisation),
            ("country", country),
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
        }
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
        return cls(folder, key, profile)

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
