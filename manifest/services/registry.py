"""Organisations, regulator bodies, users, licences and vehicles."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..actor import Actor
from ..capacity import category_of
from ..catalogue import validate_operation
from ..emails import EMAIL_RE, normal_email
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..infra.uow import UnitOfWork
from ..models import (
    Licence,
    LicenceCapacity,
    LicenceScope,
    Organization,
    Regulator,
    RegulatorRegion,
    User,
    Vehicle,
)
from ..models.registry import USER_ROLES
from ..passwords import hash_password, password_problems
from ..plates import validate_plate
from ..quantities import parse_decimal
from ..regions import covers, validate_region_code
from ..texts import Text
from ..uscc import validate_uscc

# Tokens have their own module; these names stay reachable from the registry for its callers.
from .tokens import actor_for_token, actor_for_user, issue_token, revoke_token  # noqa: F401

ORG_ROLES = ("generator", "transporter", "receiver")
#: Licence dates outside this range are typing errors (and would overflow date arithmetic).
LICENCE_DATES = (date(1990, 1, 1), date(2100, 12, 31))


# ---------------------------------------------------------------- organisations


def create_organization(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    name: str,
    uscc: str,
    roles: list[str],
    region_code: str,
    address: str = "",
    location: dict | None = None,
    site_radius_m: int = 300,
    key_supervision: bool = False,
) -> Organization:
    """Register an organisation. Only a regulator (or the command line, actor None) may.

    Raises Forbidden, ValidationFailed (bad USCC, region, roles), Conflict (USCC taken).
    """
    if actor is not None:
        actor.require_regulator()
    code = validate_uscc(uscc)
    region = validate_region_code(region_code)
    if actor is not None and not covers(actor.region_codes, region):
        raise Forbidden(Text("region_outside_jurisdiction", region=region))
    bad = sorted(set(roles) - set(ORG_ROLES))
    if not roles or bad:
        raise ValidationFailed(
            Text("org_roles_invalid"),
            errors={"roles": [Text("org_role_unknown", role=r) for r in bad] or [Text("empty")]},
        )
    if not (name or "").strip():
        raise ValidationFailed(Text("name_required"), errors={"name": [Text("required")]})
    lat = lon = None
    if location:
        lat, lon = Decimal(str(location["lat"])), Decimal(str(location["lon"]))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationFailed(
                Text("location_out_of_range"), errors={"location": [Text("out_of_range")]}
            )
    if not 10 <= int(site_radius_m) <= 10_000:
        raise ValidationFailed(
            Text("site_radius_invalid"),
            errors={"site_radius_m": [Text("site_radius_choice")]},
        )
    with uow:
        s = uow.session
        if s.scalar(select(Organization.id).where(Organization.uscc == code)):
            raise Conflict(Text("uscc_taken", uscc=code))
        org = Organization(
            name=name.strip(),
            uscc=code,
            region_code=region,
            address=address or "",
            lat=lat,
            lon=lon,
            site_radius_m=int(site_radius_m),
            key_supervision=key_supervision,
            is_generator="generator" in roles,
            is_transporter="transporter" in roles,
            is_receiver="receiver" in roles,
        )
        s.add(org)
        s.flush()
        uow.commit()
        return org


def get_organization(session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(Text("organisation_not_found", id=org_id))
    return org


def find_organization_by_uscc(session, uscc: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.uscc == uscc.strip().upper()))
    if org is None:
        raise NotFound(Text("no_organisation_with_uscc", uscc=uscc))
    return org


def list_organizations(
    session, *, role: str | None = None, q: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Organization], int]:
    """The public registry: every signed-in user may look up parties to name on a manifest."""
    stmt = select(Organization)
    if role in ORG_ROLES:
        stmt = stmt.where(getattr(Organization, f"is_{role}"))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(Organization.name.like(like) | Organization.uscc.like(like))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(
        stmt.order_by(Organization.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


# ---------------------------------------------------------------- licences, vehicles


def add_licence(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    organization_id: int,
    kind: str,
    number: str,
    valid_from: date,
    valid_to: date,
    waste_codes: list[str],
    annual_capacity_t: dict[str, object],
    operations: list[str],
    status: str = "active",
) -> Licence:
    """Record a licence issued to an organisation. Regulators only.

    Raises ValidationFailed for dates out of order, a validity longer than five years, unknown
    scopes or operations, capacities that are not positive decimals; Conflict for a number
    already used.
    """
    if actor is not None:
        actor.require_regulator()
    errors: dict[str, list[Text]] = {}
    if kind not in ("hw_operation", "dg_transport"):
        errors["kind"] = [Text("licence_kind_choice")]
    if not (number or "").strip():
        errors["number"] = [Text("required")]
    dates_ok = True
    for field, day in (("valid_from", valid_from), ("valid_to", valid_to)):
        if not isinstance(day, date) or not LICENCE_DATES[0] <= day <= LICENCE_DATES[1]:
            errors[field] = [Text("date_between", first=LICENCE_DATES[0], last=LICENCE_DATES[1])]
            dates_ok = False
    if dates_ok and valid_to < valid_from:
        errors["valid_to"] = [Text("before_valid_from")]
    elif dates_ok and valid_to > valid_from + timedelta(days=5 * 366):
        errors["valid_to"] = [Text("licence_too_long")]
    if status not in ("active", "suspended", "revoked"):
        errors["status"] = [Text("licence_status_choice")]
    scopes = []
    for code in waste_codes or []:
        code = code.strip().upper()
        if not re.match(r"^(HW\d{2}|\d{3}-\d{3}-\d{2})$", code, re.ASCII):
            errors.setdefault("waste_codes", []).append(Text("scope_not_a_code", code=code))
        scopes.append(code)
    ops = []
    for op in operations or []:
        try:
            ops.append(validate_operation(op))
        except ValidationFailed:
            errors.setdefault("operations", []).append(Text("operation_not_known", operation=op))
    capacities = {}
    for scope, tonnes in (annual_capacity_t or {}).items():
        try:
            capacities[scope.strip().upper()] = parse_decimal(
                tonnes, field="annual_capacity_t", allow_zero=False
            )
        except ValidationFailed as exc:
            errors.setdefault("annual_capacity_t", []).append(
                Text("scope_problem", scope=scope, problem=exc.message)
            )
    if kind == "hw_operation" and not scopes:
        errors.setdefault("waste_codes", []).append(Text("licence_scope_needed"))
    for scope in capacities:
        if scope != "*" and scope not in scopes and category_of(scope) not in scopes:
            errors.setdefault("annual_capacity_t", []).append(
                Text("scope_outside_licence", scope=scope)
            )
    if errors:
        raise ValidationFailed(Text("licence_invalid"), errors=errors)
    with uow:
        s = uow.session
        org = get_organization(s, organization_id)
        if actor is not None and not covers(actor.region_codes, org.region_code):
            raise Forbidden(Text("org_outside_jurisdiction"))
        needed = "receiver" if kind == "hw_operation" else "transporter"
        if needed not in org.roles:
            raise ValidationFailed(
                Text("licence_needs_role", licence=kind, role=needed),
                errors={"kind": [Text("org_lacks_role", role=needed)]},
            )
        if s.scalar(select(Licence.id).where(Licence.kind == kind, Licence.number == number)):
            raise Conflict(Text("licence_number_taken", number=number))
        lic = Licence(
            organization_id=org.id,
            kind=kind,
            number=number.strip(),
            valid_from=valid_from,
            valid_to=valid_to,
            status=status,
            operations=" ".join(sorted(set(ops))),
        )
        s.add(lic)
        s.flush()
        s.add_all(LicenceScope(licence_id=lic.id, code=c) for c in sorted(set(scopes)))
        s.add_all(
            LicenceCapacity(licence_id=lic.id, scope=k, tonnes=v) for k, v in capacities.items()
        )
        s.flush()
        s.expire(lic, ["scopes", "capacities"])
        uow.commit()
        return lic


def set_licence_status(uow: UnitOfWork, *, actor: Actor, licence_id: int, status: str) -> Licence:
    """Suspend, revoke or reactivate a licence. Regulators of its holder's region only."""
    actor.require_regulator()
    if status not in ("active", "suspended", "revoked"):
        raise ValidationFailed(Text("status_bad"), errors={"status": [Text("status_choice")]})
    with uow:
        lic = uow.session.get(Licence, licence_id)
        if lic is None:
            raise NotFound(Text("licence_not_found", id=licence_id))
        org = get_organization(uow.session, lic.organization_id)
        if not covers(actor.region_codes, org.region_code):
            raise Forbidden(Text("licence_outside_jurisdiction"))
        lic.status = status
        uow.commit()
        return lic


def list_licences(session, organization_id: int) -> list[Licence]:
    return list(
        session.scalars(
            select(Licence).where(Licence.organization_id == organization_id).order_by(Licence.id)
        )
    )


def add_vehicle(
    uow: UnitOfWork, *, actor: Actor | None, organization_id: int, plate: str, max_load_t
) -> Vehicle:
    """Register a vehicle of a transporter. Its administrators only (or the command line)."""
    if actor is not None:
        actor.require_org_admin(organization_id)
    plate = validate_plate(plate)
    load = parse_decimal(max_load_t, field="max_load_t", allow_zero=False)
    if load > 100:
        raise ValidationFailed(
            Text("vehicle_too_heavy"), errors={"max_load_t": [Text("at_most_100")]}
        )
    with uow:
        s = uow.session
        org = get_organization(s, organization_id)
        if not org.is_transporter:
            raise ValidationFailed(
                Text("vehicles_need_transporter"),
                errors={"organization": [Text("not_a_transporter")]},
            )
        if s.scalar(select(Vehicle.id).where(Vehicle.plate == plate)):
            raise Conflict(Text("vehicle_taken", plate=plate))
        v = Vehicle(organization_id=org.id, plate=plate, max_load_t=load)
        s.add(v)
        s.flush()
        uow.commit()
        return v


def list_vehicles(session, organization_id: int) -> list[Vehicle]:
    return list(
        session.scalars(
            select(Vehicle)
            .where(Vehicle.organization_id == organization_id)
            .order_by(Vehicle.plate)
        )
    )


# ---------------------------------------------------------------- users and tokens


def _validate_credentials(email: str, password: str, role: str) -> str:
    errors = {}
    email = normal_email(email)
    if not EMAIL_RE.match(email):
        errors["email"] = [Text("not_an_email")]
    if problems := password_problems(password):
        errors["password"] = problems
    if role not in USER_ROLES:
        errors["role"] = [Text("one_of", choices=list(USER_ROLES))]
    if errors:
        raise ValidationFailed(Text("account_invalid"), errors=errors)
    return email


def add_member(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    organization_id: int,
    email: str,
    password: str,
    role: str,
) -> User:
    """A user of an organisation. Its administrators only (or the command line). A member
    an administrator adds must replace the password the administrator chose at first sign-in;
    one the operator's command line adds need not.

    Raises Forbidden, ValidationFailed, NotFound, Conflict (e-mail taken).
    """
    if actor is not None:
        actor.require_org_admin(organization_id)
    email = _validate_credentials(email, password, role)
    with uow:
        s = uow.session
        get_organization(s, organization_id)
        user = User(
            email=email,
            password_hash=hash_password(password),
            role=role,
            organization_id=organization_id,
            must_change_password=actor is not None,
        )
        _insert_user(s, user)
        uow.commit()
        return user


def create_regulator_user(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    region_code: str,
    role: str = "admin",
    name: str | None = None,
) -> User:
    """A regulator user of the body covering ``region_code``, made if it does not exist."""
    email = _validate_credentials(email, password, role)
    region = validate_region_code(region_code)
    with uow:
        s = uow.session
        regulator = s.scalar(
            select(Regulator).join(RegulatorRegion).where(RegulatorRegion.region_code == region)
        )
        if regulator is None:
            regulator = Regulator(name=name or f"生态环境局 {region}")
            s.add(regulator)
            s.flush()
            s.add(RegulatorRegion(regulator_id=regulator.id, region_code=region))
            s.flush()
            s.expire(regulator, ["regions"])
        user = User(
            email=email, password_hash=hash_password(password), role=role, regulator_id=regulator.id
        )
        _insert_user(s, user)
        uow.commit()
        return user


def _insert_user(session, user: User) -> None:
    if session.scalar(select(User.id).where(User.email == user.email)):
        raise Conflict(Text("email_taken", email=user.email))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(Text("email_taken", email=user.email)) from None
