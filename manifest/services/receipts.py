"""Weighbridge receipts: storing a receiver's records and matching them to manifests.

Everything runs as a fixed number of set-based statements per batch, whatever its size:

1. insert the new tickets; a ticket the receiver sent before is counted as a duplicate and
   left as it was (``(receiver, ticket)`` is unique);
2. match by the manifest number the scale operator typed, then, for the rest, by plate,
   receiver and time: the manifest of that vehicle to that receiver picked up at most
   ``max_transit`` before arrival and, once delivered, signed within ``window`` of the
   weighing; the nearest in time wins;
3. classify: the first record per manifest is ``matched`` (its net weight is the fourth
   tally); a cancelled manifest gives ``cancelled``, one already weighed under another ticket
   ``already_received``, no manifest of this receiver at all ``unmanifested``;
4. raise ``unmanifested_receipt`` findings, and a quantity finding where the net weight
   disagrees with the declared mass beyond tolerance.

Only manifests addressed to the uploading receiver are ever candidates, by number as by plate.
A number naming another receiver's manifest is treated exactly like a number naming nothing
(the record may still match one of the receiver's own manifests by plate), so the upload's
counts, its stored outcomes and its findings cannot tell the receiver whether that manifest
exists, in which status or region. Its finding names the uploader alone; the manifest the
number named is kept on the finding for the regulators only (``named_manifest_id``), so the
parties of that manifest are not accused by someone else's upload.

Steps 2 and 3 are one query whose rows go into ``weighbridge_matches``: a record is pending
while it has no row there, and the stored records themselves are never rewritten. On
PostgreSQL the query fills a temporary table first (so that it may run in parallel), matching
runs one at a time per receiver (an advisory lock; readers never wait), and the receipt
findings of step 4 are written by one statement too.

A record that arrives before its manifest's pickup is signed stays unmanifested: the plan
forbids accepting a load without a manifest, and the finding is how the regulator hears of it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    table,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ClauseElement, Executable

from ..actor import WRITE_ROLES, Actor
from ..config import Settings
from ..errors import ValidationFailed
from ..infra.db import settings_of, utcnow
from ..infra.uow import UnitOfWork
from ..models import (
    Manifest,
    ManifestLeg,
    ManifestLine,
    Organization,
    WeighbridgeReceipt,
)
from ..models.receipts import WeighbridgeMatch
from ..receipts import MATCH_WINDOW, RowError, WeighRecord, iter_receipts
from ..reconcile import weighbridge_discrepancy
from ..tolerances import TolerancePolicy
from .finding_sets import NewFinding, raise_findings
from .findings import parties_of
from .receipt_findings import insert_receipt_findings, receipt_findings
from .receipt_rows import row_outcomes
from .reconciliation import as_new_finding, manifest_tallies
from .registry import find_organization_by_uscc
from .tolerances import issuing_regions, tolerance_policy

R, WM = WeighbridgeReceipt, WeighbridgeMatch
#: Longest trip a record is matched to by plate; longer ones are overdue anyway.
MAX_TRANSIT = timedelta(days=7)
#: Slack around the plate-matching interval, far above any rounding of times to seconds.
BUCKET_MARGIN = timedelta(minutes=1)
#: The first key of matching's advisory locks on PostgreSQL (the second is the receiver).
MATCHING_LOCK = 0x68776D01
#: The temporary table one matching run computes its decisions into.
RUN_TABLE = "hwm_match_run"
#: Records written and matched per statement batch.
BATCH = 5000
#: Records matched in one run above which PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 50_000


@dataclass
class IngestResult:
    """What an upload did. ``unmanifested`` counts every record that no manifest covers
    (none found, cancelled, or already weighed under another ticket)."""

    created: int = 0
    duplicates: int = 0
    matched: int = 0
    unmanifested: int = 0
    findings: int = 0
    errors: list[RowError] = field(default_factory=list)
    sha256: str | None = None
    #: The tickets this upload stored (the others were sent before).
    created_tickets: set[str] = field(default_factory=set)
    #: What became of each valid row, when the caller asked for it (see :mod:`.receipt_rows`).
    rows: list | None = None

    def add(self, other: IngestResult) -> None:
        for name in ("created", "duplicates", "matched", "unmanifested", "findings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.created_tickets |= other.created_tickets

    def to_dict(self) -> dict:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "matched": self.matched,
            "unmanifested": self.unmanifested,
            "findings": self.findings,
            "sha256": self.sha256,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in self.errors],
        }


# ---------------------------------------------------------------- entry points


def receiver_for(session, *, actor: Actor | None, uscc: str | None = None) -> Organization:
    """The receiving organisation an upload is for: the actor's own (a receiver, and a user
    who may write), or, on the command line, the one with ``uscc``.

    Raises Forbidden, NotFound, or ValidationFailed when the organisation is no receiver."""
    if actor is not None:
        actor.require_org_role("receiver")
        actor.require_user_role(WRITE_ROLES)
        return session.get(Organization, actor.organization_id)
    org = find_organization_by_uscc(session, uscc or "")
    if not org.is_receiver:
        raise ValidationFailed(
            f"{org.name} is not registered as a receiver", errors={"receiver": ["not a receiver"]}
        )
    return org


def ingest_receipts(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    data: bytes | str,
    fmt: str | None = None,
    receiver_uscc: str | None = None,
    now: datetime | None = None,
    report_rows: bool = False,
) -> IngestResult:
    """Store and match one upload (CSV or JSON) in one transaction.

    Valid rows are kept and invalid ones reported in ``errors``; with ``report_rows``, the
    result's ``rows`` say what became of each valid row. Raises ValidationFailed when
    the file as a whole is unusable (encoding, columns, JSON, too many rows), Forbidden when
    the actor is not a receiver's writer; nothing is stored then.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digest = hashlib.sha256(raw).hexdigest()
    with uow:
        s = uow.session
        receiver = receiver_for(s, actor=actor, uscc=receiver_uscc)
        records, errors = [], []
        for item in iter_receipts(raw, fmt=fmt):
            (records if isinstance(item, WeighRecord) else errors).append(item)
        result = IngestResult(errors=errors, sha256=digest)
        for start in range(0, len(records), BATCH):
            result.add(
                store_records(
                    s,
                    receiver.id,
                    records[start : start + BATCH],
                    sha256=digest,
                    user_id=None if actor is None else actor.user_id,
                )
            )
        result.add(match_pending(s, receiver_id=receiver.id, now=now))
        if report_rows:
            result.rows = row_outcomes(s, receiver.id, records, result.created_tickets)
        uow.commit()
        return result


def import_file(
    uow: UnitOfWork,
    *,
    lines: Iterable[str],
    receiver_uscc: str,
    sha256: str,
    progress: Callable[[int], None] | None = None,
    fmt: str | None = None,
) -> IngestResult:
    """Import a large CSV (a year of records) streamed line by line, committing each batch of
    :data:`BATCH` records with its matching, so an interrupted import resumes by running it
    again (stored tickets count as duplicates). ``progress(n)`` is told of every n rows read.

    Raises ValidationFailed for unusable columns or an unknown or non-receiver USCC.
    """
    total = IngestResult(sha256=sha256)
    with uow:
        receiver_id = receiver_for(uow.session, actor=None, uscc=receiver_uscc).id
    batch: list[WeighRecord] = []

    def flush():
        with uow:
            part = store_records(uow.session, receiver_id, batch, sha256=sha256, user_id=None)
            part.add(match_pending(uow.session, receiver_id=receiver_id))
            uow.commit()
        total.add(part)
        if progress:
            progress(len(batch))
        batch.clear()

    for item in iter_receipts(lines, fmt=fmt, max_rows=None):
        if isinstance(item, WeighRecord):
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        else:
            total.errors.append(item)
    if batch:
        flush()
    with uow:  # a file of nothing but errors still matches what earlier runs left pending
        total.add(match_pending(uow.session, receiver_id=receiver_id))
        uow.commit()
    return total


# ---------------------------------------------------------------- storing


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def store_records(
    session,
    receiver_id: int,
    records: list[WeighRecord],
    *,
    sha256: str | None,
    user_id: int | None,
) -> IngestResult:
    """Insert the records whose ticket the receiver has not sent before (two statements)."""
    result = IngestResult()
    if not records:
        return result
    known = set(
        session.scalars(
            select(R.ticket).where(
                R.receiver_id == receiver_id, R.ticket.in_([r.ticket for r in records])
            )
        )
    )
    fresh = [r for r in records if r.ticket not in known]
    result.duplicates = len(records) - len(fresh)
    if fresh:
        now = utcnow()
        session.execute(
            _insert(session)(R).on_conflict_do_nothing(index_elements=["receiver_id", "ticket"]),
            [
                {
                    "receiver_id": receiver_id,
                    "ticket": r.ticket,
                    "plate": r.plate,
                    "arrived_at": r.arrived_at,
                    "gross_kg": r.gross_kg,
                    "tare_kg": r.tare_kg,
                    "net_kg": r.net_kg,
                    "manifest_number": r.manifest_number,
                    "source_sha256": sha256,
                    "source_row": r.row,
                    "uploaded_by_id": user_id,
                    "created_at": now,
                }
                for r in fresh
            ],
        )
        result.created = len(fresh)
        result.created_tickets = {r.ticket for r in fresh}
    return result


# ---------------------------------------------------------------- matching


def _seconds(session, later, earlier):
    """SQL for ``later − earlier`` in seconds."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_part("epoch", later - earlier)  # a float; extract() gives a numeric
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def _bucket(session, at, size: timedelta, shift: timedelta = timedelta(0)):
    """SQL for the number of the time bucket of ``size`` that ``at + shift`` falls in."""
    if session.get_bind().dialect.name == "postgresql":
        # date_part gives a float; extract() a numeric, many times slower over a year of rows.
        seconds = func.date_part("epoch", at) + shift.total_seconds()
        return cast(func.floor(seconds / size.total_seconds()), BigInteger)
    # julianday() is positive for every date in use, so truncation is the floor.
    days = func.julianday(at) + shift.total_seconds() / 86400
    return cast(days * (86400 / size.total_seconds()), Integer)


def _at_most(session, a, b, slack: timedelta):
    """SQL for ``a <= b + slack``; on PostgreSQL in a form that can use an index on ``a``."""
    if session.get_bind().dialect.name == "postgresql":
        return a <= b + literal(slack, type_=postgresql.INTERVAL)
    return func.julianday(a) <= func.julianday(b) + slack.total_seconds() / 86400


class _CreateTempTableAs(Executable, ClauseElement):
    """``CREATE TEMP TABLE name AS <query>``; on PostgreSQL dropped at commit."""

    inherit_cache = False

    def __init__(self, name: str, query):
        self.name, self.query = name, query


@compiles(_CreateTempTableAs)
def _compile_create_temp_table_as(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    return f"CREATE TEMP TABLE {element.name} AS {query}"


@compiles(_CreateTempTableAs, "postgresql")
def _compile_create_temp_table_as_pg(element, compiler, **kw):
    query = compiler.process(element.query, **kw)
    return f"CREATE TEMP TABLE {element.name} ON COMMIT DROP AS {query}"


@contextmanager
def _hash_joins_only(session, enabled: bool):
    """With ``enabled``, PostgreSQL plans the statements inside with hash joins only, and in
    parallel where it can."""
    settings = ("enable_nestloop", "enable_mergejoin", "parallel_setup_cost", "parallel_tuple_cost")
    if enabled:
        # Parallel workers pay off for a year of rows; the default costs assume far fewer.
        for name, value in zip(settings, ("off", "off", "0", "0"), strict=True):
            session.execute(text(f"SET LOCAL {name} = {value}"))
    yield
    # After an error the transaction is rolled back, which resets the settings anyway.
    if enabled:
        for name in settings:
            session.execute(text(f"SET LOCAL {name} TO DEFAULT"))


def match_pending(
    session,
    *,
    receiver_id: int | None = None,
    now: datetime | None = None,
    window: timedelta = MATCH_WINDOW,
    max_transit: timedelta = MAX_TRANSIT,
    settings: Settings | None = None,
) -> IngestResult:
    """Match every pending record (of one receiver, or of all with ``receiver_id=None``),
    classify it and raise its findings; see the module docstring. Nothing is committed."""
    now = now or utcnow()
    settings = settings or settings_of(session)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # A large batch is a handful of hash joins and sorts: give them memory, and skip JIT
        # compilation, which the planner's row estimates for the CTEs would trigger for nothing.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL jit = off"))
    scope = [~exists().where(WM.receipt_id == R.id)]
    if receiver_id is not None:
        scope.append(R.receiver_id == receiver_id)
    M, Weighing = Manifest, aliased(WeighbridgeMatch)
    weighed = exists().where(WM.manifest_id == M.id, WM.outcome == "matched")
    tolerances = tolerance_policy(session)

    # One query decides for every pending record, in one narrow row each. Each record is joined
    # (left) to the manifest of its receiver that its typed number names; the records that name
    # none are joined (left) to the nearest manifest of the same plate and receiver in time. So
    # every record comes out exactly once and no join back is needed. Another receiver's
    # manifest is never joined: its number reads as a number naming nothing.
    pending = (
        select(
            R.id.label("rid"),
            R.receiver_id,
            R.plate,
            R.arrived_at,
            M.id.label("mid"),
            M.status,
            Weighing.receipt_id.is_not(None).label("weighed"),
            R.net_kg,
            _worth_weighing(R.net_kg, M, tolerances).label("weigh_check"),
        )
        .select_from(R)
        .outerjoin(M, and_(M.number == R.manifest_number, M.receiver_id == R.receiver_id))
        # At most one weighing per manifest (a unique index), so this join adds no rows; as a
        # join rather than a subquery it is hashed for a year of records, an index lookup
        # for an upload.
        .outerjoin(Weighing, and_(Weighing.manifest_id == M.id, Weighing.outcome == "matched"))
        .where(*scope)
        .cte("pending")
    )
    if postgres:
        pending = pending.prefix_with("MATERIALIZED")
    P = pending.c
    by_number = select(
        P.rid,
        P.arrived_at,
        P.mid,
        P.status,
        P.weighed,
        literal("number").label("how"),
        P.weigh_check,
    ).where(P.mid.is_not(None))

    # By plate: a candidate was picked up within [arrival - max_transit - window, arrival +
    # window]. Pickup times are cut into buckets at least that long (plus a margin for
    # rounding), so a candidate lies in the bucket of one end of that interval or of the
    # other: the join is an equality on (receiver, plate, bucket), probed at most twice per
    # record, instead of comparing each record with every trip of its vehicle that year.
    reach = max_transit + window
    size = reach + window + BUCKET_MARGIN * 2
    unnumbered = (
        select(
            P.rid,
            P.receiver_id,
            P.plate,
            P.arrived_at,
            P.net_kg,
            _bucket(session, P.arrived_at, size, shift=-(reach + BUCKET_MARGIN)).label("lo"),
            _bucket(session, P.arrived_at, size, shift=window + BUCKET_MARGIN).label("hi"),
        )
        .where(P.mid.is_(None))
        .cte("unnumbered")
    )
    if postgres:
        unnumbered = unnumbered.prefix_with("MATERIALIZED")
    U = unnumbered.c
    probe = union_all(
        select(U.rid, U.receiver_id, U.plate, U.arrived_at, U.net_kg, U.lo.label("bucket")),
        select(U.rid, U.receiver_id, U.plate, U.arrived_at, U.net_kg, U.hi).where(U.hi != U.lo),
    ).subquery("probe")
    Q = probe.c
    nearness = func.abs(
        _seconds(session, Q.arrived_at, func.coalesce(M.delivered_at, M.picked_up_at))
    )
    candidate = and_(
        M.receiver_id == Q.receiver_id,
        M.vehicle_plate == Q.plate,
        _bucket(session, M.picked_up_at, size) == Q.bucket,
        M.status != "cancelled",
        M.picked_up_at.is_not(None),
        _at_most(session, M.picked_up_at, Q.arrived_at, window),
        _at_most(session, Q.arrived_at, M.picked_up_at, reach),
        or_(
            M.delivered_at.is_(None),
            and_(
                _at_most(session, Q.arrived_at, M.delivered_at, window),
                _at_most(session, M.delivered_at, Q.arrived_at, window),
            ),
        ),
        ~weighed,
    )
    plate_ranked = (
        select(
            Q.rid,
            Q.arrived_at,
            M.id.label("mid"),
            M.status,
            _worth_weighing(Q.net_kg, M, tolerances).label("weigh_check"),
            func.row_number()
            .over(partition_by=Q.rid, order_by=(M.id.is_(None), nearness, M.id.desc()))
            .label("rn"),
        )
        .select_from(probe.outerjoin(M, candidate))
        .subquery()
    )
    B = plate_ranked.c
    by_plate = select(
        B.rid,
        B.arrived_at,
        B.mid,
        B.status,
        literal(False).label("weighed"),
        case((B.mid.is_not(None), "plate")).label("how"),
        B.weigh_check,
    ).where(B.rn == 1)
    C = union_all(by_number, by_plate).subquery("chosen").c
    # The earliest eligible record per manifest is its weighing.
    eligible = and_(C.status != "cancelled", ~C.weighed)
    first = func.row_number().over(
        partition_by=C.mid, order_by=(case((eligible, 0), else_=1), C.arrived_at, C.rid)
    )
    final = select(
        C.rid.label("receipt_id"),
        C.mid.label("manifest_id"),
        C.how.label("matched_by"),
        case(
            (C.mid.is_(None), "unmanifested"),
            (C.status == "cancelled", "cancelled"),
            (and_(eligible, first == 1), "matched"),
            else_="already_received",
        ).label("outcome"),
        literal(now, type_=WM.matched_at.type).label("matched_at"),
        C.weigh_check,
    )
    decisions = final.where(C.rid.is_not(None))
    columns = ["receipt_id", "manifest_id", "matched_by", "outcome", "matched_at"]
    many = False
    # The decisions go to a temporary table first; the match table takes them from there,
    # and the findings below read this run's decisions from it. (PostgreSQL also runs no
    # part of an INSERT ... SELECT in parallel, but may the query of a CREATE TABLE AS.)
    session.execute(text(f"DROP TABLE IF EXISTS {RUN_TABLE}"))
    if postgres:
        # Matching runs one at a time per receiver (a transaction-level advisory lock; a run
        # for all receivers excludes every other): a concurrent run's records and weighings
        # are committed before this statement reads what is pending, so a plain insert cannot
        # collide, and that is cheaper than an upsert's check per row. Receivers need not wait
        # for each other: a record is only ever taken as the weighing of a manifest addressed
        # to its own receiver.
        if receiver_id is None:
            session.execute(select(func.pg_advisory_xact_lock(MATCHING_LOCK, 0)))
        else:
            session.execute(select(func.pg_advisory_xact_lock_shared(MATCHING_LOCK, 0)))
            session.execute(select(func.pg_advisory_xact_lock(MATCHING_LOCK, receiver_id)))
        # An upload's batch is best matched by index lookups per record; a year of records
        # by hash joins, which the planner misses, as it cannot estimate how many records are
        # pending (counted here up to the threshold only).
        many = (
            session.scalar(
                select(func.count()).select_from(
                    select(R.id).where(*scope).limit(ANALYZE_AFTER + 1).subquery()
                )
            )
            > ANALYZE_AFTER
        )
    with _hash_joins_only(session, many):
        session.execute(_CreateTempTableAs(RUN_TABLE, decisions))
    run = table(RUN_TABLE, *(column(c.name) for c in decisions.selected_columns))
    stored = select(*(run.c[c] for c in columns))
    if postgres:
        store = postgresql.insert(WM).from_select(columns, stored)
    else:
        # SQLite runs one writer at a time anyway; a record matched meanwhile keeps that
        # run's result. (The WHERE keeps SQLite from reading the upsert's ON as a join's.)
        store = (
            sqlite.insert(WM)
            .from_select(columns, stored.where(true()))
            .on_conflict_do_nothing(index_elements=["receipt_id"])
        )
    session.execute(store)

    result = IngestResult()
    for outcome, count in session.execute(
        select(run.c.outcome, func.count()).group_by(run.c.outcome)
    ):
        if outcome == "matched":
            result.matched += count
        else:
            result.unmanifested += count
    if many:
        # Without fresh statistics the statements below misjudge a large run and what is
        # now a large table.
        session.execute(text(f"ANALYZE weighbridge_matches, {RUN_TABLE}"))
    # 4. Findings.
    if postgres:
        result.findings = insert_receipt_findings(
            session, RUN_TABLE, now=now, due_days=settings.finding_due_days
        )
        unmanifested = []
    else:
        unmanifested = receipt_findings(session, run)
    result.findings += raise_findings(
        session,
        [*unmanifested, *_weighbridge_findings(session, run, tolerances)],
        now=now,
        due_days=settings.finding_due_days,
    )
    if not postgres:
        session.execute(text(f"DROP TABLE {RUN_TABLE}"))  # PostgreSQL drops it at commit
    return result


def _worth_weighing(net_kg, manifest, tolerances: TolerancePolicy):
    """SQL: whether the exact weighbridge comparison could find ``net_kg`` departing from the
    manifest's declared mass under the strictest tolerance of any region: every line has a
    mass (the stored totals say so) and the difference reaches both limits, or it is sludge
    with both moisture figures, which is compared on dry solids. Comparing with >= keeps every
    borderline case for the exact rules."""
    M = manifest
    min_pct, min_kg = tolerances.strictest_mass()
    difference = func.abs(net_kg - M.declared_kg)
    return and_(
        M.unmeasured_lines == 0,
        or_(
            and_(M.moisture_pct.is_not(None), M.received_moisture_pct.is_not(None)),
            and_(difference >= min_kg, difference * 100 >= M.declared_kg * min_pct),
        ),
    )


#: The manifest columns the weighbridge check and its finding read.
_CHECKED = (
    Manifest.id,
    Manifest.kind,
    Manifest.vehicle_plate,
    Manifest.moisture_pct,
    Manifest.received_moisture_pct,
    Manifest.generator_id,
    Manifest.transporter_id,
    Manifest.receiver_id,
)


def _weighbridge_findings(session, run, tolerances: TolerancePolicy) -> list[NewFinding]:
    """Quantity findings where a newly matched net weight departs from the declared mass.

    The run's decisions say which matched manifests could show a difference
    (:func:`_worth_weighing`); the pure reconciliation decides on those few, exactly.
    """
    M, L, Leg = Manifest, ManifestLine.__table__.c, ManifestLeg
    mids = list(
        session.scalars(
            select(run.c.manifest_id).where(run.c.outcome == "matched", run.c.weigh_check.is_(True))
        )
    )
    out = []
    for start in range(0, len(mids), 1000):
        chunk = mids[start : start + 1000]
        nets = net_weights(session, chunk)
        regions = issuing_regions(session, chunk)
        # Plain rows rather than ORM objects: only figures and ids are read here.
        lines, legs = defaultdict(list), defaultdict(list)
        for line in session.execute(
            select(ManifestLine.__table__)
            .where(L.manifest_id.in_(chunk))
            .order_by(L.manifest_id, L.line_no)
        ):
            lines[line.manifest_id].append(line)
        for manifest_id, transporter_id in session.execute(
            select(Leg.manifest_id, Leg.transporter_id)
            .where(Leg.manifest_id.in_(chunk))
            .order_by(Leg.manifest_id, Leg.leg_no)
        ):
            legs[manifest_id].append(transporter_id)
        for m in session.execute(select(*_CHECKED).where(M.id.in_(chunk))):
            tallies = manifest_tallies(session, m, lines=lines[m.id], net_kg=nets.get(m.id))
            tolerance = tolerances.applicable(regions[m.id], m.kind).tolerance
            found = weighbridge_discrepancy(tallies, tolerance)
            if found is not None:
                parties = parties_of(
                    generator_id=m.generator_id,
                    receiver_id=m.receiver_id,
                    transporter_id=m.transporter_id,
                    leg_transporters=legs[m.id],
                )
                out.append(as_new_finding(m, found, parties=parties))
    return out


def net_weights(session, manifest_ids: list[int]) -> dict[int, Decimal]:
    """The matched weighbridge net weight per manifest, for those that have one."""
    return dict(
        session.execute(
            select(WM.manifest_id, R.net_kg)
            .join(R, R.id == WM.receipt_id)
            .where(WM.manifest_id.in_(manifest_ids), WM.outcome == "matched")
        ).all()
    )
