"""The request each operation of the matrix sends: a real, valid one for the object at hand.

Every identity sends the same valid request for an object, so an allowed cell really
succeeds and a refusal is an authorisation refusal, not a validation error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from manifest.models import ApiToken
from manifest.passwords import token_digest
from manifest.services import handover, registry, terminals, tracks
from manifest.services.tolerances import set_tolerance
from manifest.uscc import make_uscc
from tests.builders import PASSWORD
from tests.gps import synth

from .matrix_world import MatrixWorld, gpx, serial

MISSING_ID = 987654321
MISSING_NUMBER = "44070099999999"


@dataclass
class Target:
    """What a cell's path names, and the values that stand in for it."""

    manifest: object = None
    finding: object = None
    track: object = None
    org_id: int | None = None

    @property
    def ref(self) -> int:
        return self.manifest.id


@dataclass
class Call:
    path: str
    json: object = None
    data: bytes | None = None
    content_type: str | None = None
    token: str | None = None  # a token of its own instead of the identity's


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _earlier(**delta) -> str:
    return (datetime.now(UTC).replace(microsecond=0) - timedelta(**delta)).isoformat()


class Objects:
    """Objects for the cells, made when first needed and made again once a request changed
    them (any 2xx answer to a write), so no cell's success shapes the next cell."""

    def __init__(self, world: MatrixWorld):
        self.world = world
        self.cache: dict[tuple[str, str, str], Target] = {}

    def get(self, target: str, side: str, identity: str) -> Target:
        party = identity.split(":")[0] if target == "org:self" else ""
        key = (target, side, party)
        if key not in self.cache:
            self.cache[key] = self._make(target, side, party)
        return self.cache[key]

    def spent(self, target: str, side: str) -> None:
        for key in [k for k in self.cache if k[:2] == (target, side)]:
            del self.cache[key]

    def _make(self, target: str, side: str, party: str) -> Target:
        w = self.world
        kind, _, detail = target.partition(":")
        if target == "none":
            return Target()
        if kind == "org":
            # org:self is the caller's own kind of organisation (a regulator: the generator).
            own_kind = party if party in ("gen", "car", "rec") else "gen"
            return Target(org_id=w.org(side, own_kind if detail == "self" else "car").id)
        if kind == "finding":
            return Target(finding=w.finding(side))
        if kind == "track":
            manifest, track = w.track(side)
            return Target(manifest=manifest, track=track)
        if kind == "receipt":
            return Target(manifest=w.manifest(side, "in_transit"))
        if detail == "named":
            manifest = w.manifest(side, "in_transit", carrier="relay")
            manifest = handover.name_next_transporter(
                w.uow,
                actor=w.org(side, "relay").actor(),
                ref=manifest.id,
                transporter_id=w.org(side, "car").id,
                at=datetime.now(UTC).replace(microsecond=0),
            )
            return Target(manifest=manifest)
        if detail == "routed":
            manifest = w.manifest(side, "issued")
            tracks.set_route(
                w.uow,
                actor=w.org(side, "gen").actor(),
                ref=manifest.id,
                data=synth.route_geojson(),
                content_type="application/geo+json",
            )
            return Target(manifest=manifest)
        return Target(manifest=w.manifest(side, detail))


def _lines(target: Target, key: str = "quantity") -> list[dict]:
    return [{"line_no": ln.line_no, key: "2"} for ln in target.manifest.lines]


def _manifest_path(suffix: str = "") -> Callable:
    def build(w, identity, t, missing):
        ref = MISSING_ID if missing else t.ref
        return Call(f"/api/v1/manifests/{ref}{suffix}")

    return build


def _move(suffix: str, body: Callable) -> Callable:
    def build(w, identity, t, missing):
        ref = MISSING_ID if missing else t.ref
        return Call(f"/api/v1/manifests/{ref}{suffix}", json=body(w, identity, t))

    return build


def _track_path(suffix: str = "") -> Callable:
    def build(w, identity, t, missing):
        ref, track = (MISSING_ID, MISSING_ID) if missing else (t.ref, t.track.id)
        return Call(f"/api/v1/manifests/{ref}/tracks/{track}{suffix}")

    return build


def _finding(suffix: str = "", body: Callable | None = None) -> Callable:
    def build(w, identity, t, missing):
        fid = MISSING_ID if missing else t.finding.id
        return Call(f"/api/v1/findings/{fid}{suffix}", json=body() if body else None)

    return build


def _org(suffix: str = "", body: Callable | None = None) -> Callable:
    def build(w, identity, t, missing):
        oid = MISSING_ID if missing else t.org_id
        return Call(f"/api/v1/organizations/{oid}{suffix}", json=body() if body else None)

    return build


def _fixed(path: str, body: Callable | None = None) -> Callable:
    def build(w, identity, t, missing):
        return Call(path, json=body() if body else None)

    return build


def _sign_out(w: MatrixWorld, identity, t, missing) -> Call:
    # A token of its own, so signing out leaves the identity's token working for later cells.
    return Call("/api/v1/auth/token", token=w.fresh_token(identity))


def _revoke_own_token(w: MatrixWorld, identity, t, missing) -> Call:
    fresh = w.fresh_token(identity)
    token_id = MISSING_ID
    if fresh is not None and not missing:
        digest = token_digest(fresh)
        token_id = w.uow.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest))
    return Call(f"/api/v1/auth/tokens/{token_id}")


def _clear_tolerance(w: MatrixWorld, identity, t, missing) -> Call:
    """Give Jiangmen a setting of its own first, so every cell has one to remove."""
    set_tolerance(w.uow, actor=None, kind="hazardous", region_code="440700", mass_pct="7")
    return Call("/api/v1/tolerances/hazardous?region=440700")


def _deactivate_member(w: MatrixWorld, identity, t, missing) -> Call:
    """Deactivate a member made for the call, so every cell has one to deactivate."""
    if missing:
        return Call(
            f"/api/v1/organizations/{MISSING_ID}/members/{MISSING_ID}", json={"active": False}
        )
    member = registry.add_member(
        w.uow,
        actor=None,
        organization_id=t.org_id,
        email=f"leaver.{serial()}@matrix.example.cn",
        password=PASSWORD,
        role="member",
    )
    return Call(f"/api/v1/organizations/{t.org_id}/members/{member.id}", json={"active": False})


def _sign_in(w: MatrixWorld, identity, t, missing) -> Call:
    user = w.users["gen:admin"]
    return Call(
        "/api/v1/auth/token",
        json={"email": user.email, "password": PASSWORD},
    )


def _draft_body(w: MatrixWorld) -> dict:
    car, rec = w.org("own", "car"), w.org("own", "rec")
    return {
        "kind": "hazardous",
        "transporter_id": car.id,
        "vehicle_plate": car.plate,
        "receiver_id": rec.id,
        "planned_pickup_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        "operation": "D10",
        "lines": [
            {
                "waste_code": "336-064-17",
                "name": "电镀污泥",
                "physical_form": "SS",
                "hazard": ["T"],
                "quantity": "1",
                "unit": "t",
            }
        ],
    }


def _organization_body() -> dict:
    n = serial()
    return {
        "name": f"矩阵新登记{n}有限公司",
        "uscc": make_uscc("440703", f"MN{n:07d}"),
        "roles": ["generator"],
        "region_code": "440703",
    }


def _licence_body() -> dict:
    today = datetime.now(UTC).date()
    return {
        "kind": "dg_transport",
        "number": f"粤交运管危字MX{serial():06d}",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
    }


def _handoff_body(w: MatrixWorld, identity: str, t: Target) -> dict:
    party = identity.split(":")[0]
    org = w.org("own", party if party in ("gen", "car", "rec") else "car")
    return {
        "transporter_id": org.id,
        "vehicle_plate": w.org("own", "car").plate,
        "driver": "王师傅",
        "at": _now(),
        "lines": _lines(t),
    }


def _receipt(w: MatrixWorld, identity, t: Target, missing) -> Call:
    row = {
        "ticket": f"MX{serial():08d}",
        "plate": t.manifest.vehicle_plate,
        "arrived_at": _earlier(minutes=5),
        "gross_kg": "17000",
        "tare_kg": "15000",
        "net_kg": "2000",
        "manifest_number": MISSING_NUMBER if missing else t.manifest.number,
    }
    return Call("/api/v1/receipts", json=[row])


def _route(w, identity, t: Target, missing) -> Call:
    ref = MISSING_ID if missing else t.ref
    return Call(
        f"/api/v1/manifests/{ref}/route",
        data=synth.route_geojson(),
        content_type="application/geo+json",
    )


def _track_upload(w, identity, t: Target, missing) -> Call:
    ref = MISSING_ID if missing else t.ref
    start = datetime.now(UTC) - timedelta(hours=3, minutes=serial() % 50)
    return Call(
        f"/api/v1/manifests/{ref}/tracks", data=gpx(start), content_type="application/gpx+xml"
    )


def _bind_terminal(w: MatrixWorld, identity, t: Target, missing) -> Call:
    """Bind a new terminal to the transporter's vehicle (each success unbinds the last)."""
    oid = MISSING_ID if missing else t.org_id
    plate = next((o.plate for o in w.orgs.values() if o.id == t.org_id), "粤J00000")
    body = {"phone": f"139{serial():08d}", "vehicle_plate": plate, "plate_colour": 2}
    return Call(f"/api/v1/organizations/{oid}/terminals", json=body)


def _terminal_of_the_cell(body: Callable | None = None) -> Callable:
    """A terminal bound anew for each cell to the transporter's vehicle, named in the path."""

    def build(w: MatrixWorld, identity, t: Target, missing) -> Call:
        if missing:
            path = f"/api/v1/organizations/{MISSING_ID}/terminals/{MISSING_ID}"
            return Call(path, json=body(w, t) if body else None)
        org = next(o for o in w.orgs.values() if o.id == t.org_id)
        bound = terminals.bind_terminal(
            w.uow,
            actor=org.actor(),
            organization_id=org.id,
            phone=f"139{serial():08d}",
            vehicle_plate=org.plate,
            plate_colour=2,
        )
        path = f"/api/v1/organizations/{org.id}/terminals/{bound.terminal.id}"
        return Call(path, json=body(w, t) if body else None)

    return build


def _rebind_body(w: MatrixWorld, t: Target) -> dict:
    plate = next(o.plate for o in w.orgs.values() if o.id == t.org_id)
    return {"vehicle_plate": plate, "plate_colour": 1}


_TOLERANCE = {
    "region_code": "440700",
    "mass_pct": "5",
    "mass_abs_kg": "10",
    "moisture_points": "5",
}
_PERIOD = datetime.now(UTC).strftime("%Y-%m")

CALLS: dict[str, Callable] = {
    "POST /api/v1/auth/token": _sign_in,
    "DELETE /api/v1/auth/token": _sign_out,
    "GET /api/v1/auth/tokens": _fixed("/api/v1/auth/tokens"),
    "DELETE /api/v1/auth/tokens/{token_id}": _revoke_own_token,
    "GET /api/v1/auth/signins": _fixed("/api/v1/auth/signins"),
    "POST /api/v1/auth/password": _fixed(
        "/api/v1/auth/password",
        lambda: {"current_password": "not checked", "new_password": "short"},
    ),
    "GET /api/v1/waste-codes": _fixed("/api/v1/waste-codes?q=HW17"),
    "GET /healthz": _fixed("/healthz"),
    "GET /readyz": _fixed("/readyz"),
    "GET /api/v1/tolerances": _fixed("/api/v1/tolerances"),
    "PUT /api/v1/tolerances/{kind}": _fixed("/api/v1/tolerances/hazardous", lambda: _TOLERANCE),
    "DELETE /api/v1/tolerances/{kind}": _clear_tolerance,
    "GET /api/v1/tolerances/history": _fixed("/api/v1/tolerances/history?region=440700"),
    "GET /api/v1/ledger/verify": _fixed("/api/v1/ledger/verify"),
    "GET /api/v1/reports/balance": _fixed(f"/api/v1/reports/balance?period={_PERIOD}"),
    "GET /api/v1/reports/discrepancies": _fixed(
        "/api/v1/reports/discrepancies?from=2020-01-01&to=2030-01-01"
    ),
    "GET /api/v1/findings": _fixed("/api/v1/findings"),
    "GET /api/v1/manifests": _fixed("/api/v1/manifests"),
    "POST /api/v1/manifests": lambda w, i, t, m: Call("/api/v1/manifests", json=_draft_body(w)),
    "GET /api/v1/organizations": _fixed("/api/v1/organizations"),
    "POST /api/v1/organizations": _fixed("/api/v1/organizations", _organization_body),
    "GET /api/v1/organizations/{org_id}": _org(),
    "GET /api/v1/organizations/{org_id}/licences": _org("/licences"),
    "GET /api/v1/organizations/{org_id}/vehicles": _org("/vehicles"),
    "POST /api/v1/organizations/{org_id}/licences": _org("/licences", _licence_body),
    "POST /api/v1/organizations/{org_id}/vehicles": _org(
        "/vehicles", lambda: {"plate": f"粤J{serial() % 100000:05d}", "max_load_t": "10"}
    ),
    "POST /api/v1/organizations/{org_id}/members": _org(
        "/members",
        lambda: {
            "email": f"new.{serial()}@matrix.example.cn",
            "password": "a long enough password",
            "role": "member",
        },
    ),
    "GET /api/v1/organizations/{org_id}/members": _org("/members"),
    "GET /api/v1/organizations/{org_id}/member-changes": _org("/member-changes"),
    "POST /api/v1/organizations/{org_id}/terminals": _bind_terminal,
    "GET /api/v1/organizations/{org_id}/terminals": _org("/terminals"),
    "PUT /api/v1/organizations/{org_id}/terminals/{terminal_id}": _terminal_of_the_cell(
        _rebind_body
    ),
    "DELETE /api/v1/organizations/{org_id}/terminals/{terminal_id}": _terminal_of_the_cell(),
    "PATCH /api/v1/organizations/{org_id}/members/{user_id}": _deactivate_member,
    "GET /api/v1/manifests/{ref}": _manifest_path(),
    "GET /api/v1/manifests/{ref}.pdf": _manifest_path(".pdf"),
    "GET /api/v1/manifests/{ref}/events": _manifest_path("/events"),
    "GET /api/v1/manifests/{ref}/verify": _manifest_path("/verify"),
    "GET /api/v1/manifests/{ref}/route": _manifest_path("/route"),
    "GET /api/v1/manifests/{ref}/tracks": _manifest_path("/tracks"),
    "GET /api/v1/manifests/{ref}/position": _manifest_path("/position"),
    "GET /api/v1/manifests/{ref}/tracks/{track_id}": _track_path(),
    "GET /api/v1/manifests/{ref}/tracks/{track_id}.geojson": _track_path(".geojson"),
    "PATCH /api/v1/manifests/{ref}": _move("", lambda w, i, t: {"notes": "改期"}),
    "POST /api/v1/manifests/{ref}/issue": _move("/issue", lambda w, i, t: {"at": _now()}),
    "POST /api/v1/manifests/{ref}/cancel": _move(
        "/cancel", lambda w, i, t: {"reason": "客户取消", "at": _now()}
    ),
    "POST /api/v1/manifests/{ref}/pickup": _move(
        "/pickup",
        lambda w, i, t: {
            "vehicle_plate": t.manifest.vehicle_plate,
            "driver": "李师傅",
            "at": _now(),
            "lines": _lines(t),
        },
    ),
    "POST /api/v1/manifests/{ref}/next-transporter": _move(
        "/next-transporter",
        lambda w, i, t: {"transporter_id": w.org("own", "relay").id, "at": _now()},
    ),
    "POST /api/v1/manifests/{ref}/handoff": _move("/handoff", _handoff_body),
    "POST /api/v1/manifests/{ref}/deliver": _move(
        "/deliver", lambda w, i, t: {"at": _now(), "lines": _lines(t)}
    ),
    "POST /api/v1/manifests/{ref}/decide": _move(
        "/decide",
        lambda w, i, t: {
            "lines": [
                {"line_no": ln.line_no, "accepted": "2", "rejected": "0"} for ln in t.manifest.lines
            ]
        },
    ),
    "POST /api/v1/manifests/{ref}/complete": _move(
        "/complete", lambda w, i, t: {"operation": "D10", "completed_at": _now()}
    ),
    "PUT /api/v1/manifests/{ref}/route": _route,
    "POST /api/v1/manifests/{ref}/tracks": _track_upload,
    "POST /api/v1/receipts": _receipt,
    "GET /api/v1/findings/{finding_id}": _finding(),
    "PATCH /api/v1/findings/{finding_id}": _finding(
        "", lambda: {"severity": "violation", "note": "复核"}
    ),
    "POST /api/v1/findings/{finding_id}/comments": _finding(
        "/comments", lambda: {"body": "已核实，请说明"}
    ),
}
