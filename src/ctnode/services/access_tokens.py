"""Access tokens (API keys): ``ctn_<id>_<secret>``; only a hash of the secret is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ctnode.errors import InvalidInput

PREFIX = "ctn"


def new_token() -> tuple[str, str, str]:
    """A fresh token: (key_id, secret, token)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{PREFIX}_{key_id}_{secret}"


def hash_secret(secret: str) -> str:
    # Secrets are 256-bit random strings, so a plain SHA-256 is not brute-forceable.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str]:
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise InvalidInput("malformed API key: expected ctn_<id>_<secret>")
    return parts[1], parts[2]


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
