"""Domain errors. Services raise these; only the HTTP layer turns them into responses."""

from __future__ import annotations

import re


class NamedByClass:
    """A mixin for exceptions: a subclass's ``code`` is its class name in snake case
    (``TooManyAttempts``: ``too_many_attempts``), so a new error needs no second name."""

    code: str

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


class DomainError(NamedByClass, Exception):
    """Base class. ``code`` is a stable machine-readable identifier (see NamedByClass)."""

    def __init__(self, message: str, *, errors: dict | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.details = details


class ValidationFailed(DomainError):
    """The input is malformed or out of range (HTTP 422)."""


class NotFound(DomainError):
    """The object does not exist or is not visible to the caller (HTTP 404)."""


class Forbidden(DomainError):
    """The caller is known but may not do this (HTTP 403)."""


class Conflict(DomainError):
    """The object changed under the caller or is in the wrong state (HTTP 409)."""


class LastActiveAdmin(Conflict):
    """The change would leave an organisation without an active administrator (HTTP 409)."""


class PasswordChangeRequired(Forbidden):
    """The user's password was chosen by an administrator: they must choose their own first
    (HTTP 403)."""


class TooManyAttempts(DomainError):
    """Too many failed sign-ins; try again after ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class InvalidTransition(Conflict):
    """The manifest's status does not allow this action."""


class ChecksFailed(DomainError):
    """Issue-time licence and vehicle checks failed; ``details`` lists every failure (HTTP 422)."""


class HandoverChecksFailed(ChecksFailed):
    """The next transporter's permit or vehicle failed the carrier checks at the hand-over;
    ``details`` lists every failure (HTTP 422)."""


class BadFile(ValidationFailed):
    """An uploaded file cannot be read (HTTP 422); ``details`` says what and where."""


class WrongVehicle(ValidationFailed):
    """An uploaded record names another vehicle than the one of the trip (HTTP 422)."""


class PayloadTooLarge(DomainError):
    """An uploaded file is larger than allowed (HTTP 413)."""
