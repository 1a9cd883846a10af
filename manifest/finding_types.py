"""Every type of finding, in one table: its name, family, labels and the figures it reports.

Everything else that knows finding types reads it from here: the CHECK constraint on
``findings.type``, the episode kinds of the GPS analysis, the discrepancy report's family
and its figures, the labels of the printed report and the ``type`` filters of the API.

Families:

* ``discrepancy``: what was declared against what was found (a quantity, a kind of waste, a
  licensed capacity); each has a reader of its figures (:mod:`manifest.finding_figures`) and
  is listed by the discrepancy report;
* ``gps``: an episode of a trip's track, named after the analysis' episode kind;
* ``deadline``: a step of the paperwork not taken in time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import finding_figures as read
from .finding_figures import Measured

DISCREPANCY = "discrepancy"
GPS = "gps"
DEADLINE = "deadline"
FAMILIES = (DISCREPANCY, GPS, DEADLINE)
SEVERITIES = ("info", "warning", "violation")
LANGUAGES = ("zh", "en")

#: A finding's severity and its status as people read them: the pages, the discrepancy report
#: and its printed form all use these words.
SEVERITY_NAMES = {
    "zh": {"info": "提示", "warning": "警告", "violation": "违规"},
    "en": {"info": "information", "warning": "warning", "violation": "violation"},
}
STATUS_NAMES = {
    "zh": {"open": "待处理", "explained": "已说明", "resolved": "已办结", "escalated": "已上报"},
    "en": {
        "open": "open",
        "explained": "explained",
        "resolved": "resolved",
        "escalated": "escalated",
    },
}


@dataclass(frozen=True)
class FindingType:
    """One type of finding. ``figures`` reads the declared and observed figures of a
    discrepancy (None for the other families, which the discrepancy report leaves out)."""

    name: str
    family: str
    zh: str
    en: str
    figures: Callable[[Measured], dict] | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"{self.name}: unknown family {self.family!r}")
        if (self.family == DISCREPANCY) != (self.figures is not None):
            raise ValueError(f"{self.name}: exactly the discrepancy family reads figures")

    def label(self, lang: str) -> str:
        """The type's name for people, in ``lang`` (``zh`` or ``en``); KeyError otherwise."""
        return {"zh": self.zh, "en": self.en}[lang]


# The order is that of the CHECK constraint and of the GPS analysis' episode kinds.
REGISTRY: tuple[FindingType, ...] = (
    FindingType(
        "quantity_discrepancy", DISCREPANCY, "数量差异", "Quantity discrepancy", read.quantity
    ),
    FindingType(
        "type_discrepancy",
        DISCREPANCY,
        "废物类别/形态不符",
        "Waste type or form differs",
        read.waste_type,
    ),
    FindingType("moisture_change", DISCREPANCY, "含水率变化", "Moisture change", read.moisture),
    FindingType("rejection", DISCREPANCY, "拒收", "Rejection", read.rejection),
    FindingType("route_deviation", GPS, "偏离规划路线", "Route deviation"),
    FindingType("unscheduled_stop", GPS, "计划外停车", "Unscheduled stop"),
    FindingType("gps_gap", GPS, "定位信号中断", "GPS signal gap"),
    FindingType("implausible_speed", GPS, "速度不合理", "Implausible speed"),
    FindingType("start_outside_origin", GPS, "起点不在移出地", "Track starts away from the origin"),
    FindingType(
        "end_outside_destination", GPS, "终点不在接收地", "Track ends away from the destination"
    ),
    FindingType("track_missing", GPS, "缺少行驶轨迹", "Track missing"),
    FindingType(
        "unmanifested_receipt",
        DISCREPANCY,
        "无联单接收",
        "Unmanifested receipt",
        read.unmanifested_receipt,
    ),
    FindingType(
        "licence_capacity",
        DISCREPANCY,
        "超许可经营规模",
        "Licensed capacity exceeded",
        read.licence_capacity,
    ),
    FindingType("overdue_decision", DEADLINE, "逾期未确认接收", "Receipt decision overdue"),
    FindingType("overdue_delivery", DEADLINE, "逾期未送达", "Delivery overdue"),
)

BY_NAME: dict[str, FindingType] = {t.name: t for t in REGISTRY}
FINDING_TYPES: tuple[str, ...] = tuple(BY_NAME)


def names_of(family: str) -> tuple[str, ...]:
    """The names of a family's types, in registry order. Raises ValueError for no family."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    return tuple(t.name for t in REGISTRY if t.family == family)


DISCREPANCY_TYPES = names_of(DISCREPANCY)
GPS_KINDS = names_of(GPS)


def label(name: str, lang: str) -> str:
    """A registered type's name for people in ``lang``; KeyError for an unknown type or
    language."""
    return BY_NAME[name].label(lang)
