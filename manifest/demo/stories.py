"""The demo's manifests, one row per story: who files what, and how far it has got.

Times are told relative to the moment the demo is loaded, so every story runs forwards and
ends in the past (or, for a planned pickup, in the coming days): a draft is filed before it
is issued, and each signature follows the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from ..local_time import CHINA
from .loads import medical, pcb_liquids, plating_sludge, sewage_sludge

#: How far a story has got, in the order the signatures come.
STEPS = ("draft", "issued", "in_transit", "delivered", "decided", "completed")


@dataclass(frozen=True)
class When:
    """A time relative to the load: ``hour:minute`` China time ``days_before`` today, or, when
    ``days_before`` is None, ``hours_from_now`` (negative: in the past)."""

    days_before: int | None = None
    hour: int = 9
    minute: int = 0
    hours_from_now: float = 0.0

    def at(self, now: datetime) -> datetime:
        if self.days_before is None:
            return now + timedelta(hours=self.hours_from_now)
        today = now.astimezone(CHINA).date()
        local = datetime.combine(
            today - timedelta(days=self.days_before), time(self.hour, self.minute), tzinfo=CHINA
        )
        return local.astimezone(UTC)


def day(days_before: int, hour: int = 9, minute: int = 0) -> When:
    return When(days_before, hour, minute)


def hours(from_now: float) -> When:
    return When(hours_from_now=from_now)


#: The Shuibu relay: the Taishan carrier's driver takes the load over at its yard.
RELAY = {
    "to": "relay",
    "driver": "driver3",
    "plate": "粤JT5120",
    "position": {"lat": 22.2861, "lon": 112.8302},
}


@dataclass(frozen=True)
class Lane:
    """A regular transfer: which generator sends its waste to which receiver, on which of
    the carrier's trucks, for which treatment, and what kind of manifest it takes."""

    generator: str
    receiver: str
    plate: str
    operation: str
    kind: str = "hazardous"


#: Plating sludge and hospital waste incinerated at the centre (D10), PCB etchant to its
#: copper recovery (R4); sewage and plating sludge co-processed in the cement kiln (R5).
PLATING_CENTRE = Lane("plating", "centre", "粤JA6218", "D10")
HOSPITAL_CENTRE = Lane("hospital", "centre", "粤JA6218", "D10")
PCB_CENTRE = Lane("pcb", "centre", "粤JB7736", "R4")
WWTP_KILN = Lane("wwtp", "kiln", "粤JC2859", "R5", kind="sludge")
PLATING_KILN = Lane("plating", "kiln", "粤JC2859", "R5", kind="sludge")


@dataclass(frozen=True)
class Story:
    lane: Lane
    lines: list
    until: str  # one of STEPS
    pickup: When  # the planned pickup on the draft
    #: The first signature (the issue); the draft is filed 40 minutes before it. For a story
    #: that stays a draft, the time it was filed.
    start: When
    moisture: str | None = None
    notes: str = ""
    next_transporter: str | None = None
    driver: str = "driver1"
    handoff: dict | None = None
    received: dict = field(default_factory=dict)  # line -> quantity, when not as loaded
    received_moisture: str | None = None
    rejected: dict = field(default_factory=dict)  # line -> (quantity, reason)
    cancelled: tuple[str, When] | None = None  # reason, when

    def user(self, part: str) -> str:
        """The demo user playing ``part`` in the story: its lane's ``generator`` or
        ``receiver``, or its ``driver``."""
        return self.driver if part == "driver" else getattr(self.lane, part)


d = Decimal

# One story per block reads better than one argument per line.
# fmt: off
STORIES = (
    # Completed: plating sludge incinerated at the centre, tallies within a few kg.
    Story(
        PLATING_CENTRE, plating_sludge("6.480", 8), "completed",
        pickup=day(16, 10), start=day(16, 8, 30), received={1: d("6.455")},
    ),
    # Completed: PCB etchant to copper recovery (R4).
    Story(
        PCB_CENTRE, pcb_liquids("11.200", "4.600"), "completed",
        pickup=day(13, 11), start=day(13, 9), driver="driver2",
        received={1: d("11.180"), 2: d("4.610")},
    ),
    # Completed: sewage sludge co-processed in the cement kiln (R5); moisture ~80%.
    Story(
        WWTP_KILN, sewage_sludge("26.40"), "completed", moisture="80.5",
        pickup=day(12, 9), start=day(12, 7, 40),
        received={1: d("25.92")}, received_moisture="79.2",
    ),
    # Completed: hospital infectious waste, incinerated (D10).
    Story(
        HOSPITAL_CENTRE, medical("860", 36), "completed",
        pickup=day(10, 8), start=day(10, 7), received={1: d("857.5")},
    ),
    # Completed after a hand-over: plating sludge relayed at Shuibu to the Taishan carrier
    # for the kiln, which co-processes HW17 as well.
    Story(
        PLATING_KILN, plating_sludge("14.200", 16), "completed", moisture="68.0",
        pickup=day(9, 10), start=day(9, 8),
        notes="经台山水步中转，由海通物流接驳运至三合水泥厂。", next_transporter="relay",
        handoff=RELAY, received={1: d("14.160")}, received_moisture="67.1",
    ),
    # Partially rejected, with the reason; also relayed.
    Story(
        PLATING_KILN, plating_sludge("12.000", 14), "decided", moisture="66.0",
        pickup=day(6, 10), start=day(6, 8),
        handoff=RELAY, received={1: d("11.940")}, received_moisture="71.8",
        rejected={
            1: (d("1.800"), "2 个吨袋混有废塑料挂具及滤布，不符合入窑要求，退回移出人分拣")
        },
    ),
    # Rejected outright: leaking containers.
    Story(
        PCB_CENTRE, pcb_liquids("8.400", "2.100"), "decided",
        pickup=day(5, 10), start=day(5, 8, 20), driver="driver2",
        rejected={
            1: (d("8.400"), "IBC 吨桶阀门渗漏，包装不符合 GB 18597 要求，整车退回"),
            2: (d("2.100"), "同车包装不合格，一并退回"),
        },
    ),
    # Cancelled after issue: its number stays used.
    Story(
        PCB_CENTRE, pcb_liquids("7.500", "2.000"), "issued",
        pickup=day(4, 14), start=day(4, 9), cancelled=("槽车检修，改期转移", day(4, 11, 30)),
    ),
    # Accepted, not yet treated: the centre's completion is due.
    Story(
        HOSPITAL_CENTRE, medical("912", 38), "decided",
        pickup=day(3, 9), start=day(3, 7, 50), received={1: d("910.0")},
    ),
    # Delivered, awaiting the kiln's decision.
    Story(
        WWTP_KILN, sewage_sludge("27.10"), "delivered", moisture="80.0",
        pickup=day(2, 9), start=day(2, 8), received={1: d("27.02")}, received_moisture="79.6",
    ),
    # In transit: one relayed to the Taishan carrier, one on the road with the first.
    Story(
        WWTP_KILN, sewage_sludge("25.80"), "in_transit", moisture="81.0",
        pickup=hours(-8), start=hours(-10), handoff=RELAY,
    ),
    Story(
        PLATING_CENTRE, plating_sludge("5.600", 7), "in_transit",
        pickup=hours(-4), start=hours(-6),
    ),
    # On the road to the Shuibu relay, which is named to take it over there.
    Story(
        PLATING_KILN, plating_sludge("13.500", 15), "in_transit", moisture="67.0",
        pickup=hours(-2), start=hours(-3.5), next_transporter="relay",
    ),
    # Issued, waiting for their pickup.
    Story(PCB_CENTRE, pcb_liquids("9.800", "3.500"), "issued", pickup=hours(24), start=hours(-2)),
    Story(HOSPITAL_CENTRE, medical("640", 27), "issued", pickup=hours(20), start=hours(-1)),
    # Drafts, and a draft withdrawn as a duplicate.
    Story(PCB_CENTRE, pcb_liquids("10.400", "3.900"), "draft", pickup=hours(50), start=hours(-4)),
    Story(HOSPITAL_CENTRE, medical("700", 30), "draft", pickup=hours(30), start=hours(-2.5)),
    Story(PLATING_CENTRE, plating_sludge("7.000", 9), "draft", pickup=hours(96), start=hours(-3)),
    Story(
        WWTP_KILN, sewage_sludge("26.00"), "draft", moisture="80.0",
        pickup=hours(72), start=hours(-5),
    ),
    Story(
        HOSPITAL_CENTRE, medical("500", 20), "draft",
        pickup=hours(48), start=hours(-1.5), cancelled=("重复填报", hours(-0.5)),
    ),
)
# fmt: on
