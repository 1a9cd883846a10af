"""Marshmallow fields and schemas shared by several resources."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from manifest.db import MAX_ID
from manifest.errors import ValidationFailed
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


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads as a field class in schemas
    """The id of a stored row: a JSON integer within the range of the id columns."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def Timestamp(**kwargs) -> fields.AwareDateTime:  # noqa: N802 - reads as a field class
    """An ISO 8601 time with an offset, in the years this service can be asked about."""
    return fields.AwareDateTime(validate=_plausible_year, **kwargs)


def _plausible_year(value) -> None:
    if not 2000 <= value.year <= 2100:
        raise ma.ValidationError("a time between the years 2000 and 2100")


class Position(ma.Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90), allow_nan=False)
    lon = fields.Float(required=True, validate=validate.Range(-180, 180), allow_nan=False)


class SignatureArgs(ma.Schema):
    at = Timestamp(required=True, metadata={"description": "when the signer signed"})
    position = fields.Nested(Position, load_default=None, allow_none=True)


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class Verdict(ma.Schema):
    valid = fields.Boolean()
    length = fields.Integer()
    head = fields.String(allow_none=True)
    broken_at = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)
