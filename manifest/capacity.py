"""Licensed annual capacity of a receiver: the scopes a waste code counts against, the
licensed tonnes per scope, and how far a year's tonnage has gone into them.

A receiver's hazardous-waste operation licence approves an annual tonnage per scope: a full
code (``336-064-17``), a category (``HW17``) or ``*`` for everything the licence covers. A
tonne of ``336-064-17`` counts against all three at once. Reaching 100 % of a scope raises a
finding; going above 120 % needs a new licence, so the issue is refused.

Pure: plain values in, plain values out. The service :mod:`manifest.services.capacity`
reads the figures from the database and is the only caller that judges a manifest, both
when it is issued and when the findings are raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

#: At or above this share of a licensed capacity a finding is raised.
FINDING_SHARE = Decimal("1.0")
#: Above this share the issue is refused: the receiver needs a new licence.
REFUSAL_SHARE = Decimal("1.2")
#: The whole scope of a licence, every code it covers together.
ALL_SCOPES = "*"
#: Manifest statuses whose accepted tonnes count against the receiver's capacity.
COUNTED_STATUSES = ("accepted", "partially_rejected", "completed")


class Level(StrEnum):
    """How far the tonnage has gone into a licensed capacity."""

    BELOW = "below"  # under 100 %: nothing to say
    FINDING = "100"  # from 100 % up to 120 % included: allowed, but a finding
    REFUSED = "120"  # above 120 %: refused at issue, a violation once accepted


def category_of(code: str) -> str:
    """The category a code or licence scope falls in: ``336-064-17`` -> ``HW17``,
    ``462-001-S07`` -> ``S07``; a category is returned as it is. Never raises."""
    tail = code.rsplit("-", 1)[-1]
    if tail.startswith("S"):
        return tail
    if code.startswith("HW"):
        return code
    return f"HW{tail}"


def scopes_of(code: str) -> tuple[str, str, str]:
    """Every capacity scope a tonne of ``code`` counts against: the code, its category, all."""
    return (code, category_of(code), ALL_SCOPES)


def tonnes_by_scope(tonnes_by_code: Iterable[tuple[str, Decimal | None]]) -> dict[str, Decimal]:
    """Sum ``(code, tonnes)`` pairs per capacity scope. Unknown tonnes (``None``: a count, a
    volume without density) weigh nothing but the code's scopes are still present."""
    totals: dict[str, Decimal] = {}
    for code, tonnes in tonnes_by_code:
        for scope in scopes_of(code):
            totals[scope] = totals.get(scope, Decimal(0)) + (tonnes or Decimal(0))
    return totals


def licensed_by_scope(licences: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """The licensed annual tonnes per scope over the capacities of the receiver's licences
    that are in force: for a scope named by several, the largest figure.

    Why the largest, and neither the sum nor the smallest: a receiver is one site, so two of
    its licences in force for the same scope are two approvals of the same installation (a
    renewal granted before the old one ran out, or a licence re-issued after an amendment),
    not two plants; adding them would double the approved scale during every overlap. Each
    licence in force allows the receiver to operate up to its own figure, so refusing under
    the smaller one would refuse what a valid licence allows. A regulator who lowers a
    receiver's capacity suspends or revokes the old licence, which takes it out of force.
    """
    licensed: dict[str, Decimal] = {}
    for capacities in licences:
        for scope, tonnes in capacities.items():
            licensed[scope] = max(licensed.get(scope, Decimal(0)), Decimal(tonnes))
    return licensed


def level_of(share: Decimal) -> Level:
    """The level of a share of licensed capacity (1 is 100 %)."""
    if share > REFUSAL_SHARE:
        return Level.REFUSED
    if share >= FINDING_SHARE:
        return Level.FINDING
    return Level.BELOW


@dataclass(frozen=True)
class CapacityUse:
    """A year's tonnage of one scope against its licensed capacity."""

    scope: str
    licensed_t: Decimal
    #: Tonnes the receiver has accepted this calendar year.
    accepted_t: Decimal
    #: Tonnes of the manifest being judged not yet in ``accepted_t``.
    this_manifest_t: Decimal

    @property
    def total_t(self) -> Decimal:
        return self.accepted_t + self.this_manifest_t

    @property
    def share(self) -> Decimal:
        return self.total_t / self.licensed_t

    @property
    def level(self) -> Level:
        return level_of(self.share)

    @property
    def refusal_limit_t(self) -> Decimal:
        """The most tonnes the scope may reach before an issue is refused."""
        return self.licensed_t * REFUSAL_SHARE


def capacity_uses(
    licensed: Mapping[str, Decimal],
    accepted: Mapping[str, Decimal],
    this_manifest: Mapping[str, Decimal],
    scopes: Iterable[str],
) -> list[CapacityUse]:
    """One use per scope among ``scopes`` (those the manifest counts against) that has a
    licensed capacity, in scope order. ``accepted`` and ``this_manifest`` are tonnes per
    scope (see :func:`tonnes_by_scope`); a scope missing from them counts as zero."""
    zero = Decimal(0)
    return [
        CapacityUse(
            scope, licensed[scope], accepted.get(scope, zero), this_manifest.get(scope, zero)
        )
        for scope in sorted(set(scopes))
        if scope in licensed
    ]
