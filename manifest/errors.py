"""Domain errors. Services raise these; only the HTTP layer turns them into responses."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. ``code`` is a stable machine-readable identifier."""

    code = "domain_error"

    def __init__(self, message: str, *, errors: dict | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.details = details


class ValidationFailed(DomainError):
    """The input is malformed or out of range (HTTP 422)."""

    code = "validation_failed"


class NotFound(DomainError):
    """The object does not exist or is not visible to the caller (HTTP 404)."""

    code = "not_found"


class Forbidden(DomainError):
    """The caller is known but may not do this (HTTP 403)."""

    code = "forbidden"


class Conflict(DomainError):
    """The object changed under the caller or is in the wrong state (HTTP 409)."""

    code = "conflict"


class LastActiveAdmin(Conflict):
    """The change would leave an organisation without an active administrator (HTTP 409)."""

    code = "last_active_admin"


class TooManyAttempts(DomainError):
    """Too many failed sign-ins; try again after ``retry_after`` seconds (HTTP 429)."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class InvalidTransition(Conflict):
    """The manifest's status does not allow this action."""

    code = "invalid_transition"


class ChecksFailed(DomainError):
    """Issue-time licence and vehicle checks failed; ``details`` lists every failure (HTTP 422)."""

    code = "checks_failed"


class HandoverChecksFailed(ChecksFailed):
    """The next transporter's permit or vehicle failed the carrier checks at the hand-over;
    ``details`` lists every failure (HTTP 422)."""

    code = "handover_checks_failed"


class BadFile(ValidationFailed):
    """An uploaded file cannot be read (HTTP 422); ``details`` says what and where."""

    code = "bad_file"


class WrongVehicle(ValidationFailed):
    """An uploaded record names another vehicle than the one of the trip (HTTP 422)."""

    code = "wrong_vehicle"


class PayloadTooLarge(DomainError):
    """An uploaded file is larger than allowed (HTTP 413)."""

    code = "payload_too_large"
