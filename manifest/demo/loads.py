"""What the demo's generators send: the waste lines of their manifests."""

from __future__ import annotations


def plating_sludge(tonnes: str, bags: int) -> list[dict]:
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


def pcb_liquids(etchant: str, micro: str) -> list[dict]:
    common = {"physical_form": "L", "hazard": ["T", "C"], "packaging": "IBC 吨桶", "unit": "t"}
    return [
        {
            "waste_code": "397-004-22",
            "name": "废酸性蚀刻液（含铜）",
            "container_count": 6,
            "quantity": etchant,
            **common,
        },
        {
            "waste_code": "397-005-22",
            "name": "微蚀废液（含铜）",
            "container_count": 3,
            "quantity": micro,
            **common,
        },
    ]


def sewage_sludge(tonnes: str) -> list[dict]:
    return [
        {
            "waste_code": "462-001-S07",
            "name": "市政污水处理厂脱水污泥",
            "physical_form": "SS",
            "quantity": tonnes,
            "unit": "t",
        }
    ]


def medical(kg: str, boxes: int) -> list[dict]:
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
