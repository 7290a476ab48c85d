"""The console's people: argon2id accounts, throttling, second factor, sessions (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from ctnode.clock import utcnow
from ctnode.errors import Forbidden, InvalidInput, RateLimited, Unauthorized
from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.services.users import token_hash

ADMIN = Actor(name="cli:test", role="admin")
PASSWORD = "a long enough secret"


def _user(node: Node, name: str = "ana", role: str = "analyst") -> str:
    user_id, _ = node.users.create(ADMIN, username=name, role=role, password=PASSWORD)
    return user_id


def _events(node: Node, event: str) -> list[dict[str, object]]:
    return [e.detail for e in node.audit.entries(event=event)]


def test_an_account_stores_an_argon2id_hash_and_signs_in(node: Node) -> None:
    user_id, one_time = node.users.create(ADMIN, username="Ana", role="analyst")
    assert len(one_time) >= 12
    row = node.store.users.get_user(user_id)
    assert row["username"] == "ana" and row["password_hash"].startswith("$argon2id$")
    assert one_time not in row["password_hash"] and row["must_change_password"]
    session = node.users.sign_in("ana", one_time, address="127.0.0.1")
    who = node.users.session(session.token)
    assert who is not None and who.actor.name == "user:ana" and who.actor.role == "analyst"
    assert who.must_change_password
    # only the token's hash is stored
    assert node.store.users.get_session(token_hash(session.token)) is not None
    assert node.store.users.get_session(session.token) is None
    assert _events(node, "user.signin")[-1]["user_id"] == user_id


def test_only_admins_manage_accounts_and_bad_input_is_named(node: Node) -> None:
    with pytest.raises(Forbidden):
        node.users.create(Actor(name="key:x", role="analyst"), username="bob", role="analyst")
    with pytest.raises(InvalidInput, match="role must be one of"):
        node.users.create(ADMIN, username="bob", role="boss")
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        node.users.create(ADMIN, username="bob", role="analyst", password="short")
    _user(node, "bob")
    with pytest.raises(InvalidInput, match="already exists"):
        _user(node, "bob")


def test_failures_throttle_the_account_until_it_lapses_or_an_admin_unlocks(node: Node) -> None:
    user_id = _user(node)
    limit = node.settings.console_max_failures
    for _ in range(limit - 1):
        with pytest.raises(Unauthorized):
            node.users.sign_in("ana", "wrong password!!")
    with pytest.raises(RateLimited):
        node.users.sign_in("ana", "wrong password!!")
    # throttled: even the right password is refused now
    with pytest.raises(RateLimited, match="ask an admin"):
        node.users.sign_in("ana", PASSWORD)
    assert _events(node, "user.locked")[-1]["user_id"] == user_id
    node.users.unlock(ADMIN, user_id)
    assert node.users.sign_in("ana", PASSWORD).token
    # the throttle also lapses by itself: no permanent lock-out
    for _ in range(limit):
        with pytest.raises((Unauthorized, RateLimited)):
            node.users.sign_in("ana", "wrong password!!")
    with node.store.begin() as conn:
        node.store.users.update_user(conn, user_id, {"locked_until": utcnow() - timedelta(seconds=1)})
    assert node.users.sign_in("ana", PASSWORD).token


def test_unknown_names_get_the_same_answer(node: Node) -> None:
    _user(node)
    with pytest.raises(Unauthorized) as unknown:
        node.users.sign_in("nobody", PASSWORD)
    with pytest.raises(Unauthorized) as wrong:
        node.users.sign_in("ana", "wrong password!!")
    assert unknown.value.message == wrong.value.message


def test_sessions_end_when_idle_past_their_end_or_revoked(node: Node) -> None:
    user_id = _user(node)
    users = node.store.users
    idle = node.users.sign_in("ana", PASSWORD)
    users.touch_session(token_hash(idle.token), utcnow() - timedelta(
        minutes=node.settings.console_session_idle_minutes, seconds=1))
    assert node.users.session(idle.token) is None
    old = node.users.sign_in("ana", PASSWORD)
    with node.store.begin() as conn:  # the absolute end, however active
        conn.exec_driver_sql(
            "UPDATE console_sessions SET expires_at = created_at WHERE id = %s" if
            node.store.dialect == "postgresql" else
            "UPDATE console_sessions SET expires_at = created_at WHERE id = ?",
            (token_hash(old.token),))
    assert node.users.session(old.token) is None
    mine = node.users.sign_in("ana", PASSWORD)
    who = node.users.session(mine.token)
    assert who is not None
    node.users.sign_out(who)
    assert node.users.session(mine.token) is None
    a, b = node.users.sign_in("ana", PASSWORD), node.users.sign_in("ana", PASSWORD)
    assert node.users.revoke_session(ADMIN, user_id) == 4  # with the two that lapsed
    assert node.users.session(a.token) is None and node.users.session(b.token) is None
    assert node.users.session("not-a-token") is None and node.users.session(None) is None


def test_admin_reset_gives_a_one_time_password_and_ends_sessions(node: Node) -> None:
    user_id = _user(node)
    before = node.users.sign_in("ana", PASSWORD)
    new = node.users.reset_password(ADMIN, user_id)
    assert node.users.session(before.token) is None
    with pytest.raises(Unauthorized):
        node.users.sign_in("ana", PASSWORD)
    who = node.users.session(node.users.sign_in("ana", new).token)
    assert who is not None and who.must_change_password
    node.users.change_password(who, current=new, new="my own long password")
    assert not node.store.users.get_user(user_id)["must_change_password"]
    assert _events(node, "user.password.reset")[-1]["sessions_revoked"] == 1


def test_totp_second_factor(node: Node) -> None:
    _user(node)
    who = node.users.session(node.users.sign_in("ana", PASSWORD).token)
    assert who is not None
    secret = node.users.start_totp()
    with pytest.raises(InvalidInput):
        node.users.enable_totp(who, secret=secret, code="000000")
    node.users.enable_totp(who, secret=secret, code=pyotp.TOTP(secret).now())
    with pytest.raises(Unauthorized):
        node.users.sign_in("ana", PASSWORD)  # no code
    assert node.users.sign_in("ana", PASSWORD, code=pyotp.TOTP(secret).now()).token


def test_the_totp_secret_is_sealed_at_rest_and_an_old_clear_one_sealed_at_sign_in(
        node: Node) -> None:
    user_id = _user(node)
    who = node.users.session(node.users.sign_in("ana", PASSWORD).token)
    assert who is not None
    secret = node.users.start_totp()
    node.users.enable_totp(who, secret=secret, code=pyotp.TOTP(secret).now())
    row = node.store.users.get_user(user_id)
    assert row["totp_secret"] is None and secret.encode() not in bytes(row["totp_sealed"])
    # a sealed secret is bound to its account: moved to another, it does not open
    other = _user(node, "bob")
    with node.store.begin() as conn:
        node.store.users.update_user(conn, other, {"totp_sealed": row["totp_sealed"]})
    with pytest.raises(Exception, match="another record"):
        node.users.sign_in("bob", PASSWORD, code=pyotp.TOTP(secret).now())
    # a clear secret of a store from before revision 0018 still works, and is sealed then
    with node.store.begin() as conn:
        node.store.users.update_user(conn, user_id, {"totp_secret": secret, "totp_sealed": None})
    assert node.users.sign_in("ana", PASSWORD, code=pyotp.TOTP(secret).now()).token
    row = node.store.users.get_user(user_id)
    assert row["totp_secret"] is None and row["totp_sealed"]
    assert "totp_sealed" not in node.users.find(ADMIN, "ana")
    assert all("totp_sealed" not in u for u in node.users.list_users(ADMIN))


def test_a_person_acts_under_their_name_with_their_role(node: Node) -> None:
    _user(node, "sam", role="screener")
    who = node.users.session(node.users.sign_in("sam", PASSWORD).token)
    assert who is not None
    with pytest.raises(Forbidden):
        node.review.queue(who.actor)  # screeners do not review, as with API keys
    with pytest.raises(Forbidden):
        node.audit_trail.verify(who.actor)
