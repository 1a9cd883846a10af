"""The ``hwm`` command line, run in-process against a migrated database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api.cli import hwm as hwm_group
from manifest.errors import ValidationFailed
from manifest.models import (
    ApiToken,
    CustodyEvent,
    Finding,
    Manifest,
    ManifestLeg,
    ManifestLine,
    Organization,
    Regulator,
    User,
    WasteCode,
    WeighbridgeReceipt,
)
from manifest.services import lifecycle, registry
from manifest.services.custody import verify_ledger, verify_manifest_chain
from manifest.status import MOVES, Action, Party, Status, actions_open_to
from manifest.uscc import is_valid_uscc, make_uscc
from tests.builders import create_manifest, hazardous_body

DATA = Path(__file__).parent / "data"
#: The commands the service must offer (``gps analyse`` comes with the optional gps package).
PROMISED = {
    ("db", "upgrade"),
    ("demo",),
    ("serve",),
    ("users", "create"),
    ("tokens", "create"),
    ("catalogue", "import"),
    ("gps", "gateway"),
}
TOKEN_RE = re.compile(r"token (\S+)")


def _command_paths(group: click.Group, prefix: tuple = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
    return paths


@pytest.fixture
def hwm(db_url, monkeypatch):
    """Run ``hwm ARGS...`` against the test database; returns click's Result."""
    monkeypatch.setenv("HWM_DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(hwm_group, list(args), prog_name="hwm", input=input)

    return run


def _refused(result, *phrases: str) -> None:
    """A refusal a user can read: non-zero exit, the reason, no traceback."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def _count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- help


def test_top_level_help_lists_the_commands():
    result = CliRunner().invoke(hwm_group, ["--help"], prog_name="hwm")
    assert result.exit_code == 0
    for name in ("db", "demo", "serve", "users", "tokens", "catalogue"):
        assert re.search(rf"^\s+{name}\s", result.output, re.M), name
    assert "HWM_DATABASE_URL" in result.output


def test_every_promised_command_exists():
    assert PROMISED <= set(_command_paths(hwm_group))


@pytest.mark.parametrize("path", _command_paths(hwm_group), ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(hwm_group, [*path, "--help"], prog_name="hwm")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: hwm {' '.join(path)}")
    assert "--help" in result.output


# ---------------------------------------------------------------- demo


def test_demo_loads_every_status_with_verifiable_chains(hwm, sessions, db_url):
    result = hwm("demo")
    assert result.exit_code == 0, result.output
    assert "demo-password" in result.output
    for email in ("regulator@", "plating@", "driver1@", "centre@", "kiln@"):
        assert email in result.output

    now = datetime.now(UTC)
    with sessions() as s:
        manifests = list(s.scalars(select(Manifest)))
        assert len(manifests) >= 12
        assert {m.status for m in manifests} == {st.value for st in Status}
        for m in manifests:
            verdict = verify_manifest_chain(s, m)
            assert verdict.valid, (m.id, verdict)
        assert verify_ledger(s).valid

        # Every event of the demo says when it happened (the draft's filing included): the
        # times lie in the past and never go backwards along a manifest's chain.
        claimed: dict[int, list[tuple[str, datetime]]] = {}
        for ev in s.scalars(select(CustodyEvent).order_by(CustodyEvent.sequence)):
            assert ev.claimed_time is not None, (ev.manifest_id, ev.action)
            claimed.setdefault(ev.manifest_id, []).append((ev.action, ev.claimed_time))
        for story in claimed.values():
            times = [t for _, t in story]
            assert story[0][0] == "create"
            assert times == sorted(times) and times[-1] <= now, story

        partial = s.scalars(
            select(ManifestLine)
            .join(Manifest)
            .where(Manifest.status == Status.PARTIALLY_REJECTED.value)
        ).all()
        assert any(ln.rejected and ln.accepted and ln.rejection_reason for ln in partial)
        assert s.scalar(select(func.max(ManifestLeg.leg_no))) == 2  # a hand-over happened

        orgs = list(s.scalars(select(Organization)))
        assert all(is_valid_uscc(o.uscc) for o in orgs)
        assert all(o.region_code.startswith("4407") for o in orgs)
        assert all(22.0 <= float(o.lat) <= 22.9 and 112.4 <= float(o.lon) <= 113.3 for o in orgs)
        roles = {r for o in orgs for r in o.roles}
        assert roles == {"generator", "transporter", "receiver"}
        assert s.scalar(select(func.count()).where(User.role == "driver")) >= 2

    # A printed token works, and the regulator sees the whole set.
    from api import create_app

    app = create_app({"DATABASE_URL": db_url, "TESTING": True})
    try:
        line = next(ln for ln in result.output.splitlines() if "regulator@" in ln)
        token = TOKEN_RE.search(line).group(1)
        resp = app.test_client().get(
            "/api/v1/manifests", headers={"Authorization": f"Bearer {token}"}
        )
        assert resp.status_code == 200
        assert int(resp.headers["X-Total-Count"]) == len(manifests)
    finally:
        app.extensions["hwm"]["engine"].dispose()


def test_every_demo_organisation_has_something_to_do(hwm, sessions):
    """Whoever signs in to the demo finds a manifest waiting for their move, and the
    regulator finds open findings."""
    assert hwm("demo").exit_code == 0
    parties = {
        Party.GENERATOR: "generator_id",
        Party.TRANSPORTER: "transporter_id",
        Party.NEXT_TRANSPORTER: "next_transporter_id",
        Party.RECEIVER: "receiver_id",
    }
    with sessions() as s:
        waiting: set[int] = set()
        for m in s.scalars(select(Manifest)):
            for action in actions_open_to(m.status):
                if action not in (Action.CREATE, Action.EDIT, Action.CANCEL, Action.NAME_NEXT):
                    waiting.add(getattr(m, parties[MOVES[action].by]))
        organisations = {o.id: o.name for o in s.scalars(select(Organization))}
        assert {organisations[i] for i in organisations if i not in waiting} == set()
        assert s.scalar(select(func.count()).select_from(Finding).where(Finding.status == "open"))


def test_demo_twice_adds_nothing_and_prints_fresh_tokens(hwm, sessions):
    first = hwm("demo")
    assert first.exit_code == 0, first.output
    models = (Organization, User, Manifest, CustodyEvent)
    counts = {m: _count(sessions, m) for m in models}

    second = hwm("demo")
    assert second.exit_code == 0, second.output
    assert {m: _count(sessions, m) for m in models} == counts
    emails = lambda out: re.findall(r"\S+@demo\.hwm\.cn", out)  # noqa: E731
    assert emails(second.output) == emails(first.output)
    assert not set(TOKEN_RE.findall(first.output)) & set(TOKEN_RE.findall(second.output))
    with sessions() as s:
        assert verify_ledger(s).valid


def test_demo_refused_half_way_writes_nothing(hwm, sessions):
    # The sample list lacks 397-005-22, a code of the demo's PCB manifests.
    assert hwm("catalogue", "import", str(DATA / "catalogue-sample.csv")).exit_code == 0
    _refused(hwm("demo"), "397-005-22", "not in the loaded official list")
    for model in (Organization, User, Regulator, Manifest, CustodyEvent):
        assert _count(sessions, model) == 0, model


def test_demo_warns_that_its_password_is_public(hwm):
    result = hwm("demo")
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and "demo-password" in result.stderr
    assert "Never load it into a database that real users reach" in result.stderr


def test_demo_refuses_a_database_with_real_accounts(hwm, sessions):
    """The production recipe: a first regulator made by hand; the demo then stays out."""
    result = hwm(
        "users", "create", "--email", "officer@jmepb.example.cn",
        "--regulator", "--region", "440700", input="a real secret\na real secret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "a real secret" not in result.stdout  # the prompt does not echo it
    _refused(hwm("demo"), "not the demo's", "1 users")
    with sessions() as s:
        assert [u.email for u in s.scalars(select(User))] == ["officer@jmepb.example.cn"]
    assert _count(sessions, Organization) == 0
    assert _count(sessions, Manifest) == 0


def test_demo_refuses_a_database_with_a_real_organisation(hwm, factory, sessions):
    _refused(hwm("demo"), "1 organisations")
    assert _count(sessions, User) == 0


def test_a_user_made_on_the_command_line_signs_in_with_the_prompted_password(hwm, client):
    result = hwm(
        "users", "create", "--email", "officer@jmepb.example.cn",
        "--regulator", "--region", "440700", input="first secret\nfirst secret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    signed = client.post(
        "/api/v1/auth/token",
        json={"email": "officer@jmepb.example.cn", "password": "first secret"},
    )
    assert signed.status_code == 201
    mismatch = hwm(
        "users", "create", "--email", "second@jmepb.example.cn",
        "--regulator", "--region", "440700", input="one secret\nanother one\n",
    )  # fmt: skip
    assert mismatch.exit_code != 0


# ---------------------------------------------------------------- users and tokens


@pytest.fixture
def factory(uow):
    """A registered generator to add users to."""
    return registry.create_organization(
        uow,
        actor=None,
        name="江门市测试五金厂",
        uscc=make_uscc("440704", "MA5T3HT01"),
        roles=["generator"],
        region_code="440704",
    )


def test_users_create_for_an_organisation(hwm, factory, sessions):
    result = hwm(
        "users", "create", "--email", "Foreman@Example.cn", "--password", "long enough",
        "--org", factory.uscc, "--role", "reader",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "foreman@example.cn" in result.output
    with sessions() as s:
        user = s.scalar(select(User).where(User.email == "foreman@example.cn"))
        assert (user.organization_id, user.role) == (factory.id, "reader")


def test_users_create_regulator_makes_and_reuses_the_body(hwm, sessions):
    for email in ("officer@jmepb.example.cn", "second@jmepb.example.cn"):
        result = hwm(
            "users", "create", "--email", email, "--password", "long enough",
            "--regulator", "--region", "440700",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    with sessions() as s:
        users = list(s.scalars(select(User).order_by(User.id)))
        assert [u.email for u in users] == ["officer@jmepb.example.cn", "second@jmepb.example.cn"]
        assert users[0].regulator_id == users[1].regulator_id is not None
        assert users[0].regulator.region_codes == ["440700"]
    assert _count(sessions, Regulator) == 1


@pytest.mark.parametrize(
    "args, phrases",
    [
        (["--org", make_uscc("440703", "MA5N0B0DY")], ["no organisation with USCC"]),
        (["--org", "91440703MA5NOBODY"], ["no organisation"]),
        (["--org", "@ORG", "--email", "not-an-address"], ["email", "not an e-mail address"]),
        (["--org", "@ORG", "--password", "short"], ["password", "at least 8 characters"]),
        (["--regulator"], ["--region"]),
        (["--regulator", "--region", "4407"], ["region_code", "6 digits"]),
        (["--regulator", "--region", "440700", "--org", "@ORG"], ["no --org"]),
        ([], ["--org", "--regulator"]),
        (["--org", "@ORG", "--role", "owner"], ["owner"]),
    ],
    ids=[
        "unknown-uscc", "malformed-uscc", "bad-email", "short-password", "missing-region",
        "bad-region", "regulator-with-org", "no-org", "bad-role",
    ],
)  # fmt: skip
def test_users_create_refusals_are_clear_and_change_nothing(hwm, factory, sessions, args, phrases):
    base = {"--email": "someone@example.cn", "--password": "long enough"}
    args = [factory.uscc if a == "@ORG" else a for a in args]
    for flag, value in base.items():
        if flag not in args:
            args += [flag, value]
    _refused(hwm("users", "create", *args), *phrases)
    assert _count(sessions, User) == 0
    assert _count(sessions, Regulator) == 0


def test_users_create_refuses_a_taken_email(hwm, factory, sessions):
    args = ["users", "create", "--email", "a@example.cn", "--password", "long enough"]
    assert hwm(*args, "--org", factory.uscc).exit_code == 0
    _refused(hwm(*args, "--regulator", "--region", "440700"), "exists already")
    assert _count(sessions, User) == 1


def test_tokens_create_prints_a_token_that_signs_in(hwm, factory, client):
    hwm(
        "users", "create", "--email", "clerk@example.cn", "--password", "long enough",
        "--org", factory.uscc,
    )  # fmt: skip
    result = hwm("tokens", "create", "--email", "clerk@example.cn")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert "\n" not in token

    resp = client.get("/api/v1/manifests", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    resp = client.get("/api/v1/manifests", headers={"Authorization": f"Bearer {token}x"})
    assert resp.status_code == 401


def test_tokens_revoke_stops_the_token(hwm, factory, client):
    hwm(
        "users", "create", "--email", "clerk@example.cn", "--password", "long enough",
        "--org", factory.uscc,
    )  # fmt: skip
    token = hwm("tokens", "create", "--email", "clerk@example.cn").output.strip()
    assert hwm("tokens", "revoke", token).exit_code == 0
    resp = client.get("/api/v1/manifests", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    _refused(hwm("tokens", "revoke", "hwm_not-a-token"), "unknown token")


def test_users_deactivate_and_reactivate_any_account(hwm, factory, client):
    hwm(
        "users", "create", "--email", "officer@jmepb.example.cn", "--password", "long enough",
        "--regulator", "--region", "440700",
    )  # fmt: skip
    credentials = {"email": "officer@jmepb.example.cn", "password": "long enough"}
    token = client.post("/api/v1/auth/token", json=credentials).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/manifests", headers=headers).status_code == 200

    result = hwm("users", "deactivate", "--email", "officer@jmepb.example.cn")
    assert result.exit_code == 0 and "deactivated" in result.output, result.output
    assert client.get("/api/v1/manifests", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json=credentials).status_code == 422

    assert hwm("users", "reactivate", "--email", "officer@jmepb.example.cn").exit_code == 0
    assert client.get("/api/v1/manifests", headers=headers).status_code == 401  # revoked
    assert client.post("/api/v1/auth/token", json=credentials).status_code == 201

    hwm(
        "users", "create", "--email", "boss@example.cn", "--password", "long enough",
        "--org", factory.uscc, "--role", "admin",
    )  # fmt: skip
    _refused(hwm("users", "deactivate", "--email", "boss@example.cn"), "last active")
    _refused(hwm("users", "deactivate", "--email", "nobody@example.cn"), "no user")


def test_tokens_create_lives_the_days_asked(hwm, factory, sessions):
    hwm(
        "users", "create", "--email", "clerk@example.cn", "--password", "long enough",
        "--org", factory.uscc,
    )  # fmt: skip
    for days in ("2", None):
        args = ("--days", days) if days else ()
        result = hwm("tokens", "create", "--email", "clerk@example.cn", *args)
        assert result.exit_code == 0, result.output
        with sessions() as s:
            row = s.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
            lifetime = row.expires_at - row.created_at
        assert lifetime == timedelta(days=int(days or 30))
    _refused(hwm("tokens", "create", "--email", "clerk@example.cn", "--days", "0"), "--days")


def test_tokens_create_for_an_unknown_user_is_refused(hwm):
    _refused(hwm("tokens", "create", "--email", "nobody@example.cn"), "no user")


# ---------------------------------------------------------------- catalogue


def test_catalogue_import_reports_counts(hwm, sessions):
    result = hwm("catalogue", "import", str(DATA / "catalogue-sample.csv"))
    assert result.exit_code == 0, result.output
    loaded = _count(sessions, WasteCode)
    assert loaded > 40
    assert f"{loaded} codes added, 0 updated, 0 rows rejected" in result.output

    again = hwm("catalogue", "import", str(DATA / "catalogue-sample.csv"))
    assert f"0 codes added, {loaded} updated, 0 rows rejected" in again.output
    assert _count(sessions, WasteCode) == loaded


def test_catalogue_import_reports_rejected_rows_with_line_numbers(hwm, sessions):
    result = hwm("catalogue", "import", str(DATA / "catalogue-bad.csv"))
    assert result.exit_code == 0, result.output
    reported = [int(n) for n in re.findall(r"^\s+line (\d+):", result.output, re.M)]
    # Wrong category, malformed code, withdrawn HW42, unknown hazard X, duplicate, empty
    # name, no hazard, extra field, unknown hazard Q.
    assert {3, 4, 5, 6, 7, 8, 9, 10, 15} <= set(reported)
    assert re.search(rf"\b{len(reported)} rows rejected", result.output)
    assert "line 4:" in result.output and "33606417X" in result.output
    with sessions() as s:
        assert s.get(WasteCode, "336-064-17") is not None
        assert s.get(WasteCode, "900-249-08") is None


def test_catalogue_import_of_a_missing_file_is_refused(hwm, tmp_path):
    _refused(hwm("catalogue", "import", str(tmp_path / "nope.csv")), "does not exist")


# ---------------------------------------------------------------- receipts


def test_receipts_import_reads_a_gb18030_export(hwm, world, sessions, tmp_path):
    export = tmp_path / "磅单.csv"
    export.write_bytes(
        (
            "磅单号,车牌号,进场时间,净重(吨)\n"
            "B-0001,粤J 12345,2024/5/6 9:30,10.2\n"
            "B-0002,粤J 12345,2024/5/7 9:30,9.8\n"
        ).encode("gb18030")
    )
    result = hwm("receipts", "import", str(export), "--receiver", world.centre.org.uscc)
    assert result.exit_code == 0, result.output
    assert "2 created, 0 duplicates, 0 matched, 2 unmanifested" in result.output
    with sessions() as s:
        tickets = s.scalars(select(WeighbridgeReceipt.ticket).order_by(WeighbridgeReceipt.ticket))
        assert list(tickets) == ["B-0001", "B-0002"]


def test_receipts_import_of_an_unreadable_file_is_refused_and_stores_nothing(
    hwm, world, sessions, tmp_path
):
    export = tmp_path / "binary.csv"
    export.write_bytes(b"ticket,plate,arrived_at,net_kg\n\xff\xfe\xff,1,2,3\n")
    result = hwm("receipts", "import", str(export), "--receiver", world.centre.org.uscc)
    _refused(result, "neither UTF-8 nor GB18030", "unreadable encoding")
    assert _count(sessions, WeighbridgeReceipt) == 0


def test_after_import_unlisted_codes_are_refused(hwm, world, client):
    # Filed before the list is loaded: 336-063-17 is well-formed but not in the sample list.
    early = create_manifest(world)
    assert "336-063-17" in {ln.waste_code for ln in early.lines}
    assert hwm("catalogue", "import", str(DATA / "catalogue-sample.csv")).exit_code == 0

    unlisted = {"waste_code": "336-066-17", "name": "电镀污泥", "physical_form": "SS",
                "hazard": ["T"], "quantity": "5", "unit": "t"}  # fmt: skip
    body = hazardous_body(world, lines=[unlisted])
    body["planned_pickup_at"] = body["planned_pickup_at"].isoformat()
    resp = client.post("/api/v1/manifests", json=body, headers=world.plating.auth())
    assert resp.status_code == 422, resp.get_json()
    assert "336-066-17" in str(resp.get_json())

    listed = dict(unlisted, waste_code="336-064-17")
    body["lines"] = [listed]
    resp = client.post("/api/v1/manifests", json=body, headers=world.plating.auth())
    assert resp.status_code == 201, resp.get_json()

    with pytest.raises(ValidationFailed, match="336-063-17"):
        lifecycle.issue_manifest(
            world.uow,
            actor=world.plating.actor(),
            ref=early.id,
            at=datetime.now(UTC) - timedelta(minutes=1),
        )


def test_the_operator_sets_the_service_wide_default_and_it_is_recorded(hwm, sessions):
    from manifest.models import ReconcileTolerance, ToleranceChange

    result = hwm("tolerances", "set", "--kind", "sludge", "--mass-pct", "8")
    assert result.exit_code == 0, result.output
    assert "service-wide default: 8.00 % and 10 kg" in result.output
    _refused(hwm("tolerances", "set", "--kind", "sludge", "--mass-pct", "101"), "mass_pct")
    _refused(hwm("tolerances", "set", "--kind", "sludge", "--region", "4407"), "region_code")
    with sessions() as s:
        [row] = s.scalars(select(ReconcileTolerance)).all()
        [change] = s.scalars(select(ToleranceChange)).all()
    assert (row.kind, row.mass_pct) == ("sludge", 8)
    assert (change.region_code, change.old_mass_pct, change.mass_pct) == (None, None, 8)
    assert change.changed_by_id is None

    cleared = hwm("tolerances", "clear", "--kind", "sludge")
    assert cleared.exit_code == 0, cleared.output
    assert "now follows the service-wide default: 5 % and 10 kg" in cleared.output
    _refused(hwm("tolerances", "clear", "--kind", "sludge"), "no sludge tolerance")
    with sessions() as s:
        assert s.scalars(select(ReconcileTolerance)).all() == []
        [_, clearing] = s.scalars(select(ToleranceChange).order_by(ToleranceChange.id)).all()
    assert (clearing.cleared, clearing.old_mass_pct, clearing.mass_pct) == (True, 8, 5)
