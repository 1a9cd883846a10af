"""What the demo's generators send: the waste lines of their manifests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Waste:
    """A waste as the demo's generators declare it, whatever the amount."""

    code: str
    name: str
    physical_form: str
    unit: str
    hazard: tuple[str, ...] = ()
    packaging: str = ""

    def line(self, quantity: str, containers: int | None = None) -> dict:
        """A draft's line of ``quantity`` (in :attr:`unit`) in ``containers`` containers."""
        return {
            "waste_code": self.code,
            "name": self.name,
            "physical_form": self.physical_form,
            "hazard": list(self.hazard),
            "packaging": self.packaging,
            "container_count": containers,
            "quantity": quantity,
            "unit": self.unit,
        }


PLATING_SLUDGE = Waste("336-064-17", "电镀废水处理污泥（含镍、铬）", "SS", "t", ("T",), "吨袋")
ACID_ETCHANT = Waste("397-004-22", "废酸性蚀刻液（含铜）", "L", "t", ("T", "C"), "IBC 吨桶")
MICRO_ETCHANT = Waste("397-005-22", "微蚀废液（含铜）", "L", "t", ("T", "C"), "IBC 吨桶")
SEWAGE_SLUDGE = Waste("462-001-S07", "市政污水处理厂脱水污泥", "SS", "t")
INFECTIOUS = Waste("841-001-01", "感染性废物", "S", "kg", ("In",), "医疗废物周转箱")


def plating_sludge(tonnes: str, bags: int) -> list[dict]:
    return [PLATING_SLUDGE.line(tonnes, bags)]


def pcb_liquids(etchant: str, micro: str) -> list[dict]:
    return [ACID_ETCHANT.line(etchant, 6), MICRO_ETCHANT.line(micro, 3)]


def sewage_sludge(tonnes: str) -> list[dict]:
    return [SEWAGE_SLUDGE.line(tonnes)]


def medical(kg: str, boxes: int) -> list[dict]:
    return [INFECTIOUS.line(kg, boxes)]
