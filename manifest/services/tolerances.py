"""Reading and setting the reconciliation tolerances of regions, and their history.

Which setting judges a manifest is decided by :mod:`manifest.tolerances`; this module finds
the region a manifest is issued in (:func:`issuing_regions`), loads the settings, enforces who
may read and change which region, and records every change in ``tolerance_changes``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select

from ..actor import Actor
from ..errors import NotFound, ValidationFailed
from ..infra.db import insert, utcnow
from ..infra.uow import UnitOfWork
from ..models import Manifest, Organization, ReconcileTolerance
from ..models.manifests import KINDS
from ..models.tolerances import RegionalTolerance, ToleranceChange
from ..reconcile import DEFAULT_TOLERANCES, Tolerance
from ..regions import covers, region_prefix, validate_region_code
from ..tolerances import FIELDS, Applied, TolerancePolicy, checked_value, enclosing_codes


def _tolerance(row) -> Tolerance:
    return Tolerance(*(Decimal(getattr(row, name)) for name in FIELDS))


def tolerance_policy(session, *, region_code: str | None = None) -> TolerancePolicy:
    """The service-wide default and the regional settings: every setting, or only those that
    can hold for ``region_code``."""
    defaults = dict(DEFAULT_TOLERANCES)
    for row in session.scalars(select(ReconcileTolerance)):
        defaults[row.kind] = _tolerance(row)
    stmt = select(RegionalTolerance)
    if region_code is not None:
        stmt = stmt.where(RegionalTolerance.region_code.in_(enclosing_codes(region_code)))
    regional = {(r.region_code, r.kind): _tolerance(r) for r in session.scalars(stmt)}
    return TolerancePolicy(defaults=defaults, regional=regional)


def issuing_regions(session, manifest_ids) -> dict[int, str]:
    """The region each manifest is issued in, which decides its tolerance: the region of its
    generator's organisation, whose bureau supervises the transfer."""
    ids = list(manifest_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(Manifest.id, Organization.region_code)
            .join(Organization, Organization.id == Manifest.generator_id)
            .where(Manifest.id.in_(ids))
        ).all()
    )


def tolerance_for_manifest(session, manifest) -> Tolerance:
    """The tolerance that judges ``manifest`` (a row with ``id`` and ``kind``)."""
    region = issuing_regions(session, [manifest.id]).get(manifest.id)
    return tolerance_policy(session, region_code=region).applicable(region, manifest.kind).tolerance


def _supervised(actor: Actor, region_code: str, field: str) -> str:
    """``region_code`` when the regulator covers it. Raises ValidationFailed for a malformed
    code, NotFound for any region it does not cover (set or not: nothing of it is told)."""
    code = validate_region_code(region_code, field)
    if not covers(actor.region_codes, code):
        raise NotFound(f"no region {code} among the regions you supervise")
    return code


def _readable_region(session, actor: Actor, region_code: str | None) -> str:
    """The region ``actor`` asks about: a regulator any region it covers (its first by
    default), an organisation's user its own organisation's region. Raises NotFound for any
    other region, whether or not it has settings, and ValidationFailed for a malformed code."""
    if actor.is_regulator:
        if region_code is None:
            if not actor.region_codes:
                raise NotFound("you supervise no region")
            return actor.region_codes[0]
        return _supervised(actor, region_code, "region")
    own = session.get(Organization, actor.organization_id).region_code
    if region_code is not None and validate_region_code(region_code, "region") != own:
        raise NotFound(f"no tolerances of region {region_code} for you")
    return own


def tolerances_in_effect(
    session, *, actor: Actor, region_code: str | None = None
) -> tuple[str, dict[str, Applied]]:
    """The region asked about and, per manifest kind, the tolerance judging manifests issued
    there with the region whose setting it is (None: the service-wide default).

    Raises NotFound for a region the actor may not read (see :func:`_readable_region`),
    ValidationFailed for a malformed code."""
    region = _readable_region(session, actor, region_code)
    policy = tolerance_policy(session, region_code=region)
    return region, {kind: policy.applicable(region, kind) for kind in KINDS}


def _settable_region(actor: Actor | None, region_code: str | None) -> str | None:
    if actor is None:  # the operator's command line; no code is the service-wide default
        return None if region_code is None else validate_region_code(region_code)
    actor.require_regulator()
    if region_code is None:
        if len(actor.region_codes) != 1:
            raise ValidationFailed(
                "name the region_code to set, one of the regions you supervise",
                errors={"region_code": ["required"]},
            )
        return actor.region_codes[0]
    return _supervised(actor, region_code, "region_code")


def set_tolerance(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    kind: str,
    region_code: str | None = None,
    mass_pct=None,
    mass_abs_kg=None,
    moisture_points=None,
    violation_factor=None,
) -> Applied:
    """Set the tolerance of a manifest kind for a region; values left out keep the ones that
    hold there now. A regulator sets only regions it covers (``region_code`` may be left out
    when it covers one); ``actor=None`` is the operator, who without a code sets the
    service-wide default. The change is recorded with who and when.

    Raises Forbidden for anyone but a regulator, NotFound for a kind that does not exist or a
    region the regulator does not cover, ValidationFailed for a malformed code or a value out
    of bounds. Findings already raised keep the limits they were raised with.
    """
    region = _settable_region(actor, region_code)
    _known_kind(kind)
    given = {
        "mass_pct": mass_pct,
        "mass_abs_kg": mass_abs_kg,
        "moisture_points": moisture_points,
        "violation_factor": violation_factor,
    }
    checked = {name: checked_value(name, v) for name, v in given.items() if v is not None}
    with uow:
        s = uow.session
        current = tolerance_policy(s, region_code=region).applicable(region, kind).tolerance
        values = {name: checked.get(name, getattr(current, name)) for name in FIELDS}
        model, key = _setting(region, kind)
        old = _write_locked(s, model, key, values, actor)
        _record(s, actor, region, kind, old, values, cleared=False)
        uow.commit()
        return Applied(Tolerance(**values), region)


def clear_tolerance(
    uow: UnitOfWork, *, actor: Actor | None, kind: str, region_code: str | None = None
) -> Applied:
    """Remove a region's own tolerance of a manifest kind, so manifests issued there are
    judged again by the enclosing region's setting or the service-wide default; return what
    holds from now on. ``actor=None`` is the operator, who without a code removes the
    configured service-wide default (the national one holds again). The removal is recorded
    like a change, marked ``cleared``, with the figures that hold afterwards.

    Raises Forbidden for anyone but a regulator, NotFound for a kind that does not exist, a
    region the regulator does not cover, or a region without a setting of its own for the
    kind (nothing is changed or recorded), ValidationFailed for a malformed code."""
    region = _settable_region(actor, region_code)
    _known_kind(kind)
    with uow:
        s = uow.session
        model, key = _setting(region, kind)
        row = _locked(s, model, key)
        if row is None:
            where = f"region {region}" if region else "the service-wide default"
            raise NotFound(f"{where} has no {kind} tolerance of its own to clear")
        old = {name: getattr(row, name) for name in FIELDS}
        s.delete(row)
        s.flush()
        after = tolerance_policy(s, region_code=region).applicable(region, kind)
        values = {name: getattr(after.tolerance, name) for name in FIELDS}
        _record(s, actor, region, kind, old, values, cleared=True)
        uow.commit()
        return after


def _known_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound(f"no manifest kind {kind!r}; kinds are {', '.join(KINDS)}")


def _setting(region: str | None, kind: str):
    """The table and key of the setting of ``kind`` in ``region`` (None: the default)."""
    if region is None:
        return ReconcileTolerance, {"kind": kind}
    return RegionalTolerance, {"region_code": region, "kind": kind}


def _record(session, actor, region, kind, old: dict | None, values: dict, *, cleared: bool):
    session.add(
        ToleranceChange(
            region_code=region,
            kind=kind,
            **{f"old_{name}": None if old is None else old[name] for name in FIELDS},
            **values,
            cleared=cleared,
            changed_by_id=None if actor is None else actor.user_id,
            regulator_id=None if actor is None else actor.regulator_id,
            changed_at=utcnow(),
        )
    )


def _write_locked(session, model, key: dict, values: dict, actor: Actor | None):
    """Write the setting ``key`` and return its values before (None when it had none).

    The row is locked first, so two changes at once are recorded one after the other, each
    with the values it replaced."""
    stamp = {"updated_at": utcnow(), "updated_by_id": None if actor is None else actor.user_id}
    row = _locked(session, model, key)
    if row is None:
        added = session.execute(
            insert(session, model)
            .values(**key, **values, **stamp)
            .on_conflict_do_nothing()
            .returning(*[getattr(model, k) for k in key])
        ).first()
        if added is not None:
            return None
        row = _locked(session, model, key)  # set by another request meanwhile: change it
    old = {name: getattr(row, name) for name in FIELDS}
    for name, value in {**values, **stamp}.items():
        setattr(row, name, value)
    session.flush()
    return old


def _locked(session, model, key: dict):
    return session.scalar(
        select(model)
        .where(*[getattr(model, k) == v for k, v in key.items()])
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def tolerance_history(
    session, *, actor: Actor, region_code: str | None = None, kind: str | None = None
):
    """A SELECT of the changes that concern the regulator's regions (or only ``region_code``),
    newest first: settings made inside them, settings of the regions enclosing them, and the
    service-wide default.

    Raises Forbidden for anyone but a regulator, NotFound for a region it does not cover,
    ValidationFailed for a malformed code or an unknown kind."""
    actor.require_regulator()
    codes = list(actor.region_codes)
    if region_code is not None:
        codes = [_supervised(actor, region_code, "region")]
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(f"unknown manifest kind {kind!r}", errors={"kind": ["unknown"]})
    C = ToleranceChange
    concerned = [C.region_code.is_(None)]
    for code in codes:
        concerned.append(C.region_code.startswith(region_prefix(code)))
        concerned.append(C.region_code.in_(enclosing_codes(code)))
    stmt = select(C).where(or_(*concerned)).order_by(C.id.desc())
    if kind is not None:
        stmt = stmt.where(C.kind == kind)
    return stmt
