"""The Jiangmen demo data set behind ``hwm demo``.

Everything is made through the services, as a regulator and the parties would make it over
the API: organisations, licences, vehicles, users, and manifests moved through their signed
lifecycle. The organisations and people are invented; the places are real industrial areas
of Jiangmen, so maps and route checks look plausible.

The whole set is written in one transaction: a failure half-way leaves nothing behind. A
second run finds the set already there and only issues fresh tokens for its accounts. Every
demo account shares one published password, so a database that holds anything else (a real
organisation or user) is refused: the demo never lands on a production database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..actor import Actor
from ..errors import Conflict
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import Organization, User
from ..numbering import CHINA
from ..services import handover, lifecycle, registry
from ..services.drafts import create_manifest
from ..uscc import make_uscc

PASSWORD = "demo-password"
DOMAIN = "demo.hwm.cn"
REGION = "440700"


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    body: str  # characters 9-17 of the credit code
    region: str
    roles: tuple[str, ...]
    address: str
    lat: str
    lon: str
    email: str
    key_supervision: bool = False


SITES = (
    Site(
        "plating",
        "江门市恒美电镀有限公司",
        "MA4W1HM07",
        "440705",
        ("generator",),
        "新会区崖门镇崖门定点电镀工业基地 B3 栋",
        "22.2856",
        "113.0812",
        "plating",
        key_supervision=True,
    ),
    Site(
        "pcb",
        "江门市海纳电路科技有限公司",
        "MA52PCB3X",
        "440704",
        ("generator",),
        "江海区高新技术产业开发区金瓯路 18 号",
        "22.5542",
        "113.1236",
        "pcb",
        key_supervision=True,
    ),
    Site(
        "wwtp",
        "江门市文昌沙水质净化厂",
        "MA4X7WCH1",
        "440703",
        ("generator",),
        "蓬江区文昌沙江边路 2 号",
        "22.5893",
        "113.0718",
        "wwtp",
    ),
    Site(
        "hospital",
        "开平市潭江人民医院",
        "MB2K8TJ45",
        "440783",
        ("generator",),
        "开平市长沙街道东兴大道 66 号",
        "22.3795",
        "112.6981",
        "hospital",
    ),
    Site(
        "carrier",
        "江门市安运危险货物运输有限公司",
        "MA53AY9K2",
        "440703",
        ("transporter",),
        "蓬江区棠下镇堡棠路 128 号",
        "22.6471",
        "113.0502",
        "carrier",
    ),
    Site(
        "relay",
        "台山市海通危险品物流有限公司",
        "MA55HT2L8",
        "440781",
        ("transporter",),
        "台山市水步镇工业园 9 号",
        "22.2853",
        "112.8327",
        "relay",
    ),
    Site(
        "centre",
        "江门市绿源环保固废处置中心有限公司",
        "MA4Y3LY6D",
        "440784",
        ("receiver",),
        "鹤山市共和镇工业园环保产业区 1 号",
        "22.6578",
        "112.9284",
        "centre",
        key_supervision=True,
    ),
    Site(
        "kiln",
        "台山市三合建材水泥有限公司",
        "MA51HY0C9",
        "440781",
        ("receiver",),
        "台山市三合镇温泉工业区",
        "22.3486",
        "112.6872",
        "kiln",
    ),
)

#: Plate, maximum load in tonnes, owner.
VEHICLES = (
    ("粤JA6218", "8", "carrier"),  # closed box van for drums and medical waste
    ("粤JB7736", "18", "carrier"),  # lined tanker for liquids
    ("粤JC2859", "30", "carrier"),  # sealed dump truck for sludge
    ("粤JT5120", "30", "relay"),
)

#: E-mail (before the @), role, organisation key, driver's name when a driver.
USERS = (
    ("driver1", "driver", "carrier", "梁志强"),
    ("driver2", "driver", "carrier", "陈国华"),
    ("driver3", "driver", "relay", "黄伟明"),
)


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def _label(role: str, name: str) -> str:
    return f"{role} ({name})"


def _accounts_order() -> list[tuple[str, str]]:
    """(label, e-mail) of every demo account, in the order they are printed."""
    rows = [("regulator (江门市生态环境局 440700)", _email("regulator"))]
    names = {s.key: s.name for s in SITES}
    for site in SITES:
        rows.append((_label(f"{site.roles[0]} admin", site.name), _email(site.email)))
        rows.extend(
            (_label(f"driver {driver}", names[org]), _email(local))
            for local, _, org, driver in USERS
            if org == site.key
        )
    return rows


def load_demo(uow: UnitOfWork) -> list[dict]:
    """Load the Jiangmen demo set unless it is already there; return its accounts.

    Each account is ``{"role", "email", "token"}`` with a freshly issued token; every
    account's password is ``demo-password``. Raises Conflict when the database holds
    organisations or users that are not the demo's, and the services' domain errors
    (ValidationFailed when a loaded official waste list lacks a demo code); nothing is
    written then.
    """
    _refuse_foreign_data(uow)
    if not _already_loaded(uow):
        with uow:
            _Loader(uow).run()
            uow.commit()
    return [
        {"role": label, "email": email, "token": registry.issue_token(uow, email=email)}
        for label, email in _accounts_order()
    ]


def _refuse_foreign_data(uow: UnitOfWork) -> None:
    """Raise Conflict if any organisation or user is not one the demo makes. (The waste
    catalogue is reference data, not anyone's; it may be loaded first.)"""
    s = uow.session
    demo_usccs = [make_uscc(site.region, site.body) for site in SITES]
    demo_emails = [email for _, email in _accounts_order()]
    orgs = s.scalar(select(func.count()).where(Organization.uscc.not_in(demo_usccs)))
    users = s.scalar(select(func.count()).where(User.email.not_in(demo_emails)))
    s.rollback()  # end the read transaction
    if orgs or users:
        raise Conflict(
            f"this database already holds {orgs} organisations and {users} users that are not"
            " the demo's; the demo (accounts with a published password) loads only into an"
            " empty database or one holding the demo alone"
        )


def _already_loaded(uow: UnitOfWork) -> bool:
    s = uow.session
    plating = next(site for site in SITES if site.key == "plating")
    found = s.scalar(
        select(Organization.id).where(Organization.uscc == make_uscc(plating.region, plating.body))
    ) is not None and s.scalar(select(User.id).where(User.email == _email("regulator")))
    s.rollback()  # end the read transaction; the load opens its own
    return bool(found)


@dataclass
class _Loader:
    uow: UnitOfWork
    orgs: dict[str, Organization] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    # ------------------------------------------------------------ registry

    def run(self) -> None:
        self._registry()
        self._manifests()

    def _user(self, key: str, email: str, role: str, org_key: str | None = None) -> None:
        if org_key is None:
            user = registry.create_regulator_user(
                self.uow,
                email=email,
                password=PASSWORD,
                region_code=REGION,
                name="江门市生态环境局",
            )
        else:
            user = registry.add_member(
                self.uow,
                actor=None,
                organization_id=self.orgs[org_key].id,
                email=email,
                password=PASSWORD,
                role=role,
            )
        self.actors[key] = registry.actor_for_user(user)

    def _registry(self) -> None:
        self._user("regulator", _email("regulator"), "admin")
        regulator = self.actors["regulator"]
        for site in SITES:
            self.orgs[site.key] = registry.create_organization(
                self.uow,
                actor=regulator,
                name=site.name,
                uscc=make_uscc(site.region, site.body),
                roles=list(site.roles),
                region_code=site.region,
                address=site.address,
                location={"lat": site.lat, "lon": site.lon},
                key_supervision=site.key_supervision,
            )
            self._user(site.key, _email(site.email), "admin", site.key)
        for local, role, org_key, _ in USERS:
            self._user(local, _email(local), role, org_key)

        # Licences run from March of last year, so every demo trip falls inside them.
        start = date(self.now.year - 1, 3, 1)
        five_years = date(start.year + 5, 2, 28)
        registry.add_licence(
            self.uow,
            actor=regulator,
            organization_id=self.orgs["centre"].id,
            kind="hw_operation",
            number="440784190101",
            valid_from=start,
            valid_to=five_years,
            waste_codes=["HW01", "HW08", "HW17", "HW22", "HW49"],
            annual_capacity_t={
                "HW01": "3000",
                "HW08": "5000",
                "HW17": "20000",
                "HW22": "15000",
                "*": "60000",
            },
            operations=["D10", "D1", "R4", "D9"],
        )
        registry.add_licence(
            self.uow,
            actor=regulator,
            organization_id=self.orgs["kiln"].id,
            kind="hw_operation",
            number="440781210205",
            valid_from=start,
            valid_to=five_years,
            waste_codes=["HW17", "HW18", "HW49"],
            annual_capacity_t={"HW17": "30000", "HW18": "10000", "*": "50000"},
            operations=["R5", "D10"],
        )
        for key, number in (
            ("carrier", "粤交运管许可江字440700300118号"),
            ("relay", "粤交运管许可江字440781300042号"),
        ):
            registry.add_licence(
                self.uow,
                actor=regulator,
                organization_id=self.orgs[key].id,
                kind="dg_transport",
                number=number,
                valid_from=start,
                valid_to=date(start.year + 4, 2, 28),
                waste_codes=[],
                annual_capacity_t={},
                operations=[],
            )
        for plate, load, owner in VEHICLES:
            admin = self.actors[owner]
            registry.add_vehicle(
                self.uow,
                actor=admin,
                organization_id=self.orgs[owner].id,
                plate=plate,
                max_load_t=load,
            )

    # ------------------------------------------------------------ manifests

    def _pos(self, key: str) -> dict:
        site = next(s for s in SITES if s.key == key)
        return {"lat": float(site.lat), "lon": float(site.lon)}

    def _draft(
        self,
        generator: str,
        receiver: str,
        plate: str,
        operation: str,
        lines: list,
        *,
        kind: str = "hazardous",
        moisture: str | None = None,
        pickup: datetime,
        notes: str = "",
        next_transporter: str | None = None,
    ):
        data = {
            "kind": kind,
            "transporter_id": self.orgs["carrier"].id,
            "next_transporter_id": next_transporter and self.orgs[next_transporter].id,
            "vehicle_plate": plate,
            "receiver_id": self.orgs[receiver].id,
            "planned_pickup_at": pickup,
            "operation": operation,
            "moisture_pct": moisture,
            "lines": lines,
            "notes": notes,
        }
        return create_manifest(self.uow, actor=self.actors[generator], data=data)

    def _trip(
        self,
        manifest,
        *,
        to: str,
        at: datetime,
        generator: str,
        receiver: str,
        driver: str = "driver1",
        loaded=None,
        handoff: dict | None = None,
        received=None,
        moisture=None,
        rejected=None,
        operation: str | None = None,
    ):
        """Move a draft forward until status ``to``, one signature every few hours from
        ``at``. ``loaded``/``received`` override the tallies per line (default: as declared);
        ``rejected`` maps line numbers to (quantity, reason)."""
        steps = ["issued", "in_transit", "delivered", "decided", "completed"]
        ref, t = manifest.id, at
        declared = {ln.line_no: ln.declared for ln in manifest.lines}
        loaded = loaded or declared
        received = received or loaded
        for step in steps[: steps.index(to) + 1]:
            if t > self.now:
                raise RuntimeError(f"demo script error: a {step} signature in the future")
            if step == "issued":
                lifecycle.issue_manifest(
                    self.uow,
                    actor=self.actors[generator],
                    ref=ref,
                    at=t,
                    position=self._pos(generator),
                )
                t += timedelta(hours=2, minutes=10)
            elif step == "in_transit":
                lifecycle.pickup(
                    self.uow,
                    actor=self.actors[driver],
                    ref=ref,
                    vehicle_plate=manifest.vehicle_plate,
                    driver=next(d for local, _, _, d in USERS if local == driver),
                    at=t,
                    position=self._pos(generator),
                    lines=[{"line_no": n, "quantity": q} for n, q in loaded.items()],
                )
                t += timedelta(hours=1, minutes=25)
                if handoff:
                    if manifest.next_transporter_id is None:
                        # Not named in the draft: the carrier's office names the relay
                        # while its truck is on the way.
                        handover.name_next_transporter(
                            self.uow,
                            actor=self.actors["carrier"],
                            ref=ref,
                            transporter_id=self.orgs[handoff["to"]].id,
                            at=t - timedelta(minutes=30),
                        )
                    handover.handoff(
                        self.uow,
                        actor=self.actors[handoff["driver"]],
                        ref=ref,
                        vehicle_plate=handoff["plate"],
                        driver=next(d for local, _, _, d in USERS if local == handoff["driver"]),
                        at=t,
                        position=handoff["position"],
                        lines=[{"line_no": n, "quantity": q} for n, q in loaded.items()],
                    )
                    t += timedelta(hours=1, minutes=40)
            elif step == "delivered":
                lifecycle.deliver(
                    self.uow,
                    actor=self.actors[receiver],
                    ref=ref,
                    at=t,
                    moisture_pct=moisture,
                    position=self._pos(receiver),
                    lines=[{"line_no": n, "quantity": q} for n, q in received.items()],
                )
                t += timedelta(hours=20)
            elif step == "decided":
                decisions = []
                for n, q in received.items():
                    bad, reason = (rejected or {}).get(n, (Decimal(0), None))
                    decisions.append(
                        {"line_no": n, "accepted": q - bad, "rejected": bad, "reason": reason}
                    )
                lifecycle.decide(
                    self.uow, actor=self.actors[receiver], ref=ref, lines=decisions, at=t
                )
                t += timedelta(days=2)
            elif step == "completed":
                lifecycle.complete(
                    self.uow,
                    actor=self.actors[receiver],
                    ref=ref,
                    operation=operation or manifest.operation,
                    completed_at=t,
                )

    def _manifests(self) -> None:
        now, d = self.now, Decimal

        today = now.astimezone(CHINA).date()

        def day(days: int, hour: int = 9, minute: int = 0) -> datetime:
            """``hour:minute`` China time, ``days`` days before today (working hours)."""
            local = datetime.combine(today - timedelta(days=days), time(hour, minute), tzinfo=CHINA)
            return local.astimezone(UTC)

        def ago(hours: float) -> datetime:
            return now - timedelta(hours=hours)

        def plating_sludge(tonnes: str, bags: int) -> list:
            return [
                {
                    "waste_code": "336-064-17",
                    "name": "电镀废水处理污泥（含镍、铬）",
                    "physical_form": "SS",
                    "hazard": ["T"],
                    "packaging": "吨袋",
                    "container_count": bags,
                    "quantity": tonnes,
                    "unit": "t",
                }
            ]

        def pcb_liquids(etchant: str, micro: str) -> list:
            return [
                {
                    "waste_code": "397-004-22",
                    "name": "废酸性蚀刻液（含铜）",
                    "physical_form": "L",
                    "hazard": ["T", "C"],
                    "packaging": "IBC 吨桶",
                    "container_count": 6,
                    "quantity": etchant,
                    "unit": "t",
                },
                {
                    "waste_code": "397-005-22",
                    "name": "微蚀废液（含铜）",
                    "physical_form": "L",
                    "hazard": ["T", "C"],
                    "packaging": "IBC 吨桶",
                    "container_count": 3,
                    "quantity": micro,
                    "unit": "t",
                },
            ]

        def sewage_sludge(tonnes: str) -> list:
            return [
                {
                    "waste_code": "462-001-S07",
                    "name": "市政污水处理厂脱水污泥",
                    "physical_form": "SS",
                    "quantity": tonnes,
                    "unit": "t",
                }
            ]

        def medical(kg: str, boxes: int) -> list:
            return [
                {
                    "waste_code": "841-001-01",
                    "name": "感染性废物",
                    "physical_form": "S",
                    "hazard": ["In"],
                    "packaging": "医疗废物周转箱",
                    "container_count": boxes,
                    "quantity": kg,
                    "unit": "kg",
                }
            ]

        # Completed: plating sludge incinerated at the centre, tallies within a few kg.
        m = self._draft(
            "plating", "centre", "粤JA6218", "D10", plating_sludge("6.480", 8), pickup=day(16, 10)
        )
        self._trip(
            m,
            to="completed",
            at=day(16, 8, 30),
            generator="plating",
            receiver="centre",
            received={1: d("6.455")},
        )
        # Completed: PCB etchant to copper recovery (R4).
        m = self._draft(
            "pcb", "centre", "粤JB7736", "R4", pcb_liquids("11.200", "4.600"), pickup=day(13, 11)
        )
        self._trip(
            m,
            to="completed",
            at=day(13, 9),
            generator="pcb",
            receiver="centre",
            driver="driver2",
            received={1: d("11.180"), 2: d("4.610")},
        )
        # Completed: sewage sludge co-processed in the cement kiln (R5); moisture ~80%.
        m = self._draft(
            "wwtp",
            "kiln",
            "粤JC2859",
            "R5",
            sewage_sludge("26.40"),
            kind="sludge",
            moisture="80.5",
            pickup=day(12, 9),
        )
        self._trip(
            m,
            to="completed",
            at=day(12, 7, 40),
            generator="wwtp",
            receiver="kiln",
            received={1: d("25.92")},
            moisture="79.2",
        )
        # Completed: hospital infectious waste, incinerated (D10).
        m = self._draft(
            "hospital", "centre", "粤JA6218", "D10", medical("860", 36), pickup=day(10, 8)
        )
        self._trip(
            m,
            to="completed",
            at=day(10, 7),
            generator="hospital",
            receiver="centre",
            received={1: d("857.5")},
        )
        # Completed after a hand-over: plating sludge relayed at Shuibu to the Taishan carrier
        # for the kiln, which co-processes HW17 as well.
        relay = {
            "to": "relay",
            "driver": "driver3",
            "plate": "粤JT5120",
            "position": {"lat": 22.2861, "lon": 112.8302},
        }
        m = self._draft(
            "plating",
            "kiln",
            "粤JC2859",
            "R5",
            plating_sludge("14.200", 16),
            kind="sludge",
            moisture="68.0",
            pickup=day(9, 10),
            notes="经台山水步中转，由海通物流接驳运至三合水泥厂。",
            next_transporter="relay",
        )
        self._trip(
            m,
            to="completed",
            at=day(9, 8),
            generator="plating",
            receiver="kiln",
            handoff=relay,
            received={1: d("14.160")},
            moisture="67.1",
        )
        # Partially rejected, with the reason; also relayed.
        m = self._draft(
            "plating",
            "kiln",
            "粤JC2859",
            "R5",
            plating_sludge("12.000", 14),
            kind="sludge",
            moisture="66.0",
            pickup=day(6, 10),
        )
        self._trip(
            m,
            to="decided",
            at=day(6, 8),
            generator="plating",
            receiver="kiln",
            handoff=relay,
            received={1: d("11.940")},
            moisture="71.8",
            rejected={
                1: (d("1.800"), "2 个吨袋混有废塑料挂具及滤布，不符合入窑要求，退回移出人分拣")
            },
        )
        # Rejected outright: leaking containers.
        m = self._draft(
            "pcb", "centre", "粤JB7736", "R4", pcb_liquids("8.400", "2.100"), pickup=day(5, 10)
        )
        self._trip(
            m,
            to="decided",
            at=day(5, 8, 20),
            generator="pcb",
            receiver="centre",
            driver="driver2",
            rejected={
                1: (d("8.400"), "IBC 吨桶阀门渗漏，包装不符合 GB 18597 要求，整车退回"),
                2: (d("2.100"), "同车包装不合格，一并退回"),
            },
        )
        # Cancelled after issue: its number stays used.
        m = self._draft(
            "pcb", "centre", "粤JB7736", "R4", pcb_liquids("7.500", "2.000"), pickup=day(4, 14)
        )
        self._trip(m, to="issued", at=day(4, 9), generator="pcb", receiver="centre")
        lifecycle.cancel_manifest(
            self.uow,
            actor=self.actors["pcb"],
            ref=m.id,
            reason="槽车检修，改期转移",
            at=day(4, 11, 30),
            position=self._pos("pcb"),
        )
        # Accepted, not yet treated.
        m = self._draft(
            "hospital", "centre", "粤JA6218", "D10", medical("912", 38), pickup=day(3, 9)
        )
        self._trip(
            m,
            to="decided",
            at=day(3, 7, 50),
            generator="hospital",
            receiver="centre",
            received={1: d("910.0")},
        )
        # Delivered, awaiting the receiver's decision.
        m = self._draft(
            "wwtp",
            "kiln",
            "粤JC2859",
            "R5",
            sewage_sludge("27.10"),
            kind="sludge",
            moisture="80.0",
            pickup=day(2, 9),
        )
        self._trip(
            m,
            to="delivered",
            at=day(2, 8),
            generator="wwtp",
            receiver="kiln",
            received={1: d("27.02")},
            moisture="79.6",
        )
        # In transit: one relayed to the Taishan carrier, one on the road with the first.
        m = self._draft(
            "wwtp",
            "kiln",
            "粤JC2859",
            "R5",
            sewage_sludge("25.80"),
            kind="sludge",
            moisture="81.0",
            pickup=ago(8),
        )
        self._trip(m, to="in_transit", at=ago(10), generator="wwtp", receiver="kiln", handoff=relay)
        m = self._draft(
            "plating", "centre", "粤JA6218", "D10", plating_sludge("5.600", 7), pickup=ago(4)
        )
        self._trip(m, to="in_transit", at=ago(6), generator="plating", receiver="centre")
        # Issued, waiting for their pickup.
        m = self._draft(
            "pcb",
            "centre",
            "粤JB7736",
            "R4",
            pcb_liquids("9.800", "3.500"),
            pickup=now + timedelta(days=1),
        )
        self._trip(m, to="issued", at=ago(2), generator="pcb", receiver="centre")
        m = self._draft(
            "hospital",
            "centre",
            "粤JA6218",
            "D10",
            medical("640", 27),
            pickup=now + timedelta(hours=20),
        )
        self._trip(m, to="issued", at=ago(1), generator="hospital", receiver="centre")
        # Drafts, and a draft withdrawn as a duplicate.
        self._draft(
            "plating",
            "centre",
            "粤JA6218",
            "D10",
            plating_sludge("7.000", 9),
            pickup=now + timedelta(days=4),
        )
        self._draft(
            "wwtp",
            "kiln",
            "粤JC2859",
            "R5",
            sewage_sludge("26.00"),
            kind="sludge",
            moisture="80.0",
            pickup=now + timedelta(days=3),
        )
        m = self._draft(
            "hospital",
            "centre",
            "粤JA6218",
            "D10",
            medical("500", 20),
            pickup=now + timedelta(days=2),
        )
        lifecycle.cancel_manifest(
            self.uow, actor=self.actors["hospital"], ref=m.id, reason="重复填报", at=ago(0.5)
        )
