"""The terminals page: the transporter's administrator lists, binds, moves and unbinds its
positioning terminals through the API's service; anyone else is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from manifest.models import Terminal, Vehicle
from tests.web.conftest import csrf_token
from tests.web.terminal_scenes import bind, report

PAGE = "/web/admin/terminals"
PHONE = "13912345678"


def _post(client, action: str, data: dict):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def _bound(world) -> list[tuple[str, str, int]]:
    """(phone, plate, colour) of every terminal bound now, as the database holds them."""
    s = world.uow.session
    s.rollback()
    return sorted(
        tuple(row)
        for row in s.execute(
            select(Terminal.phone, Vehicle.plate, Terminal.plate_colour)
            .join(Vehicle, Vehicle.id == Terminal.vehicle_id)
            .where(Terminal.unbound_at.is_(None))
        )
    )


def _row(html: str, phone: str) -> str:
    found = re.search(rf'<tr data-phone="{phone}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {phone}"
    return found.group(1)


def test_the_list_shows_each_terminal_its_vehicle_and_when_it_was_last_heard_from(
    client_for, world
):
    quiet = bind(world, world.carrier, "13900000001", "粤J88888")
    talking = bind(world, world.carrier, PHONE, "粤J12345")
    bind(world, world.carrier2, "13900000077", "粤E54321")
    fixed = datetime(2026, 3, 1, 2, 0, 5, tzinfo=UTC)  # 10:00:05 in Beijing
    report(world, talking, fixed, received_at=fixed + timedelta(seconds=3))
    late = fixed + timedelta(minutes=1)  # a later fix the terminal says is not positioned
    report(world, talking, late, received_at=late + timedelta(seconds=2), usable=False)

    html = client_for(world.carrier).get(PAGE).get_data(as_text=True)
    row = _row(html, PHONE)
    assert "粤J12345" in row
    # Last seen: the receipt of its newest fix; last position: its newest usable fix (Beijing).
    assert "2026-03-01 10:01:07" in row and "2026-03-01 10:00:05" in row
    assert "粤J88888" in _row(html, quiet.phone) and "从未" in _row(html, quiet.phone)
    assert "13900000077" not in html  # another transporter's terminal
    english = client_for(world.carrier).get(PAGE + "?lang=en").get_data(as_text=True)
    assert "Positioning terminals" in english and "never" in _row(english, quiet.phone)


def test_the_administrator_binds_moves_and_unbinds_a_terminal(client_for, world):
    admin = client_for(world.carrier)
    listing = admin.get(PAGE).get_data(as_text=True)
    assert "定位终端" in listing and 'href="/web/admin/terminals"' in listing
    bound = _post(admin, PAGE, {"phone": PHONE, "vehicle_plate": "粤J12345", "plate_colour": "2"})
    assert bound.status_code == 303
    assert _bound(world) == [(PHONE, "粤J12345", 2)]
    terminal_id = world.uow.session.scalar(
        select(Terminal.id).where(Terminal.phone == PHONE, Terminal.unbound_at.is_(None))
    )
    moved = _post(
        admin,
        f"{PAGE}/{terminal_id}/move",
        {"vehicle_plate": "粤J88888", "plate_colour": "1"},
    )
    assert moved.status_code == 303
    assert _bound(world) == [(PHONE, "粤J88888", 1)]
    new_id = world.uow.session.scalar(
        select(Terminal.id).where(Terminal.phone == PHONE, Terminal.unbound_at.is_(None))
    )
    # The ended binding is gone: moving or unbinding it again is the 404 page.
    assert _post(admin, f"{PAGE}/{terminal_id}/unbind", {}).status_code == 404
    gone = _post(admin, f"{PAGE}/{new_id}/unbind", {})
    assert gone.status_code == 303 and _bound(world) == []
    page = admin.get(PAGE).get_data(as_text=True)
    assert f'data-phone="{PHONE}"' not in page and "flash-info" in page


def test_a_refused_binding_keeps_what_was_typed_and_changes_nothing(client_for, world):
    bind(world, world.carrier2, "13900000077", "粤E54321")
    admin = client_for(world.carrier)
    bad = _post(
        admin, PAGE, {"phone": "139-1234", "vehicle_plate": "粤J12345", "plate_colour": "2"}
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="139-1234"' in html and "has-error" in html
    assert "1 到 20 位数字" in html  # the service's refusal, in the page's language
    # A vehicle not offered (another transporter's) is refused by the form itself.
    other = _post(admin, PAGE, {"phone": PHONE, "vehicle_plate": "粤E54321", "plate_colour": "2"})
    assert other.status_code == 422
    taken = _post(
        admin, PAGE, {"phone": "13900000077", "vehicle_plate": "粤J12345", "plate_colour": "2"}
    )
    assert taken.status_code == 409 and 'value="13900000077"' in taken.get_data(as_text=True)
    assert "该终端已绑定在其他单位的车辆上" in taken.get_data(as_text=True)
    admin.get("/web/?lang=en")
    english = _post(
        admin, PAGE, {"phone": "13900000077", "vehicle_plate": "粤J12345", "plate_colour": "2"}
    )
    assert english.status_code == 409
    assert "this terminal is bound to a vehicle of another organisation" in english.get_data(
        as_text=True
    )
    colour = _post(admin, PAGE, {"phone": PHONE, "vehicle_plate": "粤J12345", "plate_colour": "7"})
    assert colour.status_code == 422
    assert admin.post(PAGE, data={"phone": PHONE, "vehicle_plate": "粤J12345"}).status_code == 400
    assert _bound(world) == [("13900000077", "粤E54321", 2)]


def test_only_a_transporters_administrator_sees_the_page(client_for, world):
    theirs = bind(world, world.carrier2, "13900000077", "粤E54321")
    for party, role in (
        (world.carrier, "driver"),
        (world.plating, "admin"),
        (world.plating, "reader"),
        (world.regulator, "admin"),
    ):
        client = client_for(party, role)
        assert client.get(PAGE).status_code == 403, (party, role)
        members = client.get("/web/admin/tokens").get_data(as_text=True)
        assert 'href="/web/admin/terminals"' not in members
    # Another transporter's terminal is not there for this administrator.
    admin = client_for(world.carrier)
    assert _post(admin, f"{PAGE}/{theirs.id}/unbind", {}).status_code == 404
    move = {"vehicle_plate": "粤J12345", "plate_colour": "2"}
    assert _post(admin, f"{PAGE}/{theirs.id}/move", move).status_code == 404
    assert _bound(world) == [("13900000077", "粤E54321", 2)]
