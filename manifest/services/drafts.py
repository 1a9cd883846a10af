"""Filing a manifest: create and edit drafts."""

from __future__ import annotations

from datetime import datetime

from ..actor import WRITE_ROLES, Actor
from ..catalogue import validate_operation
from ..catalogue_data import HAZARDS, PHYSICAL_FORMS
from ..checks import category_of, is_hazardous_code
from ..errors import Forbidden, ValidationFailed
from ..infra.db import row_by_id
from ..infra.uow import UnitOfWork
from ..models import Manifest, ManifestLine, Organization
from ..plates import validate_plate
from ..quantities import UNITS, parse_decimal, parse_percentage
from ..status import Action, move_for
from ..texts import Text
from . import catalogue_lookup
from .access import load_visible
from .signing import check_time, record_move, refresh_mass_totals

MAX_LINES = 50


def _normalise_lines(session, raw_lines, kind: str) -> tuple[list[dict], str]:
    """Validated lines and their common category. Collects every error before raising."""
    errors: dict[str, list[str]] = {}
    if not raw_lines:
        raise ValidationFailed(Text("lines_empty"), errors={"lines": [Text("empty")]})
    if len(raw_lines) > MAX_LINES:
        raise ValidationFailed(
            Text("lines_too_many", limit=MAX_LINES), errors={"lines": [Text("too_many")]}
        )
    lines, categories = [], set()
    # Errors are keyed by the entry's place in the request (from 0) and its field, as the
    # HTTP schema reports them, so a client can point at the offending input.
    for i, raw in enumerate(raw_lines):
        problems: dict[str, list[str]] = {}

        def problem(field: str, message: str, i=i, problems=problems) -> None:
            problems.setdefault(f"lines.{i}.{field}", []).append(message)

        code = str(raw.get("waste_code") or "").strip()
        try:
            code = catalogue_lookup.validate(session, code)
            categories.add(category_of(code))
            if kind == "hazardous" and not is_hazardous_code(code):
                problem("waste_code", Text("code_not_hazardous", code=code))
        except ValidationFailed as exc:
            problem("waste_code", exc.message)
        form = raw.get("physical_form")
        if form not in PHYSICAL_FORMS:
            problem("physical_form", Text("physical_form_choice"))
        hazard = list(raw.get("hazard") or [])
        if any(h not in HAZARDS for h in hazard):
            problem("hazard", Text("hazard_choice"))
        unit = raw.get("unit")
        if unit not in UNITS:
            problem("unit", Text("unit_choice"))
        try:
            quantity = parse_decimal(raw.get("quantity"), field="quantity", allow_zero=False)
        except ValidationFailed as exc:
            problem("quantity", exc.message)
            quantity = None
        density = raw.get("density_t_m3")
        if density is not None:
            try:
                density = parse_decimal(density, field="density_t_m3", allow_zero=False)
            except ValidationFailed as exc:
                problem("density_t_m3", exc.message)
        count = raw.get("container_count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100_000
        ):
            problem("container_count", Text("containers_range"))
        if unit == "pcs" and quantity is not None and quantity != quantity.to_integral_value():
            problem("quantity", Text("containers_whole"))
        name = str(raw.get("name") or "").strip()
        if not name:
            problem("name", Text("name_required"))
        if problems:
            errors.update(problems)
            continue
        lines.append(
            {
                "line_no": i + 1,
                "waste_code": code,
                "name": name[:200],
                "physical_form": form,
                "hazard": "/".join(hazard),
                "packaging": str(raw.get("packaging") or "")[:100],
                "container_count": count,
                "unit": unit,
                "declared": quantity,
                "density_t_m3": density,
            }
        )
    if len(categories) > 1:
        errors.setdefault("lines", []).append(Text("one_category", categories=sorted(categories)))
    if errors:
        raise ValidationFailed(Text("lines_invalid"), errors=errors)
    return lines, categories.pop()


def party_problem(session, organization_id, role: str) -> str | None:
    """Why ``organization_id`` cannot be named on a manifest as its ``role`` (transporter,
    receiver), or None when it can: it must be a registered organisation playing that role."""
    org = row_by_id(session, Organization, organization_id)
    if org is None:
        return Text("unknown_organisation")
    if role not in org.roles:
        return Text("not_registered_as", name=org.name, role=role)
    return None


def _validate_header(session, data: dict, generator_id: int) -> dict:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in ("hazardous", "sludge"):
        errors["kind"] = [Text("kind_choice")]
    for field, role in (("transporter_id", "transporter"), ("receiver_id", "receiver")):
        problem = party_problem(session, data.get(field), role)
        if problem:
            errors[field] = [problem]
    if data.get("next_transporter_id") is not None:
        problem = party_problem(session, data["next_transporter_id"], "transporter")
        if problem is None and data["next_transporter_id"] == data.get("transporter_id"):
            problem = Text("next_is_first")
        if problem:
            errors["next_transporter_id"] = [problem]
    if data.get("receiver_id") == generator_id:
        errors.setdefault("receiver_id", []).append(Text("receiver_is_generator"))
    try:
        plate = validate_plate(data.get("vehicle_plate"), "vehicle_plate")
    except ValidationFailed as exc:
        errors["vehicle_plate"] = exc.errors["vehicle_plate"]
        plate = None
    try:
        operation = validate_operation(data.get("operation"))
    except ValidationFailed as exc:
        errors["operation"] = exc.errors["operation"]
        operation = None
    pickup = data.get("planned_pickup_at")
    if not isinstance(pickup, datetime) or pickup.tzinfo is None:
        errors["planned_pickup_at"] = [Text("time_with_offset")]
    elif not 2000 <= pickup.year <= 2100:
        errors["planned_pickup_at"] = [Text("out_of_range")]
    moisture = data.get("moisture_pct")
    if moisture is not None:
        try:
            moisture = parse_percentage(moisture, field="moisture_pct")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(Text("manifest_invalid"), errors=errors)
    return {
        "kind": kind,
        "transporter_id": data["transporter_id"],
        "next_transporter_id": data.get("next_transporter_id"),
        "receiver_id": data["receiver_id"],
        "vehicle_plate": plate,
        "operation": operation,
        "planned_pickup_at": pickup,
        "moisture_pct": moisture,
        "heavy_metal_report": (data.get("heavy_metal_report") or None),
        "notes": str(data.get("notes") or "")[:2000],
    }


def _snapshot(header: dict, lines: list[dict]) -> dict:
    return {**header, "lines": lines}


def check_draft(session, *, actor: Actor, data: dict) -> None:
    """Refuse ``data`` as :func:`create_manifest` would, writing nothing: a form can show
    these problems beside its own. Raises ValidationFailed."""
    header = _validate_header(session, data, actor.organization_id)
    _normalise_lines(session, data.get("lines"), header["kind"])


def create_manifest(
    uow: UnitOfWork, *, actor: Actor, data: dict, at: datetime | None = None
) -> Manifest:
    """File a draft for the actor's organisation as generator. ``at``, when given, is the
    time the generator says it filled the draft in (checked like a signature's time); later
    signatures may not be dated before it.

    Raises Forbidden (not a generator, or a read-only role) and ValidationFailed with every
    problem found.
    """
    actor.require_org_role("generator")
    actor.require_user_role(WRITE_ROLES)
    move_for(Action.CREATE, None)
    with uow:
        s = uow.session
        header = _validate_header(s, data, actor.organization_id)
        lines, category = _normalise_lines(s, data.get("lines"), header["kind"])
        manifest = Manifest(
            **header,
            category=category,
            generator_id=actor.organization_id,
            created_by_id=actor.user_id,
            lines=[ManifestLine(**ln) for ln in lines],
        )
        if at is not None:
            manifest.last_move_at = check_time(manifest, at)
        refresh_mass_totals(manifest)
        s.add(manifest)
        s.flush()
        s.refresh(manifest)
        record_move(
            s, manifest, actor=actor, action=Action.CREATE, payload=_snapshot(header, lines), at=at
        )
        uow.commit()
        return manifest


def draft_input(manifest: Manifest) -> dict:
    """The stored draft in the shape :func:`create_manifest` reads (header fields and
    lines), to show it for editing or to merge changes into."""
    return {
        "kind": manifest.kind,
        "transporter_id": manifest.transporter_id,
        "next_transporter_id": manifest.next_transporter_id,
        "receiver_id": manifest.receiver_id,
        "vehicle_plate": manifest.vehicle_plate,
        "operation": manifest.operation,
        "planned_pickup_at": manifest.planned_pickup_at,
        "moisture_pct": manifest.moisture_pct,
        "heavy_metal_report": manifest.heavy_metal_report,
        "notes": manifest.notes,
        "lines": [
            {
                "waste_code": ln.waste_code,
                "name": ln.name,
                "physical_form": ln.physical_form,
                "hazard": [h for h in ln.hazard.split("/") if h],
                "packaging": ln.packaging,
                "container_count": ln.container_count,
                "unit": ln.unit,
                "quantity": ln.declared,
                "density_t_m3": ln.density_t_m3,
            }
            for ln in manifest.lines
        ],
    }


def edit_manifest(uow: UnitOfWork, *, actor: Actor, ref, changes: dict) -> Manifest:
    """Change a draft. Fields left out keep their value; ``lines``, when given, replaces all.

    Raises NotFound, Forbidden, InvalidTransition (not a draft), ValidationFailed.
    """
    actor.require_user_role(WRITE_ROLES)
    with uow:
        s = uow.session
        manifest = load_visible(s, actor, ref, lock=True)
        if manifest.generator_id != actor.organization_id:
            raise Forbidden("only the generator may edit a draft")
        move_for(Action.EDIT, manifest.status)
        stored = draft_input(manifest)
        current = {k: v for k, v in stored.items() if k != "lines"}
        header = _validate_header(
            s,
            {**current, **{k: v for k, v in changes.items() if k != "lines"}},
            manifest.generator_id,
        )
        raw_lines = changes.get("lines")
        if raw_lines is None:
            raw_lines = stored["lines"]
        lines, category = _normalise_lines(s, raw_lines, header["kind"])
        stored_lines = [{key: getattr(ln, key) for key in lines[0]} for ln in manifest.lines]
        if header == current and lines == stored_lines:
            return manifest  # nothing changed: no signature, no event
        for key, value in header.items():
            setattr(manifest, key, value)
        manifest.category = category
        # Draft lines carry no signatures yet and every version of them stays in the chain
        # (the create and edit events hold the full content); replacing them keeps line
        # numbers dense.
        for ln in list(manifest.lines):
            s.delete(ln)
        s.flush()
        s.add_all(ManifestLine(manifest_id=manifest.id, **ln) for ln in lines)
        s.flush()
        s.expire(manifest, ["lines", "transporter", "next_transporter", "receiver"])
        # No time is claimed: a draft's edits are not dated by its filer.
        record_move(s, manifest, actor=actor, action=Action.EDIT, payload=_snapshot(header, lines))
        uow.commit()
        return manifest
