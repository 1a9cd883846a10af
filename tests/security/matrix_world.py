"""The world the authorisation matrix runs in, built through the services with real rows.

Three sides, each with a generator, a transporter and a receiver:

- ``own``: the parties whose users are the identities under test (every user role);
- ``other``: another set of organisations in the same region (Jiangmen, 440700);
- ``far``: organisations of another region (Guangzhou, 440100).

Objects (manifests in a given status, their findings and tracks, the organisations) are made
on demand for a side and cached until a request changes them; see ``Objects``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

from manifest.models import Finding
from manifest.services import lifecycle, registry, tracks
from manifest.services.drafts import create_manifest
from manifest.uscc import make_uscc
from tests.builders import PASSWORD

HERE, FAR = "440700", "440100"
PARTIES = ("gen", "car", "rec")
ROLES = ("admin", "member", "driver", "reader")
SIDES = ("own", "other", "far")
IDENTITIES = (
    *(f"{p}:{r}" for p in PARTIES for r in ROLES),
    "regulator:here",
    "regulator:far",
    "anonymous",
)
ORG_ROLE = {"gen": "generator", "car": "transporter", "rec": "receiver"}
WASTE_CODE = "336-064-17"
STATUSES = ("draft", "issued", "in_transit", "delivered", "accepted")

_serial = count(1)


def serial() -> int:
    """A number never used before in this run, for unique plates, e-mails and tickets."""
    return next(_serial)


@dataclass
class Org:
    id: int
    side: str
    party: str  # gen, car, rec (or "relay": a transporter that hands a load over)
    region: str
    plate: str | None = None
    users: dict = field(default_factory=dict)  # user role -> (user, token)

    def actor(self, role: str = "admin"):
        return registry.actor_for_user(self.users[role][0])


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class MatrixWorld:
    """Organisations of the three sides, the identities' tokens and the regulators."""

    def __init__(self, uow):
        self.uow = uow
        self.orgs: dict[tuple[str, str], Org] = {}
        self.tokens: dict[str, str] = {}
        self.users: dict[str, object] = {}
        for side, region in (("own", "440703"), ("other", "440704"), ("far", "440106")):
            for party in (*PARTIES, "relay"):
                self.orgs[side, party] = self._org(side, party, region)
        for party in PARTIES:
            org = self.orgs["own", party]
            for role in ROLES:
                if role != "admin":
                    self._user(org, role)
                user, token = org.users[role]
                self.users[f"{party}:{role}"], self.tokens[f"{party}:{role}"] = user, token
        for name, region in (("here", HERE), ("far", FAR)):
            user = registry.create_regulator_user(
                uow,
                email=f"officer.{name}@matrix.example.cn",
                password=PASSWORD,
                region_code=region,
            )
            self.users[f"regulator:{name}"] = user
            self.tokens[f"regulator:{name}"] = registry.issue_token(uow, email=user.email)

    def org(self, side: str, party: str) -> Org:
        return self.orgs[side, party]

    def _org(self, side: str, party: str, region: str) -> Org:
        role = ORG_ROLE.get(party, "transporter")
        n = serial()
        row = registry.create_organization(
            self.uow,
            actor=None,
            name=f"矩阵{side}{party}{n}有限公司",
            uscc=make_uscc(region, f"MX{n:07d}"),
            roles=[role],
            region_code=region,
            address="测试地址",
            location={"lat": 22.58, "lon": 113.08},
            key_supervision=False,
        )
        org = Org(row.id, side, party, region)
        self._user(org, "admin")
        if role == "receiver":
            self._licence(org, "hw_operation", ["HW17"], ["D10"])
        if role == "transporter":
            self._licence(org, "dg_transport", [], [])
            org.plate = f"粤J{n:05d}"
            registry.add_vehicle(
                self.uow, actor=None, organization_id=org.id, plate=org.plate, max_load_t="30"
            )
        return org

    def _licence(self, org: Org, kind: str, codes: list[str], operations: list[str]) -> None:
        registry.add_licence(
            self.uow,
            actor=None,
            organization_id=org.id,
            kind=kind,
            number=f"MX-{kind}-{org.id}",
            valid_from=date.today() - timedelta(days=365),
            valid_to=date.today() + timedelta(days=3 * 365),
            waste_codes=codes,
            annual_capacity_t={"*": "100000"} if codes else {},
            operations=operations,
        )

    def _user(self, org: Org, role: str) -> None:
        email = f"{role}.{org.id}.{serial()}@matrix.example.cn"
        user = registry.add_member(
            self.uow, actor=None, organization_id=org.id, email=email, password=PASSWORD, role=role
        )
        org.users[role] = (user, registry.issue_token(self.uow, email=email))

    def fresh_token(self, identity: str) -> str | None:
        """A new token of ``identity``'s user (for signing out without losing the fixture's)."""
        user = self.users.get(identity)
        return None if user is None else registry.issue_token(self.uow, email=user.email)

    # ------------------------------------------------------------------ manifests

    def manifest(self, side: str, status: str, *, carrier: str = "car", short: bool = False):
        """A manifest of ``side``'s generator, carried by ``side``'s ``carrier`` and addressed
        to ``side``'s receiver, moved faithfully to ``status`` through the services.

        ``short`` delivers half of what was loaded, so the delivery raises a finding."""
        gen, car, rec = (self.org(side, p) for p in ("gen", carrier, "rec"))
        m = create_manifest(
            self.uow,
            actor=gen.actor(),
            data={
                "kind": "hazardous",
                "transporter_id": car.id,
                "vehicle_plate": car.plate,
                "receiver_id": rec.id,
                "planned_pickup_at": _now() + timedelta(hours=2),
                "operation": "D10",
                "lines": [
                    {
                        "waste_code": WASTE_CODE,
                        "name": "电镀污泥",
                        "physical_form": "SS",
                        "hazard": ["T"],
                        "packaging": "吨袋",
                        "container_count": 2,
                        "quantity": "2.000",
                        "unit": "t",
                    }
                ],
            },
        )
        t = _now() - timedelta(hours=5)
        steps = STATUSES[1 : STATUSES.index(status) + 1]
        for step in steps:
            t += timedelta(minutes=30)
            if step == "issued":
                m = lifecycle.issue_manifest(self.uow, actor=gen.actor(), ref=m.id, at=t)
            elif step == "in_transit":
                m = lifecycle.pickup(
                    self.uow,
                    actor=car.actor(),
                    ref=m.id,
                    vehicle_plate=car.plate,
                    driver="李师傅",
                    at=t,
                    lines=[{"line_no": 1, "quantity": Decimal("2")}],
                )
            elif step == "delivered":
                received = Decimal("1") if short else Decimal("2")
                m = lifecycle.deliver(
                    self.uow,
                    actor=rec.actor(),
                    ref=m.id,
                    at=t,
                    lines=[{"line_no": 1, "quantity": received}],
                )
            elif step == "accepted":
                m = lifecycle.decide(
                    self.uow,
                    actor=rec.actor(),
                    ref=m.id,
                    at=t,
                    lines=[{"line_no": 1, "accepted": Decimal("2"), "rejected": Decimal("0")}],
                )
        return m

    def finding(self, side: str) -> Finding:
        """A quantity finding raised by a short delivery on a manifest of ``side``."""
        m = self.manifest(side, "delivered", short=True)
        s = self.uow.session
        s.expire_all()
        finding = s.query(Finding).filter(Finding.manifest_id == m.id).first()
        assert finding is not None, "a short delivery raises a finding"
        return finding

    def track(self, side: str):
        """A GPS track uploaded by ``side``'s carrier for a manifest on the road."""
        m = self.manifest(side, "in_transit")
        car = self.org(side, "car")
        row, created = tracks.upload_track(
            self.uow, actor=car.actor(), ref=m.id, data=gpx(_now() - timedelta(hours=3))
        )
        assert created
        return m, row


def gpx(start: datetime, fixes: int = 6) -> bytes:
    """A short GPX log near Jiangmen starting at ``start``, one fix a minute."""
    points = "".join(
        f'<trkpt lat="{22.58 + i * 0.001:.5f}" lon="{113.08 + i * 0.001:.5f}">'
        f"<time>{(start + timedelta(minutes=i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for i in range(fixes)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gpx version="1.1" creator="matrix" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()
