"""The generator's forms: a draft manifest with its lines, issuing, cancelling, and the
manifest list's filters.

The forms only read what was typed; every rule is applied by the services (and by the
party choices, which use the issue-time checks), so a refusal always comes from the one
place the rule lives.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from manifest.catalogue_data import HAZARDS, OPERATIONS, PHYSICAL_FORMS
from manifest.local_time import CHINA
from manifest.models.manifests import KINDS
from manifest.quantities import UNITS
from manifest.status import Status

from .formatting import lazy_gettext
from .labels import STATUS

MAX_LINES = 50
#: Line fields whose text goes to the service unchanged ("" meaning not given).
LINE_TEXT_FIELDS = ("waste_code", "name", "packaging", "quantity", "density_t_m3")

KIND_LABELS = {
    "hazardous": lazy_gettext("Hazardous waste"),
    "sludge": lazy_gettext("Sewage sludge"),
}
UNIT_LABELS = {
    "t": lazy_gettext("t"),
    "kg": lazy_gettext("kg"),
    "m3": lazy_gettext("m³"),
    "pcs": lazy_gettext("pieces"),
}


def pickup_day(text: str | None) -> date:
    """The Beijing day of a pickup time typed as the form's field (``2026-11-30T08:00``), or
    today in Beijing when it is missing or unreadable."""
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return datetime.now(CHINA).date()


def options(pairs) -> list[SelectChoice]:
    """A select's options from ``(value, label)`` pairs (a value of None is the blank one)."""
    return [SelectChoice("" if value is None else str(value), label) for value, label in pairs]


def _named(table: dict, lang: str) -> list[SelectChoice]:
    return options((key, f"{key} {getattr(name, lang)}") for key, name in table.items())


def optional_id(value):
    """A select's value as a row id, or None when nothing is chosen (or it is not a number,
    which the choice check then refuses)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LineForm(Form):
    """One waste line; sub-form of :class:`ManifestForm` (the parent carries the CSRF token)."""

    waste_code = StringField(lazy_gettext("Waste code"), validators=[Optional(), Length(max=20)])
    name = StringField(lazy_gettext("Waste name"), validators=[Optional(), Length(max=200)])
    physical_form = SelectField(lazy_gettext("Physical form"), validate_choice=False)
    hazard = MultiCheckboxField(lazy_gettext("Hazard"), choices=options((h, h) for h in HAZARDS))
    packaging = StringField(lazy_gettext("Packaging"), validators=[Optional(), Length(max=100)])
    container_count = IntegerField(
        lazy_gettext("Containers"), validators=[Optional(), NumberRange(0, 100_000)]
    )
    quantity = StringField(lazy_gettext("Quantity"), validators=[Optional(), Length(max=30)])
    unit = SelectField(lazy_gettext("Unit"), choices=options((u, UNIT_LABELS[u]) for u in UNITS))
    density_t_m3 = StringField(
        lazy_gettext("Density (t/m³)"), validators=[Optional(), Length(max=30)]
    )

    def is_blank(self) -> bool:
        return not any((self[f].data or "").strip() for f in LINE_TEXT_FIELDS)

    def to_service(self) -> dict:
        """The line as :func:`manifest.services.drafts.create_manifest` reads it."""
        density = (self.density_t_m3.data or "").strip()
        return {
            "waste_code": (self.waste_code.data or "").strip(),
            "name": (self.name.data or "").strip(),
            "physical_form": self.physical_form.data,
            "hazard": list(self.hazard.data or []),
            "packaging": (self.packaging.data or "").strip(),
            "container_count": self.container_count.data,
            "quantity": (self.quantity.data or "").strip(),
            "unit": self.unit.data,
            "density_t_m3": density or None,
        }


class ManifestForm(FlaskForm):
    """A draft manifest. The party selects are filled by the view with the parties the
    draft may name (see :mod:`manifest.services.party_choices`)."""

    kind = SelectField(lazy_gettext("Kind"), choices=options((k, KIND_LABELS[k]) for k in KINDS))
    transporter_id = SelectField(
        lazy_gettext("Transporter"), coerce=optional_id, validate_choice=False
    )
    vehicle_plate = SelectField(lazy_gettext("Vehicle"), validate_choice=False)
    next_transporter_id = SelectField(
        lazy_gettext("Next transporter (optional)"), coerce=optional_id, validate_choice=False
    )
    receiver_id = SelectField(lazy_gettext("Receiver"), coerce=optional_id, validate_choice=False)
    planned_pickup_at = DateTimeLocalField(
        lazy_gettext("Planned pickup (Beijing time)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message=lazy_gettext("Enter the planned pickup time."))],
    )
    operation = SelectField(lazy_gettext("Planned operation"), validate_choice=False)
    moisture_pct = StringField(lazy_gettext("Moisture content (%)"), validators=[Length(max=10)])
    heavy_metal_report = StringField(
        lazy_gettext("Heavy-metal compliance document"), validators=[Length(max=200)]
    )
    notes = TextAreaField(lazy_gettext("Notes"), validators=[Length(max=2000)])
    lines = FieldList(FormField(LineForm), min_entries=1, max_entries=MAX_LINES)
    code_query = StringField(
        lazy_gettext("Search the waste catalogue"), validators=[Length(max=100)]
    )

    save = SubmitField(lazy_gettext("Save draft"))
    add_line = SubmitField(lazy_gettext("Add a line"))
    refresh = SubmitField(lazy_gettext("Update the choices"))
    search = SubmitField(lazy_gettext("Search"))

    def set_language(self, lang: str) -> None:
        """Name the catalogue's choices in the page's language."""
        self.operation.choices = [*options([(None, "—")]), *_named(OPERATIONS, lang)]
        for entry in self.lines:
            entry.form.physical_form.choices = _named(PHYSICAL_FORMS, lang)
            entry.form.hazard.choices = _named(HAZARDS, lang)

    def codes(self) -> list[str]:
        return [(e.form.waste_code.data or "").strip() for e in self.lines if not e.form.is_blank()]

    def pickup_utc(self) -> datetime | None:
        """The planned pickup, typed in Beijing time, as an aware UTC time."""
        local = self.planned_pickup_at.data
        return None if local is None else local.replace(tzinfo=CHINA).astimezone(UTC)

    def drop_blank_lines(self) -> None:
        """Leave out the lines left blank (keeping one entry to type in), so that the n-th
        line the drafts service reads, and names in a refusal, is the form's n-th entry."""
        typed = [e for e in self.lines.entries if not e.form.is_blank()]
        self.lines.entries = typed or self.lines.entries[:1]

    def to_service(self) -> dict:
        """The draft as the drafts service reads it (blank lines are not sent)."""
        moisture = (self.moisture_pct.data or "").strip()
        report = (self.heavy_metal_report.data or "").strip()
        data = {
            "kind": self.kind.data,
            "transporter_id": self.transporter_id.data,
            "next_transporter_id": self.next_transporter_id.data,
            "receiver_id": self.receiver_id.data,
            "vehicle_plate": self.vehicle_plate.data or "",
            "operation": self.operation.data or "",
            "planned_pickup_at": self.pickup_utc(),
            "moisture_pct": moisture or None,
            "heavy_metal_report": report or None,
            "notes": self.notes.data or "",
            "lines": [e.form.to_service() for e in self.lines if not e.form.is_blank()],
        }
        return data

    def fill_from(self, draft: dict) -> None:
        """Show a stored draft, as :func:`manifest.services.drafts.draft_input` gives it
        (the edit page's first view)."""
        pickup = draft["planned_pickup_at"].astimezone(CHINA)
        self.kind.data = draft["kind"]
        self.transporter_id.data = draft["transporter_id"]
        self.vehicle_plate.data = draft["vehicle_plate"]
        self.next_transporter_id.data = draft["next_transporter_id"]
        self.receiver_id.data = draft["receiver_id"]
        self.planned_pickup_at.data = pickup.replace(tzinfo=None, second=0, microsecond=0)
        self.operation.data = draft["operation"]
        self.moisture_pct.data = _text(draft["moisture_pct"])
        self.heavy_metal_report.data = draft["heavy_metal_report"] or ""
        self.notes.data = draft["notes"]
        while self.lines.entries:
            self.lines.pop_entry()
        for line in draft["lines"]:
            self.lines.append_entry(
                {
                    **line,
                    "quantity": _text(line["quantity"]),
                    "density_t_m3": _text(line["density_t_m3"]),
                }
            )


def _text(value) -> str:
    return "" if value is None else str(value)


class IssueForm(FlaskForm):
    confirm = SubmitField(lazy_gettext("Sign and issue"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Reason for cancelling"),
        validators=[
            InputRequired(message=lazy_gettext("A cancellation needs a reason.")),
            Length(max=2000),
        ],
    )
    confirm = SubmitField(lazy_gettext("Cancel the manifest"))


class ListFilterForm(FlaskForm):
    """The manifest list's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        lazy_gettext("Status"),
        choices=options(
            [(None, lazy_gettext("Any status")), *((s.value, STATUS[s.value]) for s in Status)]
        ),
        validators=[Optional()],
    )
    date_from = DateField(lazy_gettext("Created from"), validators=[Optional()])
    date_to = DateField(lazy_gettext("Created until"), validators=[Optional()])
    receiver = SelectField(
        lazy_gettext("Receiver"), coerce=optional_id, validators=[Optional()], validate_choice=False
    )
    code = StringField(
        lazy_gettext("Waste code or category"), validators=[Optional(), Length(max=20)]
    )
    number = StringField(lazy_gettext("Manifest number"), validators=[Optional(), Length(max=14)])

    def service_filters(self) -> dict:
        """The filters as :func:`manifest.services.manifests_query.list_visible` reads them:
        dates are whole days in Beijing time, the end day included."""

        def start_of(day):
            return datetime.combine(day, time.min, CHINA).astimezone(UTC)

        return {
            "status": self.status.data or None,
            "start": start_of(self.date_from.data) if self.date_from.data else None,
            "end": start_of(self.date_to.data + timedelta(days=1)) if self.date_to.data else None,
            "receiver_id": self.receiver.data,
            "waste_code": (self.code.data or "").strip() or None,
            "number": (self.number.data or "").strip() or None,
        }
