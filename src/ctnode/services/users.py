"""The console's people: accounts, sign-in, throttling, second factor and sessions.

A person signs in with a username and password (argon2id, ``argon2-cffi``'s RFC 9106 low-
memory profile) and, when they turned it on, a TOTP code (RFC 6238, ``pyotp``). After
``CTNODE_CONSOLE_MAX_FAILURES`` failed sign-ins in a row the account is throttled for
``CTNODE_CONSOLE_LOCKOUT_MINUTES``: it lapses by itself (no permanent lock-out a stranger
could trigger) and an admin can lift it sooner. A session is a random token in a cookie;
the store keeps its SHA-256 only, with a CSRF token, the last use (idle expiry,
``CTNODE_CONSOLE_SESSION_IDLE_MINUTES``) and an absolute expiry
(``CTNODE_CONSOLE_SESSION_MAX_HOURS``); a person or an admin can revoke it. A signed-in
person acts as an ``Actor`` named ``user:<username>`` with the account's role and biometric
scopes: the same ``model/access.PERMISSIONS`` as API keys, enforced by ``Context.require``
in every service, and every action is audited under that name. The TOTP secret is kept
sealed with the node's data key (bound to the account's id); a clear secret of an older
store is sealed at its owner's next sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from ctnode.clock import as_utc, utcnow
from ctnode.errors import InvalidInput, NotFound, RateLimited, Unauthorized
from ctnode.model.access import BIOMETRIC_SCOPES, ROLES, Actor
from ctnode.services.access import ANONYMOUS
from ctnode.services.context import Context

HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
MIN_PASSWORD = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
LANGUAGES = ("en", "ar", "zh", "fr", "ru", "es", "kk")
BAD_SIGN_IN = "unknown username or wrong password"
TOUCH_EVERY = timedelta(seconds=30)  # last use written at most this often per session


@cache
def _dummy() -> str:
    """Verified against for an unknown username, so that a wrong name takes as long as a wrong
    password (made on first use: importing this module costs no hash)."""
    return HASHER.hash(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def one_time_password() -> str:
    """A password shown once (20 characters from ``secrets``), changed at first sign-in."""
    return secrets.token_urlsafe(15)


class Sealer(Protocol):
    """Seals and opens with the node's data key (``ctnode.biometrics.crypto.NodeKey``)."""

    def seal(self, plaintext: bytes, context: str) -> bytes: ...
    def open(self, ciphertext: bytes, context: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A valid session: who, as which actor, and the form token of the session."""

    session_id: str
    user_id: str
    username: str
    display_name: str
    role: str
    language: str | None
    csrf: str
    must_change_password: bool
    actor: Actor


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # for the cookie; never stored
    csrf: str
    user: dict[str, Any]


class Users:
    """Accounts and sessions of the console of one node."""

    def __init__(self, ctx: Context, key: Sealer) -> None:
        self.ctx = ctx
        self.users = ctx.store.users
        self.key = key

    def _totp_secret(self, row: dict[str, Any]) -> str | None:
        """The account's TOTP secret (opened), or None without a second factor."""
        if row.get("totp_sealed"):
            return self.key.open(bytes(row["totp_sealed"]), f"totp:{row['id']}").decode()
        secret: str | None = row.get("totp_secret")
        return secret or None

    # accounts --------------------------------------------------------------------------------

    def create(self, actor: Actor, *, username: str, role: str, display_name: str = "",
               password: str | None = None,
               biometric_scopes: list[str] | None = None) -> tuple[str, str]:
        """A new account: (id, password). Without ``password`` a one-time password is made;
        either way it must be changed at first sign-in."""
        self.ctx.require(actor, "users")
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput("a username is 2 to 64 characters: a-z, 0-9, '.', '_', '-', "
                               "starting with a letter or digit")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        scopes = sorted(set(biometric_scopes or []))
        unknown = [s for s in scopes if s not in BIOMETRIC_SCOPES]
        if unknown:
            raise InvalidInput(f"unknown biometric permission {unknown[0]!r}: use "
                               f"{', '.join(BIOMETRIC_SCOPES)}")
        if self.users.find_user(username) is not None:
            raise InvalidInput(f"a user named {username!r} already exists")
        password = password if password is not None else one_time_password()
        check_password(password)
        user_id, now = str(uuid.uuid4()), utcnow()
        with self.ctx.store.begin() as conn:
            self.users.add_user(conn, {
                "id": user_id, "username": username,
                "display_name": display_name.strip() or username, "role": role,
                "biometric_scopes": scopes or None, "password_hash": HASHER.hash(password),
                "must_change_password": True, "totp_secret": None, "totp_sealed": None,
                "language": None,
                "failed_count": 0, "locked_until": None, "disabled_at": None,
                "created_at": now, "created_by": actor.name, "password_changed_at": now,
            })
            self.ctx.audit.record("user.create", actor, conn=conn, detail={
                "user_id": user_id, "username": username, "role": role,
                "biometric_scopes": scopes})
        return user_id, password

    def list_users(self, actor: Actor) -> list[dict[str, Any]]:
        self.ctx.require(actor, "users")
        return self.users.list_users()

    def find(self, actor: Actor, username: str) -> dict[str, Any]:
        self.ctx.require(actor, "users")
        found = self.users.find_user(username.strip().lower())
        if found is None:
            raise NotFound(f"no console user named {username!r}")
        return {k: v for k, v in found.items()
                if k not in {"password_hash", "totp_secret", "totp_sealed"}}

    def unlock(self, actor: Actor, user_id: str) -> None:
        """Lift a throttle now (it would lapse by itself)."""
        self.ctx.require(actor, "users")
        with self.ctx.store.begin() as conn:
            self.users.update_user(conn, user_id, {"failed_count": 0, "locked_until": None})
            self.ctx.audit.record("user.unlock", actor, conn=conn, detail={"user_id": user_id})

    def reset_password(self, actor: Actor, user_id: str) -> str:
        """An admin's reset: a new one-time password (returned once), every session of the
        person revoked, the throttle lifted; the person must change it at sign-in."""
        self.ctx.require(actor, "users")
        password, now = one_time_password(), utcnow()
        with self.ctx.store.begin() as conn:
            self.users.update_user(conn, user_id, {
                "password_hash": HASHER.hash(password), "must_change_password": True,
                "failed_count": 0, "locked_until": None, "password_changed_at": now})
            revoked = self.users.revoke_sessions(conn, by=actor.name, now=now, user_id=user_id)
            self.ctx.audit.record("user.password.reset", actor, conn=conn,
                                  detail={"user_id": user_id, "sessions_revoked": revoked})
        return password

    def change_password(self, who: SignedIn, *, current: str, new: str) -> None:
        """A person changes their own password (the current one is asked again)."""
        row = self.users.get_user(who.user_id)
        if not _verify(row["password_hash"], current):
            raise InvalidInput("the current password is wrong")
        check_password(new)
        if new == current:
            raise InvalidInput("the new password must differ from the current one")
        with self.ctx.store.begin() as conn:
            self.users.update_user(conn, who.user_id, {
                "password_hash": HASHER.hash(new), "must_change_password": False,
                "password_changed_at": utcnow()})
            self.ctx.audit.record("user.password.change", who.actor, conn=conn,
                                  detail={"user_id": who.user_id})

    def start_totp(self) -> str:
        """A fresh TOTP secret for a person to load into their authenticator app."""
        return pyotp.random_base32()

    def enable_totp(self, who: SignedIn, *, secret: str, code: str) -> None:
        """Turn the second factor on once a code from the app proves the secret was loaded."""
        if not re.fullmatch(r"[A-Z2-7]{32}", secret) or not pyotp.TOTP(secret).verify(
                code.strip(), valid_window=1):
            raise InvalidInput("that code does not match: check the app's clock and try again")
        with self.ctx.store.begin() as conn:
            self.users.update_user(conn, who.user_id, {
                "totp_secret": None,
                "totp_sealed": self.key.seal(secret.encode(), f"totp:{who.user_id}")})
            self.ctx.audit.record("user.totp", who.actor, conn=conn,
                                  detail={"user_id": who.user_id, "enabled": True})

    def set_language(self, who: SignedIn, language: str | None) -> None:
        if language is not None and language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}")
        with self.ctx.store.begin() as conn:
            self.users.update_user(conn, who.user_id, {"language": language})

    # sign-in and sessions --------------------------------------------------------------------

    def sign_in(self, username: str, password: str, *, code: str = "",
                address: str | None = None) -> NewSession:
        """Check the credentials (and the TOTP code when the account has one); a new session.

        Unknown names and wrong passwords get the same answer and take as long. The N-th
        failure in a row throttles the account (``RateLimited``, audited as ``user.locked``)."""
        settings, now = self.ctx.settings, utcnow()
        row = self.users.find_user(username.strip().lower()[:64])
        if row is None:
            _verify(_dummy(), password)
            self.ctx.audit.refusals.refused(
                "auth.denied", source=address or "?", reason="bad_user",
                claimed="user:?", actor=ANONYMOUS, detail={"message": BAD_SIGN_IN})
            raise Unauthorized(BAD_SIGN_IN)
        actor = actor_of(row)
        until = as_utc(row["locked_until"])
        if until is not None and until > now:
            raise RateLimited(throttled(until), reason="throttled")
        if row["disabled_at"] is not None:
            raise Unauthorized("this account is disabled: ask an admin")
        ok = _verify(row["password_hash"], password)
        secret = self._totp_secret(row)
        if ok and secret:
            ok = pyotp.TOTP(secret).verify(code.strip(), valid_window=1)
        if not ok:
            failures = int(row["failed_count"]) + 1 if until is None else 1
            values: dict[str, Any] = {"failed_count": failures, "locked_until": None}
            locked = failures >= settings.console_max_failures
            if locked:
                values["locked_until"] = now + timedelta(minutes=settings.console_lockout_minutes)
            with self.ctx.store.begin() as conn:
                self.users.update_user(conn, row["id"], values)
                self.ctx.audit.record("user.signin.failed", actor, conn=conn, detail={
                    "user_id": row["id"], "failures": failures, "address": address})
                if locked:
                    self.ctx.audit.record("user.locked", actor, conn=conn, detail={
                        "user_id": row["id"], "until": values["locked_until"].isoformat()})
            if locked:
                raise RateLimited(throttled(values["locked_until"]), reason="throttled")
            raise Unauthorized(BAD_SIGN_IN if not secret else
                               "unknown username, wrong password or wrong code")
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.ctx.store.begin() as conn:
            values = {"failed_count": 0, "locked_until": None}
            if row["totp_secret"] and secret:  # a clear secret of an older store: seal it now
                values |= {"totp_secret": None,
                           "totp_sealed": self.key.seal(secret.encode(), f"totp:{row['id']}")}
            self.users.update_user(conn, row["id"], values)
            self.users.add_session(conn, {
                "id": token_hash(token), "user_id": row["id"], "csrf": csrf,
                "address": (address or "")[:64] or None, "created_at": now, "last_seen": now,
                "expires_at": now + timedelta(hours=settings.console_session_max_hours),
                "revoked_at": None, "revoked_by": None})
            self.ctx.audit.record("user.signin", actor, conn=conn, detail={
                "user_id": row["id"], "address": address, "second_factor": bool(secret)})
        return NewSession(token=token, csrf=csrf, user=row)

    def session(self, token: str | None) -> SignedIn | None:
        """The person behind a session cookie, or None when it is unknown, revoked, idle for
        too long, past its absolute expiry, or its account is disabled."""
        if not token or len(token) > 128:
            return None
        sid = token_hash(token)
        row = self.users.get_session(sid)
        now = utcnow()
        if row is None or row["revoked_at"] is not None:
            return None
        idle = timedelta(minutes=self.ctx.settings.console_session_idle_minutes)
        last_seen = as_utc(row["last_seen"])
        expires = as_utc(row["expires_at"])
        assert last_seen is not None and expires is not None
        if now >= expires or now - last_seen >= idle:
            return None
        user = self.users.get_user(row["user_id"])
        if user["disabled_at"] is not None:
            return None
        if now - last_seen >= TOUCH_EVERY:
            self.users.touch_session(sid, now)
        return SignedIn(session_id=sid, user_id=user["id"], username=user["username"],
                        display_name=user["display_name"], role=user["role"],
                        language=user["language"], csrf=row["csrf"],
                        must_change_password=bool(user["must_change_password"]),
                        actor=actor_of(user))

    def csrf_ok(self, who: SignedIn, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(who.csrf, token or "")

    def sign_out(self, who: SignedIn) -> None:
        with self.ctx.store.begin() as conn:
            self.users.revoke_sessions(conn, by=who.actor.name, now=utcnow(),
                                       session_id=who.session_id)
            self.ctx.audit.record("user.signout", who.actor, conn=conn,
                                  detail={"user_id": who.user_id})

    def sessions(self, actor: Actor, user_id: str) -> list[dict[str, Any]]:
        """A person's open sessions (their own, or anyone's for an admin)."""
        if actor.name != f"user:{self.users.get_user(user_id)['username']}":
            self.ctx.require(actor, "users")
        return self.users.list_sessions(user_id)

    def revoke_session(self, actor: Actor, user_id: str, session_id: str | None = None) -> int:
        """Revoke one session of a person (or all of them): their own, or anyone's (admin)."""
        if actor.name != f"user:{self.users.get_user(user_id)['username']}":
            self.ctx.require(actor, "users")
        with self.ctx.store.begin() as conn:
            n = self.users.revoke_sessions(conn, by=actor.name, now=utcnow(),
                                           session_id=session_id, user_id=user_id)
            self.ctx.audit.record("session.revoke", actor, conn=conn, detail={
                "user_id": user_id, "session_id": session_id, "revoked": n})
        return n


def actor_of(user: dict[str, Any]) -> Actor:
    """The actor a person acts as: ``user:<username>``, the account's role and scopes."""
    return Actor(name=f"user:{user['username']}", role=user["role"],
                 biometric_scopes=frozenset(user.get("biometric_scopes") or ()))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise InvalidInput("a password may have at most 1024 characters")


def throttled(until: datetime) -> str:
    return (f"too many failed sign-ins: try again after {until:%H:%M} UTC, or ask an admin to "
            "unlock the account")


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
