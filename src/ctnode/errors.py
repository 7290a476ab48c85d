"""Typed errors. Each carries the HTTP status and the machine-readable code it is answered
with; ``api/errors.py`` holds the one table that turns them into responses, and the
federation's inbound side answers peers with the same status.

A new error is one line: ``class Gone(CTNodeError, status=410, code="gone"): "doc"``.
"""

from __future__ import annotations

from typing import Any


class CTNodeError(Exception):
    """Base of every error ctnode raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None,
                          **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if status is not None:
            cls.status_code = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CTNodeError, status=422, code="invalid_input"):
    """A request, file or argument is malformed; the message names the field, line or element."""


class ImportFailed(InvalidInput, code="import_failed"):
    """An import was refused; the store is unchanged."""


class TooLarge(InvalidInput, status=413, code="too_large"):
    """An upload or batch exceeds the configured limit."""


class UnsafeText(InvalidInput, code="invalid_text"):
    """Text holding a NUL character, a lone surrogate or bytes that are not UTF-8 (refused the
    same way on every route, in paths, query strings, JSON bodies and peers' envelopes)."""


class TooDeep(InvalidInput, code="too_deep"):
    """A JSON document nested deeper than the node accepts."""


class NotFound(CTNodeError, status=404, code="not_found"):
    """The named entity, key, peer or request does not exist."""


class Unauthorized(CTNodeError, status=401, code="unauthorized"):
    """No credential, or an unknown or revoked one."""


class Forbidden(CTNodeError, status=403, code="forbidden"):
    """The credential's role does not allow this action."""


class Conflict(CTNodeError, status=409, code="conflict"):
    """The action clashes with the current state (e.g. a decision already taken)."""


class ImportRefused(Conflict, code="import_refused"):
    """An import that would destroy what the store holds was refused (another format, an
    older list, a large delisting without confirmation); the store is unchanged."""
class ListConflict(Conflict, code="list_conflict"):
    """A change to a list its maker may not make: the list belongs to another publisher
    (``not_publisher``), or an entity id is already another list's (``id_collision``)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class Unavailable(CTNodeError, status=503, code="unavailable"):
    """A dependency (peer, list source) could not be reached."""


class Refused(CTNodeError, status=403, code="refused"):
    """A peer request was refused under the sharing rules (agreement, purpose, rate, signature).

    ``reason`` is the machine-readable rule (``docs/federation.md``); a ``malformed``
    message is answered 400, every other refusal 403 (429 for the rate).
    """

    def __init__(self, message: str, reason: str = "refused") -> None:
        super().__init__(message)
        self.reason = reason
        if reason == "malformed" and type(self).status_code == 403:
            self.status_code = 400


class RateLimited(Refused, status=429, code="rate_limited"):
    """Too many requests under the peer's agreement."""


class MessageError(InvalidInput, code="invalid_message"):
    """A manifest or payment message could not be read at all; ``where`` says at which position."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{message} ({where})" if where else message)
        self.where = where


class UnknownMessageType(MessageError, code="unknown_message_type"):
    """The input is not a message type this node reads."""
