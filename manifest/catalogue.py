"""Waste codes and the small vocabularies a manifest line uses.

Two code systems:

* hazardous waste (国家危险废物名录): ``NNN-NNN-NN`` — industry (3 digits), sequence
  (3 digits), category (2 digits, the ``HW`` number, which must be one in use);
* non-hazardous solid waste (固体废物分类与代码目录 2024): ``NNN-NNN-SNN`` — industry (3 digits),
  sequence ``001``–``099``, category ``S01``–``S99`` (S08 unused). The catalogue defines the
  nine characters; the dashed form mirrors the hazardous codes and is what we store and print.

Input is normalised before parsing: full-width characters folded (NFKC), blanks stripped,
upper-cased, typographic dashes read as ``-``; the dashes may be left out. Every function
below returns or stores the canonical dashed form. The tables live in ``catalogue_data``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar, Literal

from .catalogue_data import (
    HAZARDS,
    HW_CATEGORIES,
    LAND_APPLICATION_OPERATIONS,
    OPERATIONS,
    PHYSICAL_FORMS,
    S_CATEGORIES_NOT_IN_USE,
    S_CATEGORY_RANGES,
)
from .digits import is_ascii_digits
from .errors import ValidationFailed
from .texts import Text

__all__ = [
    "HwCode",
    "SCode",
    "LAND_APPLICATION_OPERATIONS",
    "category_of",
    "classify_code",
    "classify_s_category",
    "is_land_application",
    "parse_hazards",
    "parse_hw_code",
    "parse_s_code",
    "parse_waste_code",
    "validate_operation",
    "validate_physical_form",
    "validate_waste_code",
]

WasteKind = Literal["hazardous", "solid"]
SKind = Literal["industrial", "household", "construction", "agricultural", "other"]

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
_HW_RE = re.compile(r"(\d{3})-?(\d{3})-?(\d{2})", re.ASCII)
_S_RE = re.compile(r"(\d{3})-?(\d{3})-?S(\d{2})", re.ASCII)
_HAZARD_SPLIT = re.compile(r"[\s/,，、;；+]+")


def _fail(key: str, field: str, **params) -> ValidationFailed:
    message = Text(key, **params)
    return ValidationFailed(message, errors={field: [message]})


def _normalise(code: str) -> str:
    return unicodedata.normalize("NFKC", code).translate(_DASHES).strip().upper()


def _parts(code: str, pattern: re.Pattern, form: str, field: str) -> tuple[str, ...]:
    """Industry, sequence and category number of ``code`` written in ``form`` (``pattern``).
    Raises ValidationFailed naming the form."""
    match = pattern.fullmatch(_normalise(code) if isinstance(code, str) else "")
    if not match:
        raise _fail("code_not_in_form", field, code=code, form=form)
    return match.groups()


@dataclass(frozen=True)
class _WasteCode:
    """A parsed code: industry and sequence (three digits each) and the category."""

    kind: ClassVar[WasteKind]
    industry: str
    sequence: str
    category: str

    @property
    def code(self) -> str:
        """The canonical dashed form."""
        return f"{self.industry}-{self.sequence}-{self._category_part}"

    @property
    def _category_part(self) -> str:
        return self.category

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class HwCode(_WasteCode):
    """A hazardous-waste code; ``category`` is the category id such as ``"HW17"``, written
    in the code by its number alone."""

    kind: ClassVar[WasteKind] = "hazardous"

    @property
    def _category_part(self) -> str:
        return self.category[2:]


@dataclass(frozen=True)
class SCode(_WasteCode):
    """A non-hazardous solid-waste code; ``category`` is like ``"S07"``."""

    kind: ClassVar[WasteKind] = "solid"

    @property
    def category_kind(self) -> SKind:
        return classify_s_category(int(self.category[1:]))


def parse_hw_code(code: str, *, field: str = "waste_code") -> HwCode:
    """Parse a hazardous-waste code such as ``336-064-17`` (dashes optional).

    Raises ValidationFailed when the form is not ``NNN-NNN-NN`` or the category is not one
    of the 46 in use (HW41–HW44 and anything above HW50 are refused).
    """
    industry, sequence, number = _parts(code, _HW_RE, "NNN-NNN-NN", field)
    category = f"HW{number}"
    if category not in HW_CATEGORIES:
        retired = 41 <= int(number) <= 44
        key = "hw_category_retired" if retired else "hw_category_unknown"
        raise _fail(key, field, code=f"{industry}-{sequence}-{number}", category=category)
    return HwCode(industry, sequence, category)


def classify_s_category(n: int | str) -> SKind:
    """The first-level kind of ``S`` category ``n`` (``7``, ``"07"`` or ``"S07"``).

    Raises ValidationFailed for S08 and numbers outside 1–99.
    """
    text = str(n).strip().upper().removeprefix("S")
    if not is_ascii_digits(text) or len(text) > 2:
        raise _fail("s_category_range", "waste_code", category=n)
    number = int(text)
    if number in S_CATEGORIES_NOT_IN_USE:
        raise _fail("s_category_unused", "waste_code", category=f"S{number:02d}")
    for low, high, kind in S_CATEGORY_RANGES:
        if low <= number <= high:
            return kind  # type: ignore[return-value]
    raise _fail("s_category_outside", "waste_code", category=f"S{number:02d}")


def parse_s_code(code: str, *, field: str = "waste_code") -> SCode:
    """Parse a solid-waste code such as ``462-001-S07`` (or ``462001S07``).

    Raises ValidationFailed when the form is not ``NNN-NNN-SNN``, the sequence is outside
    001–099, or the category is S00, S08 or otherwise outside S01–S99.
    """
    industry, sequence, number = _parts(code, _S_RE, "NNN-NNN-SNN", field)
    if not 1 <= int(sequence) <= 99:
        raise _fail("s_code_sequence", field, code=f"{industry}-{sequence}-S{number}")
    try:
        classify_s_category(number)
    except ValidationFailed as exc:
        code = f"{industry}-{sequence}-S{number}"
        raise _fail("s_code_category", field, code=code, problem=exc.message) from None
    return SCode(industry, sequence, f"S{number}")


def parse_waste_code(code: str, *, field: str = "waste_code") -> HwCode | SCode:
    """Parse either kind of code; a final ``S`` part selects the solid-waste rules.

    Raises ValidationFailed with the message of the matching rule, or naming both forms when
    the input resembles neither.
    """
    value = _normalise(code) if isinstance(code, str) else ""
    if re.fullmatch(r"[\d-]*S\d*", value, re.ASCII):
        return parse_s_code(code, field=field)
    if re.fullmatch(r"[\d-]+", value, re.ASCII):
        return parse_hw_code(code, field=field)
    raise _fail("code_form", field, code=code)


def category_of(code: str) -> str:
    """The category of a valid code: ``"HW17"`` or ``"S07"``; raises ValidationFailed."""
    return parse_waste_code(code).category


def classify_code(code: str) -> WasteKind:
    """``'hazardous'`` or ``'solid'`` for a valid code; raises ValidationFailed otherwise."""
    return parse_waste_code(code).kind


def validate_waste_code(
    code: str, *, official: Collection[str] | None = None, field: str = "waste_code"
) -> str:
    """The canonical form of ``code`` after checking its format and, if given, the list.

    ``official`` holds the loaded official codes (a set, or a mapping keyed by code), in
    canonical form, hazardous and/or solid. A code is checked against the entries of its own
    kind; when ``official`` is None or has no entry of that kind, only the format is
    checked. Raises ValidationFailed for a malformed code or one "not in the loaded
    official list".
    """
    parsed = parse_waste_code(code, field=field)
    if official:
        same_kind = any(_kind_of(entry) == parsed.kind for entry in official)
        if same_kind and parsed.code not in official:
            raise _fail("code_not_listed", field, code=parsed.code)
    return parsed.code


def _kind_of(entry: str) -> WasteKind:
    return "solid" if "S" in entry.upper() else "hazardous"


def parse_hazards(text: str | Collection[str], *, field: str = "hazard") -> tuple[str, ...]:
    """Hazard characteristics from ``"T"``, ``"T/C"``, ``"T,In"``, ``"T、I"`` or a list.

    Letters are read case-insensitively (``in`` → ``In``); the result is de-duplicated in
    the order T, C, I, R, In. Raises ValidationFailed naming unknown letters, or when
    nothing is given.
    """
    parts = _HAZARD_SPLIT.split(text.strip()) if isinstance(text, str) else list(text)
    by_upper = {key.upper(): key for key in HAZARDS}
    found, unknown = set(), []
    for part in (unicodedata.normalize("NFKC", p).strip() for p in parts):
        if not part:
            continue
        if part.upper() in by_upper:
            found.add(by_upper[part.upper()])
        else:
            unknown.append(part)
    if unknown:
        raise _fail("hazard_unknown", field, hazards=unknown)
    if not found:
        raise _fail("hazard_required", field)
    return tuple(key for key in HAZARDS if key in found)


def validate_physical_form(value: str, *, field: str = "physical_form") -> str:
    """``S``, ``SS``, ``L`` or ``G`` (case-insensitive); raises ValidationFailed otherwise."""
    form = value.strip().upper() if isinstance(value, str) else ""
    if form not in PHYSICAL_FORMS:
        raise _fail("physical_form_invalid", field, form=value)
    return form


def validate_operation(value: str, *, field: str = "operation") -> str:
    """A treatment operation ``R1``–``R13`` or ``D1``–``D15`` (``r1``, ``R 01`` accepted).

    Raises ValidationFailed for anything else.
    """
    text = value.strip().upper() if isinstance(value, str) else ""
    match = re.fullmatch(r"([RD])\s*0*(\d{1,2})", text, re.ASCII)
    operation = f"{match[1]}{int(match[2])}" if match else ""
    if operation not in OPERATIONS:
        raise _fail("operation_invalid", field, operation=value)
    return operation


def is_land_application(operation: str) -> bool:
    """True when the operation puts the waste on land (see LAND_APPLICATION_OPERATIONS)."""
    return validate_operation(operation) in LAND_APPLICATION_OPERATIONS
