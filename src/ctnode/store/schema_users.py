"""Tables of the console's people (issue 14): accounts and their sessions.

``console_users``: one row per person, the argon2id hash of the password (never the
password), the TOTP secret when a second factor is on (sealed with the node's data key,
``totp_sealed``; ``totp_secret`` only holds a clear secret of before revision 0018 until its
owner next signs in), the role (the same roles and
biometric scopes as API keys), the count of recent failed sign-ins and the time a
throttle lapses. ``console_sessions``: one row per signed-in browser, keyed by the SHA-256
of the cookie's token (never the token), with its CSRF token, last use, absolute expiry
and revocation. ``console_file_reports``: one row per file screened on the console's
*Screen a file* page: who sent it, what it was, its status, and its report (the page's rows
and the exports) sealed with the node's data key and bound to the row's id, until
``expires_at`` (``CTNODE_FILE_REPORT_HOURS``; the job ``file-reports`` deletes it then).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text

from ctnode.store.columns import at, sealed, uuid_key
from ctnode.store.schema import metadata

console_users = Table(
    "console_users",
    metadata,
    uuid_key(),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("biometric_scopes", JSON, nullable=True),
    Column("password_hash", Text, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("totp_secret", String(64), nullable=True),  # legacy clear secret (before 0018)
    sealed("totp_sealed", nullable=True),  # the TOTP secret
    Column("language", String(8), nullable=True),
    Column("failed_count", Integer, nullable=False),
    at("locked_until", nullable=True),
    at("disabled_at", nullable=True),
    at("created_at"),
    Column("created_by", Text, nullable=False),
    at("password_changed_at"),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("user_id", String(36), ForeignKey("console_users.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("address", String(64), nullable=True),
    at("created_at"),
    at("last_seen"),
    at("expires_at"),
    at("revoked_at", nullable=True),
    Column("revoked_by", Text, nullable=True),
)

console_file_reports = Table(
    "console_file_reports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False, index=True),  # the actor who sent the file
    Column("kind", String(16), nullable=False),  # batch, manifest, payments
    Column("filename", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # running, done, failed
    Column("subjects", Integer, nullable=False),
    Column("to_review", Integer, nullable=False),
    Column("error", Text, nullable=True),  # why it failed (the service's refusal)
    Column("error_code", String(32), nullable=True),
    Column("error_status", Integer, nullable=False),
    sealed("report_sealed", nullable=True),  # the report, sealed (done only)
    at("started_at"),
    at("ended_at", nullable=True),
    at("expires_at", index=True),
)
