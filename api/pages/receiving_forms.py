"""The forms of the receiver's pages: arrival, decision, completion, weighbridge upload.

As for every page, the forms carry what was typed and the services judge it.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice

from manifest.catalogue_data import PHYSICAL_FORMS
from manifest.quantities import format_decimal

from .formatting import lazy_gettext, page_language

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class ArrivalEntry(Form):
    quantity = StringField(lazy_gettext("Weighed quantity"), render_kw=DECIMAL)
    waste_code = StringField(lazy_gettext("Waste code found"), render_kw={"autocomplete": "off"})
    physical_form = SelectField(lazy_gettext("Form found"), validate_choice=False)


class ArrivalForm(FlaskForm):
    """The receiver signs the arrival: the weighed quantity per line, and the moisture."""

    moisture_pct = StringField(lazy_gettext("Moisture on arrival (%)"), render_kw=DECIMAL)
    lines = FieldList(FormField(ArrivalEntry))

    def prepare(self, manifest) -> None:
        """One entry per line (empty on a fresh form: the operator types what was weighed)
        and the physical forms to choose from."""
        if not self.is_submitted():
            for _line in manifest.lines:
                self.lines.append_entry()
        chinese = page_language() == "zh"
        choices = [SelectChoice("", lazy_gettext("as declared"))] + [
            SelectChoice(code, f"{code} {named.zh if chinese else named.en}")
            for code, named in PHYSICAL_FORMS.items()
        ]
        for entry in self.lines:
            entry.physical_form.choices = choices

    def service_args(self, manifest) -> dict:
        lines = []
        for line, entry in zip(manifest.lines, self.lines, strict=False):
            found = {"line_no": line.line_no, "quantity": entry.quantity.data or ""}
            if (entry.waste_code.data or "").strip():
                found["waste_code"] = entry.waste_code.data.strip()
            if entry.physical_form.data:
                found["physical_form"] = entry.physical_form.data
            lines.append(found)
        moisture = (self.moisture_pct.data or "").strip()
        return {"lines": lines, "moisture_pct": moisture or None}


class DecisionEntry(Form):
    accepted = StringField(lazy_gettext("Accepted"), render_kw=DECIMAL)
    rejected = StringField(lazy_gettext("Rejected"), render_kw=DECIMAL)
    reason = TextAreaField(lazy_gettext("Reason for rejecting"), render_kw={"rows": 2})


class DecisionForm(FlaskForm):
    """The receiver accepts or rejects each line; a rejection names its reason."""

    lines = FieldList(FormField(DecisionEntry))

    def prepare(self, manifest) -> None:
        """On a fresh form, every line accepted as received (the common case)."""
        if not self.is_submitted():
            for line in manifest.lines:
                received = "" if line.received is None else format_decimal(line.received)
                self.lines.append_entry({"accepted": received, "rejected": "0", "reason": ""})

    def service_args(self, manifest) -> dict:
        return {
            "lines": [
                {
                    "line_no": line.line_no,
                    "accepted": entry.accepted.data or "",
                    "rejected": entry.rejected.data or "",
                    "reason": entry.reason.data or None,
                }
                for line, entry in zip(manifest.lines, self.lines, strict=False)
            ]
        }


class CompletionForm(FlaskForm):
    """The treatment operation applied and when it was finished (local time)."""

    operation = StringField(lazy_gettext("Operation code"), render_kw={"autocomplete": "off"})
    completed_at = DateTimeLocalField(
        lazy_gettext("Completed at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )


class ReceiptsForm(FlaskForm):
    """A weighbridge log exported from the scale's software."""

    file = FileField(lazy_gettext("Weighbridge CSV file"), render_kw={"accept": ".csv,text/csv"})
