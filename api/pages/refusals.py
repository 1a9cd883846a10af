"""What a refusal says on a page: the services' sentences (:mod:`manifest.texts`) in the
page's language, through the pages' catalogue, with times in Beijing time and numbers in
the page's format. The API keeps sending the English sentence and ISO times; only pages
translate."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from manifest import finding_types
from manifest.errors import DomainError
from manifest.texts import Text, page_template

from ..i18n import ERROR_HEADLINES
from .drafting_forms import UNIT_LABELS
from .formatting import format_date, format_datetime, format_decimal, lazy_gettext, page_language
from .formatting import gettext as _
from .labels import CRS, ORG_ROLE, STATUS

#: The names the services give fields, as the pages label them.
FIELDS = {
    "quantity": lazy_gettext("Quantity"),
    "accepted": lazy_gettext("Accepted"),
    "rejected": lazy_gettext("Rejected"),
    "density_t_m3": lazy_gettext("Density (t/m³)"),
    "moisture_pct": lazy_gettext("Moisture content (%)"),
    "heavy_metal_report": lazy_gettext("Heavy-metal compliance document"),
    "at": lazy_gettext("Time of signature"),
    "completed_at": lazy_gettext("Completed at"),
    "planned_pickup_at": lazy_gettext("Planned pickup (Beijing time)"),
    "vehicle_plate": lazy_gettext("Vehicle plate"),
    "waste_code": lazy_gettext("Waste code"),
    "operation": lazy_gettext("Planned operation"),
}
#: The moves as a refusal names them ("cannot pick up a manifest that is ...").
MOVES = {
    "create": lazy_gettext("file"),
    "edit": lazy_gettext("edit"),
    "issue": lazy_gettext("issue"),
    "cancel": lazy_gettext("cancel"),
    "pickup": lazy_gettext("pick up"),
    "name_next": lazy_gettext("name the next transporter of"),
    "handoff": lazy_gettext("take over"),
    "deliver": lazy_gettext("sign the arrival of"),
    "decide": lazy_gettext("decide on"),
    "complete": lazy_gettext("complete"),
}
#: What a quantity was compared with, and on which basis (a finding's sentence).
STAGES = {"declared": lazy_gettext("declared"), "loaded": lazy_gettext("loaded")}
BASES = {
    "wet": lazy_gettext("wet"),
    "dry": lazy_gettext("dry solids"),
    "count": lazy_gettext("count"),
    "volume": lazy_gettext("volume"),
}
#: The coordinates of a GPS fix, as a refusal names them.
COORDINATES = {
    "latitude": lazy_gettext("latitude"),
    "longitude": lazy_gettext("longitude"),
    "elevation": lazy_gettext("elevation"),
}
#: Parameters whose values are codes with words of their own.
WORDS = {
    "stage": STAGES,
    "basis": BASES,
    "field": FIELDS,
    "action": MOVES,
    "status": STATUS,
    "allowed": STATUS,
    "role": ORG_ROLE,
    "unit": UNIT_LABELS,
    "crs": CRS,
    "declared": CRS,
    "coordinate": COORDINATES,
}

#: Parameters whose whole numbers name something (a record, a calendar year) rather than
#: count it: written as they are, never grouped ("2026", not "2,026").
NAMING_NUMBERS = frozenset({"id", "year"})


def say(message, name: str | None = None) -> str:
    """``message`` for people in the page's language: a :class:`~manifest.texts.Text` from
    the catalogue with its parameters localised; a code in ``name``'s table of words; any
    other value as it is written."""
    if isinstance(message, Text):
        params = {k: say(v, k) for k, v in message.params.items()}
        return _(page_template(message.key), **params)
    if isinstance(message, datetime):
        return format_datetime(message, "yyyy-MM-dd HH:mm:ss")
    if isinstance(message, date):
        return format_date(message, "yyyy-MM-dd")
    if type(message) is int and name in NAMING_NUMBERS:
        return str(message)
    if isinstance(message, Decimal | float) or type(message) is int:
        return format_decimal(message, format="#,##0.###")
    if isinstance(message, list | tuple):
        return ("、" if page_language() == "zh" else ", ").join(say(v, name) for v in message)
    text = message.value if isinstance(message, Enum) else str(message)
    if name == "kind" and text.replace(" ", "_") in finding_types.BY_NAME:
        return finding_types.label(text.replace(" ", "_"), page_language())
    words = WORDS.get(name or "", {})
    return str(words.get(text, text))


def finalize(value):
    """What a template prints for ``value``: a service's sentence (such as a finding's
    message) in the page's language, anything else as it is."""
    return say(value) if isinstance(value, Text) else value


def refusal(error: DomainError) -> str:
    """The whole refusal ``error`` in the page's language: its sentence when the service
    keyed it; else, on a Chinese page, the headline of its code (with the English detail),
    as the API answers in Chinese."""
    if isinstance(error.message, Text) or page_language() != "zh":
        return say(error.message)
    zh, _en = ERROR_HEADLINES.get(error.code, ERROR_HEADLINES["bad_request"])
    return f"{zh}（{error.message}）"
