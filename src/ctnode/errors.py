"""Typed errors. Each carries the HTTP status the API maps it to (in ``api/errors.py``)."""

from __future__ import annotations


class CTNodeError(Exception):
    """Base of every error ctnode raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CTNodeError):
    """A request, file or argument is malformed; the message names the field, line or element."""

    status_code = 422
    code = "invalid_input"


class ImportFailed(InvalidInput):
    """An import was refused; the store is unchanged."""

    code = "import_failed"


class NotFound(CTNodeError):
    """The named entity, key, peer or request does not exist."""

    status_code = 404
    code = "not_found"


class Unauthorized(CTNodeError):
    """No credential, or an unknown or revoked one."""

    status_code = 401
    code = "unauthorized"


class Forbidden(CTNodeError):
    """The credential's role does not allow this action."""

    status_code = 403
    code = "forbidden"


class Conflict(CTNodeError):
    """The action clashes with the current state (e.g. a decision already taken)."""

    status_code = 409
    code = "conflict"


class Refused(CTNodeError):
    """A peer request was refused under the sharing rules (agreement, purpose, rate, signature)."""

    status_code = 403
    code = "refused"

    def __init__(self, message: str, reason: str = "refused") -> None:
        super().__init__(message)
        self.reason = reason


class RateLimited(Refused):
    """Too many requests under the peer's agreement."""

    status_code = 429
    code = "rate_limited"


class TooLarge(InvalidInput):
    """An upload or batch exceeds the configured limit."""

    status_code = 413
    code = "too_large"


class Unavailable(CTNodeError):
    """A dependency (peer, list source) could not be reached."""

    status_code = 503
    code = "unavailable"
