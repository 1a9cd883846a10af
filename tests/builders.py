"""Builders that make real rows through the services, for tests and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from manifest.services import handover, lifecycle, registry
from manifest.services.drafts import create_manifest as create_draft
from manifest.uscc import make_uscc

PASSWORD = "correct horse battery"
JIANGMEN = "440700"


@dataclass
class Party:
    org: object
    users: dict = field(default_factory=dict)  # role -> (user, token)

    @property
    def id(self) -> int:
        return self.org.id

    def token(self, role: str = "admin") -> str:
        return self.users[role][1]

    def actor(self, role: str = "admin"):
        return registry.actor_for_user(self.users[role][0])

    def auth(self, role: str = "admin") -> dict:
        return {"Authorization": f"Bearer {self.token(role)}"}


@dataclass
class World:
    uow: object
    regulator: Party
    plating: Party  # electroplating plant, HW17 sludge
    wwtp: Party  # municipal wastewater plant, sewage sludge
    carrier: Party
    carrier2: Party
    centre: Party  # integrated disposal centre
    kiln: Party  # cement kiln co-processing sludge
    outsider: Party  # a generator in another city


_serial = iter(range(1, 10_000))


def org(uow, name, roles, region="440703", lat=22.58, lon=113.08, key=False) -> Party:
    body = f"MA{next(_serial):07d}"
    o = registry.create_organization(
        uow,
        actor=None,
        name=name,
        uscc=make_uscc(region, body),
        roles=roles,
        region_code=region,
        address=f"{name} 地址",
        location={"lat": lat, "lon": lon},
        key_supervision=key,
    )
    return Party(o)


def user(uow, party: Party, role: str) -> None:
    email = f"{role}.{party.org.id}@example.cn"
    u = registry.add_member(
        uow, actor=None, organization_id=party.id, email=email, password=PASSWORD, role=role
    )
    party.users[role] = (u, registry.issue_token(uow, email=email))


def build_world(uow, year: int | None = None) -> World:
    year = year or datetime.now(UTC).year
    reg_user = registry.create_regulator_user(
        uow, email="officer@jmepb.example.cn", password=PASSWORD, region_code=JIANGMEN
    )
    regulator = Party(None, {"admin": (reg_user, registry.issue_token(uow, email=reg_user.email))})
    plating = org(uow, "江门市恒美电镀有限公司", ["generator"], key=True)
    wwtp = org(uow, "江门市文昌沙水质净化厂", ["generator"], lat=22.60, lon=113.10)
    carrier = org(uow, "江门市安运危险品运输有限公司", ["transporter"], lat=22.55, lon=113.05)
    carrier2 = org(uow, "广东顺通物流有限公司", ["transporter"], region="440600")
    centre = org(
        uow, "江门市东江环保技术有限公司", ["receiver"], region="440705", lat=22.40, lon=113.00
    )
    kiln = org(uow, "台山市华润水泥有限公司", ["receiver"], region="440781", lat=22.25, lon=112.80)
    outsider = org(uow, "佛山市某化工有限公司", ["generator"], region="440604")
    for party in (plating, wwtp, carrier, carrier2, centre, kiln, outsider):
        user(uow, party, "admin")
    user(uow, plating, "reader")
    user(uow, carrier, "driver")
    start, end = date(year - 1, 1, 1), date(year + 2, 12, 31)
    registry.add_licence(
        uow,
        actor=None,
        organization_id=centre.id,
        kind="hw_operation",
        number="440700-HW-001",
        valid_from=start,
        valid_to=end,
        waste_codes=["HW17", "HW22", "HW01", "HW08"],
        annual_capacity_t={"HW17": "1000", "*": "5000"},
        operations=["D10", "D1", "R4"],
    )
    registry.add_licence(
        uow,
        actor=None,
        organization_id=kiln.id,
        kind="hw_operation",
        number="440781-HW-002",
        valid_from=start,
        valid_to=end,
        waste_codes=["HW17", "HW18"],
        annual_capacity_t={"HW17": "100"},
        operations=["R5", "D10"],
    )
    for party, number in ((carrier, "粤交运管危字440700001"), (carrier2, "粤交运管危字440600002")):
        registry.add_licence(
            uow,
            actor=None,
            organization_id=party.id,
            kind="dg_transport",
            number=number,
            valid_from=start,
            valid_to=end,
            waste_codes=[],
            annual_capacity_t={},
            operations=[],
        )
    registry.add_vehicle(
        uow, actor=None, organization_id=carrier.id, plate="粤J12345", max_load_t="10"
    )
    registry.add_vehicle(
        uow, actor=None, organization_id=carrier.id, plate="粤J88888", max_load_t="30"
    )
    registry.add_vehicle(
        uow, actor=None, organization_id=carrier2.id, plate="粤E54321", max_load_t="20"
    )
    return World(uow, regulator, plating, wwtp, carrier, carrier2, centre, kiln, outsider)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


#: The first line of a hazardous draft: eight tonne bags of electroplating sludge.
PLATING_SLUDGE = {
    "waste_code": "336-064-17",
    "name": "电镀污泥",
    "physical_form": "SS",
    "hazard": ["T"],
    "packaging": "吨袋",
    "container_count": 8,
    "quantity": "6.000",
    "unit": "t",
}


def pickup_body(manifest) -> dict:
    """The driver's pickup of an issued manifest, loading exactly what was declared."""
    return {
        "vehicle_plate": "粤J12345",
        "driver": "李师傅",
        "at": now().isoformat(),
        "lines": [{"line_no": ln.line_no, "quantity": str(ln.declared)} for ln in manifest.lines],
    }


def hazardous_body(world: World, **overrides) -> dict:
    body = {
        "kind": "hazardous",
        "transporter_id": world.carrier.id,
        "vehicle_plate": "粤J12345",
        "receiver_id": world.centre.id,
        "planned_pickup_at": now() + timedelta(hours=2),
        "operation": "D10",
        "lines": [
            dict(PLATING_SLUDGE),
            {
                "waste_code": "336-063-17",
                "name": "电镀废液",
                "physical_form": "L",
                "hazard": ["T", "C"],
                "packaging": "IBC",
                "container_count": 2,
                "quantity": "1500",
                "unit": "kg",
            },
        ],
    }
    body.update(overrides)
    return body


def sludge_body(world: World, **overrides) -> dict:
    body = {
        "kind": "sludge",
        "transporter_id": world.carrier.id,
        "vehicle_plate": "粤J88888",
        "receiver_id": world.kiln.id,
        "planned_pickup_at": now() + timedelta(hours=2),
        "operation": "R5",
        "moisture_pct": "80",
        "lines": [
            {
                "waste_code": "462-001-S07",
                "name": "市政污泥",
                "physical_form": "SS",
                "quantity": "20",
                "unit": "t",
            }
        ],
    }
    body.update(overrides)
    return body


def create_manifest(
    world: World, *, kind: str = "hazardous", generator: Party | None = None, **overrides
):
    """A real draft, filed through the service by the generator's administrator."""
    gen = generator or (world.plating if kind == "hazardous" else world.wwtp)
    body = (hazardous_body if kind == "hazardous" else sludge_body)(world, **overrides)
    return create_draft(world.uow, actor=gen.actor(), data=body)


def advance(world: World, manifest, to: str):
    """Move a manifest through the lifecycle with faithful tallies until it reaches ``to``."""
    order = ["draft", "issued", "in_transit", "delivered", "accepted", "completed"]
    gen = (
        world.plating
        if manifest.generator_id == world.plating.id
        else (world.wwtp if manifest.generator_id == world.wwtp.id else world.outsider)
    )
    receiver = world.centre if manifest.receiver_id == world.centre.id else world.kiln
    t = now() - timedelta(hours=5)
    ref = manifest.id
    for step in order[order.index(manifest.status) + 1 : order.index(to) + 1]:
        t += timedelta(minutes=30)
        if step == "issued":
            manifest = lifecycle.issue_manifest(world.uow, actor=gen.actor(), ref=ref, at=t)
        elif step == "in_transit":
            manifest = lifecycle.pickup(
                world.uow,
                actor=world.carrier.actor("driver"),
                ref=ref,
                vehicle_plate=manifest.vehicle_plate,
                driver="李师傅",
                at=t,
                lines=[{"line_no": ln.line_no, "quantity": ln.declared} for ln in manifest.lines],
            )
        elif step == "delivered":
            manifest = lifecycle.deliver(
                world.uow,
                actor=receiver.actor(),
                ref=ref,
                at=t,
                moisture_pct=manifest.moisture_pct,
                lines=[{"line_no": ln.line_no, "quantity": ln.loaded} for ln in manifest.lines],
            )
        elif step == "accepted":
            manifest = lifecycle.decide(
                world.uow,
                actor=receiver.actor(),
                ref=ref,
                at=t,
                lines=[
                    {"line_no": ln.line_no, "accepted": ln.received, "rejected": Decimal(0)}
                    for ln in manifest.lines
                ],
            )
        elif step == "completed":
            manifest = lifecycle.complete(
                world.uow,
                actor=receiver.actor(),
                ref=ref,
                operation=manifest.operation,
                completed_at=t,
            )
    return manifest


def name_next(world: World, manifest, next_carrier: Party, at: datetime | None = None):
    """The current carrier's administrator names ``next_carrier`` as the next transporter,
    the consent a hand-over needs."""
    current = world.carrier2 if manifest.transporter_id == world.carrier2.id else world.carrier
    return handover.name_next_transporter(
        world.uow,
        actor=current.actor(),
        ref=manifest.id,
        transporter_id=next_carrier.id,
        at=at or now(),
    )
