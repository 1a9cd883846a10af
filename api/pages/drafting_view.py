"""What the generator's pages show beside the forms: the parties offered, refusals put
back on their fields, the issue checks grouped by field, and the CSV export."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from manifest.local_time import CHINA
from manifest.quantities import format_decimal
from manifest.services import manifests_query
from manifest.services.party_choices import PartyChoices
from manifest.status import actions_open_to

from .drafting_forms import KIND_LABELS, ManifestForm, options
from .formatting import lazy_gettext
from .labels import status_label

CSV_BATCH = 500

#: Which field of the draft each issue-time check is about ("line" for the line it names).
CHECK_FIELDS = {
    "receiver_licence_active": "receiver_id",
    "receiver_licence_scope": "line",
    "receiver_operation": "operation",
    "receiver_capacity": "receiver_id",
    "transporter_permit_active": "transporter_id",
    "vehicle_registered": "vehicle_plate",
    "vehicle_owner": "vehicle_plate",
    "vehicle_active": "vehicle_plate",
    "vehicle_load": "vehicle_plate",
    "line_mass_known": "line",
    "sludge_moisture": "moisture_pct",
    "land_application_document": "heavy_metal_report",
    "catalogue": "lines",
}

#: The rule each check applies, in the page's language (the domain's detail follows it).
CHECK_TITLES = {
    "receiver_licence_active": lazy_gettext(
        "The receiver needs a hazardous-waste operation licence active on the pickup date."
    ),
    "receiver_licence_scope": lazy_gettext("The receiver's licence must cover this waste code."),
    "receiver_operation": lazy_gettext("The receiver must be licensed for the planned operation."),
    "receiver_capacity": lazy_gettext(
        "The receiver's accepted tonnage this year may not pass its licensed capacity by more than a fifth."
    ),
    "transporter_permit_active": lazy_gettext(
        "The transporter needs a dangerous-goods transport permit active on the pickup date."
    ),
    "vehicle_registered": lazy_gettext("The vehicle must be registered."),
    "vehicle_owner": lazy_gettext("The vehicle must belong to the transporter."),
    "vehicle_active": lazy_gettext("The vehicle must be in service."),
    "vehicle_load": lazy_gettext("The load may not exceed the vehicle's maximum load."),
    "line_mass_known": lazy_gettext("A volume needs a density so the vehicle load can be checked."),
    "sludge_moisture": lazy_gettext("A sludge manifest needs its moisture content."),
    "land_application_document": lazy_gettext(
        "Sludge for land application needs a heavy-metal compliance document."
    ),
    "catalogue": lazy_gettext("Every waste code must be in the official list."),
}


def open_actions(manifest) -> set[str]:
    """The moves the status table allows next on ``manifest`` (to draw its buttons)."""
    return {a.value for a in actions_open_to(manifest.status)}


def manifest_page_url(manifest_id: int) -> str:
    """The manifest page every party sees."""
    return f"/web/manifests/{manifest_id}"


def fill_choices(form: ManifestForm, choices: PartyChoices) -> None:
    """Offer the parties the draft may name; the vehicles are the chosen transporter's fleet
    (every offered transporter's, until one is chosen)."""
    blank = (None, "—")
    names = {o.id: o.name for o in choices.transporters}
    form.transporter_id.choices = options([blank, *names.items()])
    form.next_transporter_id.choices = options([(None, _("None")), *names.items()])
    form.receiver_id.choices = options([blank, *((o.id, o.name) for o in choices.receivers)])
    chosen = form.transporter_id.data if form.transporter_id.data in names else None
    form.vehicle_plate.choices = options(
        [
            blank,
            *(
                (
                    v.plate,
                    f"{v.plate} · {names[v.organization_id]} · ≤ {v.max_load_t.normalize():f} t",
                )
                for v in choices.vehicles
                if chosen is None or v.organization_id == chosen
            ),
        ]
    )


def choice_problems(form: ManifestForm, choices: PartyChoices) -> list[tuple[object, str]]:
    """The chosen parties the draft may not name, each with its field and the rule."""
    problems = []
    transporters = {o.id for o in choices.transporters}
    permit = _(
        "This transporter has no dangerous-goods transport permit active on the pickup date, "
        "which hazardous waste needs."
    )
    if form.transporter_id.data is None:
        problems.append((form.transporter_id, _("Choose a transporter.")))
    elif form.transporter_id.data not in transporters:
        problems.append((form.transporter_id, permit))
    nxt = form.next_transporter_id.data
    if nxt is not None and nxt not in transporters:
        problems.append((form.next_transporter_id, permit))
    fleet = {v.plate for v in choices.vehicles if v.organization_id == form.transporter_id.data}
    if not form.vehicle_plate.data:
        problems.append((form.vehicle_plate, _("Choose a vehicle.")))
    elif form.vehicle_plate.data not in fleet:
        problems.append(
            (form.vehicle_plate, _("The vehicle must be an active vehicle of the transporter."))
        )
    if form.receiver_id.data is None:
        problems.append((form.receiver_id, _("Choose a receiver.")))
    elif form.receiver_id.data not in {o.id for o in choices.receivers}:
        problems.append(
            (
                form.receiver_id,
                _(
                    "The receiver's licence does not cover these waste codes and the planned "
                    "operation on the pickup date."
                ),
            )
        )
    return problems


def failures_by_field(failures: list[dict]) -> dict[str, list[dict]]:
    """The failed checks keyed by the field they are about (``line<n>`` for a line's), each
    with the rule's title in the page's language."""
    grouped: dict[str, list[dict]] = {}
    for failure in failures:
        field = CHECK_FIELDS.get(failure.get("check"), "other")
        if field == "line":
            field = f"line{failure['line']}" if failure.get("line") else "lines"
        title = CHECK_TITLES.get(failure.get("check"))
        grouped.setdefault(field, []).append({**failure, "title": title})
    return grouped


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def local_time(moment) -> str:
    """A stored UTC time as Beijing time, to the minute."""
    return "" if moment is None else moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def manifest_csv(session, actor, filters: dict) -> str:
    """Every manifest the list shows for ``filters`` (all pages), one row each, with a
    byte-order mark so spreadsheets read the Chinese names."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Number"),
            _("Status"),
            _("Kind"),
            _("Category"),
            _("Waste codes"),
            _("Generator"),
            _("Transporter"),
            _("Receiver"),
            _("Declared (kg)"),
            _("Planned pickup (Beijing time)"),
            _("Created (Beijing time)"),
            _("Issued (Beijing time)"),
        ]
    )
    page = 1
    while True:
        rows, total = manifests_query.list_visible(
            session, actor, **filters, page=page, per_page=CSV_BATCH
        )
        for m in rows:
            writer.writerow(
                [
                    _cell(m.number or ""),
                    _cell(status_label(m.status)),
                    _cell(KIND_LABELS[m.kind]),
                    _cell(m.category),
                    _cell(" ".join(ln.waste_code for ln in m.lines)),
                    _cell(m.generator.name),
                    _cell(m.transporter.name),
                    _cell(m.receiver.name),
                    _cell(format_decimal(m.declared_kg)),
                    local_time(m.planned_pickup_at),
                    local_time(m.created_at),
                    local_time(m.issued_at),
                ]
            )
        if page * CSV_BATCH >= total:
            return out.getvalue()
        page += 1
