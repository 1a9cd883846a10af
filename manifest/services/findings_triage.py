"""Reading and triaging findings: who sees which, status changes, due dates and comments.

A party sees the findings naming its organisation; a regulator those naming an organisation
in its regions, or about a manifest one of whose parties is there, or naming such a manifest
in ``named_manifest_id`` (a weighbridge record of another receiver that named it). That
manifest, a possible diversion, is shown to regulators only; to a party the field is always
empty, so a receiver's own finding reads the same whether the number it typed exists or not.
Status moves:

* the regulator may set any status (``open``, ``explained``, ``resolved``, ``escalated``) and
  the due date;
* a party explains a finding by commenting with ``status="explained"`` (from ``open`` or
  ``escalated``); otherwise it only comments.

Every change is recorded as a comment carrying the new status, so the history stays readable.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from ..actor import WRITE_ROLES, Actor
from ..errors import Conflict, Forbidden, ValidationFailed
from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..models import Finding, FindingComment, FindingParty, Manifest, Organization
from ..models.findings import FINDING_STATUSES
from .access import in_regions, manifest_ref_clause, the_visible, visible_manifests

PARTY_STATUS = "explained"
MAX_COMMENT = 5000


#: Built once (a new alias per query costs more than the query).
_MINE = aliased(FindingParty, name="mine")
#: The manifest a finding is about, and the one it names.
_ABOUT = aliased(Manifest, name="about_manifest")
_NAMED = aliased(Manifest, name="named_manifest")


def visible_findings(actor: Actor):
    """A SELECT of the findings ``actor`` may see."""
    stmt = select(Finding)
    if actor.is_regulator:
        party_here = exists().where(
            FindingParty.finding_id == Finding.id,
            Organization.id == FindingParty.organization_id,
            in_regions(Organization.region_code, actor.region_codes),
        )
        manifest = visible_manifests(actor).with_only_columns(Manifest.id)
        return stmt.where(
            or_(
                party_here,
                Finding.manifest_id.in_(manifest),
                Finding.named_manifest_id.in_(manifest),
            )
        )
    mine = _MINE
    return stmt.where(
        exists().where(mine.finding_id == Finding.id, mine.organization_id == actor.organization_id)
    )


def list_findings(
    session,
    actor: Actor,
    *,
    type: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    manifest: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict], int]:
    """One page of visible findings, newest first, and the total. ``manifest`` is an id or a
    14-digit number (for a regulator also matching the manifest a finding names); an unknown
    one matches nothing. Raises NotFound for a malformed one."""
    stmt = visible_findings(actor)
    if type:
        stmt = stmt.where(Finding.type == type)
    if status:
        stmt = stmt.where(Finding.status == status)
    if severity:
        stmt = stmt.where(Finding.severity == severity)
    if manifest:
        chosen = select(Manifest.id).where(manifest_ref_clause(manifest))
        about = Finding.manifest_id.in_(chosen)
        if actor.is_regulator:
            about = or_(about, Finding.named_manifest_id.in_(chosen))
        stmt = stmt.where(about)
    # The page, its manifests' numbers and the total (taken before the limit) at once.
    found = session.execute(
        stmt.add_columns(func.count().over(), _ABOUT.number, _NAMED.number)
        .outerjoin(_ABOUT, _ABOUT.id == Finding.manifest_id)
        .outerjoin(_NAMED, _NAMED.id == Finding.named_manifest_id)
        .order_by(Finding.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    if found:
        total = found[0][1]
    elif page == 1:
        total = 0
    else:  # past the last page
        total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    numbers = {}
    for finding, _total, about, named in found:
        numbers[finding.manifest_id] = about
        numbers[finding.named_manifest_id] = named
    numbers.pop(None, None)
    return [to_dict(row[0], numbers, regulator=actor.is_regulator) for row in found], total


def _as_dicts(session, actor: Actor, findings) -> list[dict]:
    """The findings as :func:`to_dict` gives them to ``actor``, with their manifest numbers
    read in one query."""
    ids = {f.manifest_id for f in findings} | {f.named_manifest_id for f in findings}
    ids.discard(None)
    numbers = (
        dict(
            session.execute(select(Manifest.id, Manifest.number).where(Manifest.id.in_(ids))).all()
        )
        if ids
        else {}
    )
    return [to_dict(f, numbers, regulator=actor.is_regulator) for f in findings]


def to_dict(finding: Finding, numbers: dict[int, str], *, regulator: bool) -> dict:
    """A finding as the API shows it; ``numbers`` maps manifest ids to their numbers. The
    manifest a finding names without concerning its parties is shown to a ``regulator``
    only."""
    named = finding.named_manifest_id if regulator else None
    return {
        "id": finding.id,
        "type": finding.type,
        "severity": finding.severity,
        "status": finding.status,
        "manifest_id": finding.manifest_id,
        "manifest_number": numbers.get(finding.manifest_id),
        "named_manifest_id": named,
        "named_manifest_number": numbers.get(named),
        "vehicle_plate": finding.vehicle_plate,
        "message": finding.message,
        "measured": json.loads(finding.measured or "{}"),
        "due_at": finding.due_at,
        "created_at": finding.created_at,
        "updated_at": finding.updated_at,
        "closed_at": finding.closed_at,
        "escalated_at": finding.escalated_at,
        "parties": [
            {"organization_id": p.organization_id, "role": p.role} for p in finding.parties
        ],
        "comments": [
            {
                "id": c.id,
                "author": c.author,
                "organization_id": c.organization_id,
                "regulator_id": c.regulator_id,
                "body": c.body,
                "status_change": c.status_change,
                "created_at": c.created_at,
            }
            for c in finding.comments
        ],
    }


def _load(session, actor: Actor, finding_id: int, *, lock: bool = False) -> Finding:
    stmt = visible_findings(actor).where(Finding.id == finding_id)
    return the_visible(
        session, stmt, lock_of=Finding if lock else None, name=f"finding {finding_id}"
    )


def get_finding(session, actor: Actor, finding_id: int) -> dict:
    """One visible finding; raises NotFound (also for one the actor may not see)."""
    return _as_dicts(session, actor, [_load(session, actor, finding_id)])[0]


def _set_status(finding: Finding, status: str, now: datetime) -> None:
    if status not in FINDING_STATUSES:
        raise ValidationFailed(f"unknown status {status!r}", errors={"status": ["unknown"]})
    finding.status = status
    finding.closed_at = now if status == "resolved" else None
    if status == "escalated" and finding.escalated_at is None:
        finding.escalated_at = now


def _comment(
    session, actor: Actor, finding: Finding, body: str, status: str | None, now: datetime
) -> None:
    session.add(
        FindingComment(
            finding_id=finding.id,
            user_id=actor.user_id,
            author=actor.email,
            organization_id=actor.organization_id,
            regulator_id=actor.regulator_id,
            body=body,
            status_change=status,
            created_at=now,
        )
    )


def update_finding(
    uow: UnitOfWork,
    *,
    actor: Actor,
    finding_id: int,
    status: str | None = None,
    due_at: datetime | None = None,
    severity: str | None = None,
    note: str | None = None,
) -> dict:
    """The regulator's triage: status, due date, severity, with an optional note.

    Raises Forbidden for anyone else, NotFound, ValidationFailed (nothing given, unknown
    values, a naive or past due date).
    """
    actor.require_regulator()
    if status is None and due_at is None and severity is None:
        raise ValidationFailed(
            "give a status, a due date or a severity", errors={"status": ["nothing to change"]}
        )
    now = utcnow()
    with uow:
        s = uow.session
        finding = _load(s, actor, finding_id, lock=True)
        changes = []
        if status is not None and status != finding.status:
            _set_status(finding, status, now)
            changes.append(f"status → {status}")
        if due_at is not None:
            if due_at.tzinfo is None or due_at <= now:
                raise ValidationFailed(
                    "due_at must be a future time with an offset",
                    errors={"due_at": ["a future time with an offset"]},
                )
            finding.due_at = due_at
            changes.append(f"due → {due_at.isoformat()}")
        if severity is not None and severity != finding.severity:
            if severity not in ("info", "warning", "violation"):
                raise ValidationFailed("unknown severity", errors={"severity": ["unknown"]})
            finding.severity = severity
            changes.append(f"severity → {severity}")
        if changes or note:
            finding.updated_at = now
            body = (note or "").strip() or "; ".join(changes)
            _comment(
                s,
                actor,
                finding,
                body[:MAX_COMMENT],
                status if status is not None and "status → " + status in changes else None,
                now,
            )
        s.flush()
        s.expire(finding, ["comments"])
        [result] = _as_dicts(s, actor, [finding])
        uow.commit()
        return result


def may_comment(actor: Actor) -> bool:
    """Whether ``actor`` may comment on the findings it sees: a regulator, or a party's
    administrator or member (not its drivers or readers)."""
    return actor.is_regulator or actor.role in WRITE_ROLES


def comment_statuses(actor: Actor) -> tuple[str, ...]:
    """The statuses ``actor`` may set with a comment: any for a regulator, ``explained``
    for a party (whether the finding's current status allows it is checked on commenting)."""
    return FINDING_STATUSES if actor.is_regulator else (PARTY_STATUS,)


def add_comment(
    uow: UnitOfWork, *, actor: Actor, finding_id: int, body: str, status: str | None = None
) -> dict:
    """A comment by a party or the regulator. A party may set ``status="explained"`` on an
    open or escalated finding; the regulator any status.

    Raises NotFound, ValidationFailed (empty body, unknown status), Forbidden (a party asking
    for another status), Conflict (explaining a resolved finding).
    """
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("a comment needs a body", errors={"body": ["required"]})
    if len(body) > MAX_COMMENT:
        raise ValidationFailed(
            f"a comment is at most {MAX_COMMENT} characters", errors={"body": ["too long"]}
        )
    if not may_comment(actor):
        raise Forbidden("only a party's administrators and members, or a regulator, may comment")
    now = utcnow()
    with uow:
        s = uow.session
        finding = _load(s, actor, finding_id, lock=True)
        if status is not None:
            if status not in FINDING_STATUSES:
                raise ValidationFailed(f"unknown status {status!r}", errors={"status": ["unknown"]})
            if not actor.is_regulator:
                if status != PARTY_STATUS:
                    raise Forbidden("a party may only mark a finding as explained")
                if finding.status not in ("open", "escalated", "explained"):
                    raise Conflict(f"the finding is {finding.status}; it cannot be explained")
            _set_status(finding, status, now)
        finding.updated_at = now
        _comment(s, actor, finding, body, status, now)
        s.flush()
        s.expire(finding, ["comments"])
        [result] = _as_dicts(s, actor, [finding])
        uow.commit()
        return result
