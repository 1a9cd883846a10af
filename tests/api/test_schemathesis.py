"""Property-based requests from the service's own OpenAPI document (schemathesis), signed in
as a party and as the regulator, valid and invalid alike: no answer is a 5xx, and every answer
has a status the operation documents, the documented content type and the documented body."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from tests.builders import create_manifest

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
    # Valid requests name things that exist (a draft, the party's organisation), so that they
    # get past the 404 into the services; invalid ones take whatever is generated.
    existing = {
        "ref": str(create_manifest(world).id),
        "org_id": world.plating.id,
        "kind": "sludge",
    }
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label == SIGN_OUT:
            continue
        known = {k: v for k, v in existing.items() if f"{{{k}}}" in operation.path}
        for who, headers in identities.items():
            for mode, fixed in ((GenerationMode.POSITIVE, known), (GenerationMode.NEGATIVE, {})):
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                try:
                    _exercise(strategy, headers)
                except Unsatisfiable:
                    # An operation that takes nothing (a probe, a list without filters) has
                    # no invalid request to make.
                    if mode is not GenerationMode.NEGATIVE:
                        raise
                except (AssertionError, FailureGroup) as exc:
                    failures.append(f"{who} {mode.value} {operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


def _exercise(strategy, headers: dict) -> None:
    @settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
