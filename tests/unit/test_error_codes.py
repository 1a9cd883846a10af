"""The codes of the domain's errors are part of the API's error contract."""

from manifest import errors


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_domain_error_keeps_its_code():
    # A code is the class name in snake case; renaming a class must not change what clients see.
    assert {kind.__name__: kind.code for kind in _all_subclasses(errors.DomainError)} == {
        "ValidationFailed": "validation_failed",
        "BadFile": "bad_file",
        "WrongVehicle": "wrong_vehicle",
        "NotFound": "not_found",
        "Forbidden": "forbidden",
        "Conflict": "conflict",
        "LastActiveAdmin": "last_active_admin",
        "PasswordChangeRequired": "password_change_required",
        "InvalidTransition": "invalid_transition",
        "TooManyAttempts": "too_many_attempts",
        "ChecksFailed": "checks_failed",
        "HandoverChecksFailed": "handover_checks_failed",
        "PayloadTooLarge": "payload_too_large",
    }
    assert errors.NotFound("gone").code == "not_found"
    assert errors.DomainError("refused").code == "domain_error"
