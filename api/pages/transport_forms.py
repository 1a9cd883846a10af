"""The forms of the transporter's and driver's pages: pickup, hand-over, GPS track upload.

The forms only carry what was typed; every rule (plates, quantities, times, who may sign)
is checked by the services, whose refusals are put back on these fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from manifest.quantities import format_decimal

from .formatting import lazy_gettext
from .labels import CRS
from .signing import signing_time

CRS_CHOICES = [SelectChoice(code, label) for code, label in CRS.items()]


class QuantityEntry(Form):
    """One line's quantity; the line it belongs to is given by its place in the list."""

    quantity = StringField(lazy_gettext("Quantity"), render_kw={"inputmode": "decimal"})


class LoadForm(FlaskForm):
    """A carrier signs for the load: its vehicle, its driver and the quantity per line."""

    vehicle_plate = StringField(
        lazy_gettext("Vehicle plate"), render_kw={"autocomplete": "off", "list": "fleet"}
    )
    driver = StringField(lazy_gettext("Driver"), render_kw={"autocomplete": "name"})
    lines = FieldList(FormField(QuantityEntry))

    def prefill(self, manifest, quantities) -> None:
        """Fill a fresh form from the manifest: its vehicle and driver and, per line, the
        quantity ``quantities(line)`` (declared at pickup, loaded at a hand-over)."""
        self.vehicle_plate.data = manifest.vehicle_plate
        self.driver.data = manifest.driver or ""
        for line in manifest.lines:
            value = quantities(line)
            self.lines.append_entry({"quantity": "" if value is None else format_decimal(value)})

    def signature(self, manifest) -> dict:
        """The vehicle, driver, lines and time as the pickup and hand-over services take
        them."""
        return {
            "vehicle_plate": self.vehicle_plate.data or "",
            "driver": self.driver.data or "",
            "lines": self.line_entries(manifest),
            "at": signing_time(manifest),
        }

    def line_entries(self, manifest) -> list[dict]:
        """The typed quantities as the services take them, the n-th entry for the manifest's
        n-th line (so a refusal of entry n lands on the n-th row of the form)."""
        return [
            {"line_no": line.line_no, "quantity": entry.quantity.data or ""}
            for line, entry in zip(manifest.lines, self.lines, strict=False)
        ]


class NameNextForm(FlaskForm):
    """The current carrier names the transporter that may take the load over next."""

    transporter_id = SelectField(
        lazy_gettext("Next transporter"), coerce=int, validate_choice=False
    )


class TrackForm(FlaskForm):
    """A GPX log of the trip, and the map system its positions are in."""

    file = FileField(lazy_gettext("GPX file"), render_kw={"accept": ".gpx,application/gpx+xml"})
    crs = SelectField(lazy_gettext("Coordinate system"), choices=CRS_CHOICES, validate_choice=False)
