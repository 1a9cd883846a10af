"""The invented organisations, people and vehicles of the demo, at real industrial areas of
Jiangmen (so that maps and route checks look plausible)."""

from __future__ import annotations

from dataclasses import dataclass

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

#: The operating licences of the receivers and the transport permits of the carriers.
LICENCES = (
    {
        "holder": "centre",
        "kind": "hw_operation",
        "number": "440784190101",
        "years": 5,
        "waste_codes": ["HW01", "HW08", "HW17", "HW22", "HW49"],
        "capacity_t": {
            "HW01": "3000",
            "HW08": "5000",
            "HW17": "20000",
            "HW22": "15000",
            "*": "60000",
        },
        "operations": ["D10", "D1", "R4", "D9"],
    },
    {
        "holder": "kiln",
        "kind": "hw_operation",
        "number": "440781210205",
        "years": 5,
        "waste_codes": ["HW17", "HW18", "HW49"],
        "capacity_t": {"HW17": "30000", "HW18": "10000", "*": "50000"},
        "operations": ["R5", "D10"],
    },
    {
        "holder": "carrier",
        "kind": "dg_transport",
        "number": "粤交运管许可江字440700300118号",
        "years": 4,
    },
    {
        "holder": "relay",
        "kind": "dg_transport",
        "number": "粤交运管许可江字440781300042号",
        "years": 4,
    },
)

#: E-mail (before the @), role, organisation key, driver's name when a driver.
USERS = (
    ("driver1", "driver", "carrier", "梁志强"),
    ("driver2", "driver", "carrier", "陈国华"),
    ("driver3", "driver", "relay", "黄伟明"),
)


def email_of(local: str) -> str:
    return f"{local}@{DOMAIN}"


def site(key: str) -> Site:
    return next(s for s in SITES if s.key == key)


def position_of(key: str) -> dict:
    """Where a site's people sign: the site itself."""
    found = site(key)
    return {"lat": float(found.lat), "lon": float(found.lon)}


def driver_name(local: str) -> str:
    return next(name for user, _, _, name in USERS if user == local)
