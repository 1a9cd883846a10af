"""Marshmallow fields and schemas shared by several resources."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from manifest.errors import ValidationFailed
from manifest.finding_types import FINDING_TYPES, SEVERITIES
from manifest.infra.db import MAX_ID
from manifest.models.findings import FINDING_STATUSES
from manifest.quantities import format_decimal, parse_decimal


class DecimalString(fields.Field):
    """A quantity: a decimal string or JSON number on input, a decimal string on output.
    NaN, infinities, booleans, negatives and more than three decimals are refused."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        try:
            return parse_decimal(value, field=attr or "quantity")
        except ValidationFailed as exc:
            raise ma.ValidationError(exc.message) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return format_decimal(value)


_ASCII_INTEGER = re.compile(r"-?[0-9]{1,18}")
_ASCII_REAL = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")


class Integer(fields.Integer):
    """A whole number; given as text (a query parameter), ASCII digits only: ``int()`` would
    also read ``١``, ``９``, ``1_000`` and numbers too long to convert."""

    def _validated(self, value):
        if isinstance(value, str) and not _ASCII_INTEGER.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Float(fields.Float):
    """A real number; given as text, ASCII digits and one decimal point only."""

    def _validated(self, value):
        if isinstance(value, str) and not _ASCII_REAL.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads as a field class in schemas
    """The id of a stored row: a JSON integer within the range of the id columns."""
    return Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def Timestamp(**kwargs) -> fields.AwareDateTime:  # noqa: N802 - reads as a field class
    """An ISO 8601 time with an offset, in the years this service can be asked about."""
    return fields.AwareDateTime(validate=_plausible_year, **kwargs)


def _plausible_year(value) -> None:
    if not 2000 <= value.year <= 2100:
        raise ma.ValidationError("a time between the years 2000 and 2100")


def StoredJson(attribute: str) -> fields.Function:  # noqa: N802 - reads as a field class
    """JSON the row keeps as text in ``attribute``, answered as JSON."""
    return fields.Function(lambda row: json.loads(getattr(row, attribute)))


def StoredPosition(lat: str, lon: str) -> fields.Function:  # noqa: N802 - reads as a field class
    """The position the row keeps in its ``lat`` and ``lon`` columns, answered as
    ``{"lat", "lon"}`` in degrees; null when none is known."""

    def position(row) -> dict | None:
        if getattr(row, lat) is None:
            return None
        return {"lat": float(getattr(row, lat)), "lon": float(getattr(row, lon))}

    return fields.Function(position)


def FindingType(types=FINDING_TYPES, **kwargs) -> fields.String:  # noqa: N802 - a field class
    """A registered type of finding, one of ``types`` (by default any), asked for or answered."""
    return fields.String(validate=validate.OneOf(types), **kwargs)


def Severity(**kwargs) -> fields.String:  # noqa: N802 - reads as a field class
    """A finding's severity, asked for or answered."""
    return fields.String(validate=validate.OneOf(SEVERITIES), **kwargs)


def FindingStatus(**kwargs) -> fields.String:  # noqa: N802 - reads as a field class
    """Where a finding stands in its triage, asked for or answered."""
    return fields.String(validate=validate.OneOf(FINDING_STATUSES), **kwargs)


class Position(ma.Schema):
    lat = Float(required=True, validate=validate.Range(-90, 90), allow_nan=False)
    lon = Float(required=True, validate=validate.Range(-180, 180), allow_nan=False)


class SignatureArgs(ma.Schema):
    at = Timestamp(required=True, metadata={"description": "when the signer signed"})
    position = fields.Nested(Position, load_default=None, allow_none=True)


class PageArgs(ma.Schema):
    page = Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = Integer(load_default=50, validate=validate.Range(1, 500))


class PartyOut(ma.Schema):
    """An organisation as a manifest or a report names it."""

    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()


class Verdict(ma.Schema):
    valid = fields.Boolean()
    length = fields.Integer()
    head = fields.String(allow_none=True)
    broken_at = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)
