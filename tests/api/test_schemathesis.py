"""Property-based requests from the service's own OpenAPI document (schemathesis), signed in
as a party and as the regulator, valid and invalid alike: no answer is a 5xx, and every answer
has a status the operation documents, the documented content type and the documented body."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from .http import API

#: Examples per operation, identity and mode (valid, invalid data): small enough for a run
#: of about half a minute per database on a quiet machine.
EXAMPLES = 3
#: Signing out revokes the token every later request needs; tests/api cover it directly.
SIGN_OUT = "DELETE /api/v1/auth/token"
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_generated_requests_get_documented_answers_and_no_5xx(app, world):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    identities = {
        "party": world.plating.auth(),
        "regulator": world.regulator.auth(),
    }
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label == SIGN_OUT:
            continue
        for who, headers in identities.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _exercise(operation, headers, mode)
                except (AssertionError, FailureGroup) as exc:
                    failures.append(f"{who} {mode.value} {operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


def _exercise(operation, headers: dict, mode) -> None:
    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
