"""Matching pending weighbridge records to manifests, a batch at a time, in SQL.

The rule is :mod:`manifest.receipt_matching` (a test holds this query to it). A record is
pending while it has no row in ``weighbridge_matches``; the stored records themselves are
never rewritten. A run is a fixed number of set-based statements whatever its size:

1. :func:`decision_query` builds one query that decides for every pending record (by number,
   else by plate, receiver and time; then the outcome per manifest), one narrow row each;
2. :func:`store_decisions` runs it into a temporary table and copies that into the match
   table; on PostgreSQL matching runs one at a time per receiver (an advisory lock; readers
   never wait) and the query may run in parallel;
3. the findings are raised from the run's decisions (:mod:`.findings`).

A record that arrives before its manifest's pickup is signed stays unmanifested: the plan
forbids accepting a load without a manifest, and the finding is how the regulator hears of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    Select,
    and_,
    case,
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
from sqlalchemy.orm import aliased

from ...config import Settings
from ...infra.db import insert, is_postgres, settings_of, utcnow
from ...models import Manifest, WeighbridgeReceipt
from ...models.receipts import WeighbridgeMatch
from ...receipt_matching import MATCH_WINDOW, MAX_TRANSIT
from ...tolerances import TolerancePolicy
from ..finding_sets import raise_findings
from ..tolerances import tolerance_policy
from .findings import receipt_findings, weighbridge_findings, worth_weighing
from .result import IngestResult
from .sql import CreateTempTableAs, at_most, bucket, hash_joins_only, seconds_between

R, WM = WeighbridgeReceipt, WeighbridgeMatch
#: Slack around the plate-matching interval, far above any rounding of times to seconds.
BUCKET_MARGIN = timedelta(minutes=1)
#: The first key of matching's advisory locks on PostgreSQL (the second is the receiver).
MATCHING_LOCK = 0x68776D01
#: The temporary table one matching run computes its decisions into.
RUN_TABLE = "hwm_match_run"
#: Records matched in one run above which PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 50_000
#: The columns of a decision that the match table keeps.
STORED = ("receipt_id", "manifest_id", "matched_by", "outcome", "matched_at")


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
    store the decisions and raise their findings; see the module docstring. Nothing is
    committed."""
    now = now or utcnow()
    settings = settings or settings_of(session)
    postgres = is_postgres(session)
    if postgres:
        # A large batch is a handful of hash joins and sorts: give them memory, and skip JIT
        # compilation, which the planner's row estimates for the CTEs would trigger for nothing.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL jit = off"))
    tolerances = tolerance_policy(session)
    decisions = decision_query(
        postgres,
        tolerances,
        receiver_id=receiver_id,
        now=now,
        window=window,
        max_transit=max_transit,
    )
    run, many = store_decisions(session, decisions, receiver_id=receiver_id)

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
    result.findings = raise_findings(
        session,
        [*receipt_findings(session, run), *weighbridge_findings(session, run, tolerances)],
        now=now,
        due_days=settings.finding_due_days,
    )
    if not postgres:
        session.execute(text(f"DROP TABLE {RUN_TABLE}"))  # PostgreSQL drops it at commit
    return result


def _pending_scope(receiver_id: int | None) -> list:
    scope = [~exists().where(WM.receipt_id == R.id)]
    if receiver_id is not None:
        scope.append(R.receiver_id == receiver_id)
    return scope


def decision_query(
    postgres: bool,
    tolerances: TolerancePolicy,
    *,
    receiver_id: int | None,
    now: datetime,
    window: timedelta = MATCH_WINDOW,
    max_transit: timedelta = MAX_TRANSIT,
) -> Select:
    """The query that decides for every pending record (of one receiver, or all): a row of
    ``receipt_id, manifest_id, matched_by, outcome, matched_at`` (``now``) and
    ``weigh_check`` (see :func:`.findings.worth_weighing`) each. Builds the statement only."""
    M, Weighing = Manifest, aliased(WeighbridgeMatch)
    weighed = exists().where(WM.manifest_id == M.id, WM.outcome == "matched")

    # Each record is joined (left) to the manifest of its receiver that its typed number
    # names; the records that name none are joined (left) to the nearest manifest of the same
    # plate and receiver in time. So every record comes out exactly once and no join back is
    # needed. Another receiver's manifest is never joined: its number reads as naming nothing.
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
            worth_weighing(R.net_kg, M, tolerances).label("weigh_check"),
        )
        .select_from(R)
        .outerjoin(M, and_(M.number == R.manifest_number, M.receiver_id == R.receiver_id))
        # At most one weighing per manifest (a unique index), so this join adds no rows; as a
        # join rather than a subquery it is hashed for a year of records, an index lookup
        # for an upload.
        .outerjoin(Weighing, and_(Weighing.manifest_id == M.id, Weighing.outcome == "matched"))
        .where(*_pending_scope(receiver_id))
        .cte("pending")
    )
    if postgres:
        pending = pending.prefix_with("MATERIALIZED")
    P = pending.c
    by_number = _chosen(P, P.weighed, literal("number")).where(P.mid.is_not(None))

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
            bucket(postgres, P.arrived_at, size, shift=-(reach + BUCKET_MARGIN)).label("lo"),
            bucket(postgres, P.arrived_at, size, shift=window + BUCKET_MARGIN).label("hi"),
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
        seconds_between(postgres, Q.arrived_at, func.coalesce(M.delivered_at, M.picked_up_at))
    )
    candidate = and_(
        M.receiver_id == Q.receiver_id,
        M.vehicle_plate == Q.plate,
        bucket(postgres, M.picked_up_at, size) == Q.bucket,
        M.status != "cancelled",
        M.picked_up_at.is_not(None),
        at_most(postgres, M.picked_up_at, Q.arrived_at, window),
        at_most(postgres, Q.arrived_at, M.picked_up_at, reach),
        or_(
            M.delivered_at.is_(None),
            and_(
                at_most(postgres, Q.arrived_at, M.delivered_at, window),
                at_most(postgres, M.delivered_at, Q.arrived_at, window),
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
            worth_weighing(Q.net_kg, M, tolerances).label("weigh_check"),
            func.row_number()
            .over(partition_by=Q.rid, order_by=(M.id.is_(None), nearness, M.id.desc()))
            .label("rn"),
        )
        .select_from(probe.outerjoin(M, candidate))
        .subquery()
    )
    B = plate_ranked.c
    by_plate = _chosen(B, literal(False), case((B.mid.is_not(None), "plate"))).where(B.rn == 1)
    C = union_all(by_number, by_plate).subquery("chosen").c
    # The earliest eligible record per manifest is its weighing.
    eligible = and_(C.status != "cancelled", ~C.weighed)
    first = func.row_number().over(
        partition_by=C.mid, order_by=(case((eligible, 0), else_=1), C.arrived_at, C.rid)
    )
    return select(
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
    ).where(C.rid.is_not(None))


def _chosen(c, weighed, how) -> Select:
    """The row of a record's chosen manifest, from the columns ``c`` of either way of
    finding it."""
    return select(
        c.rid,
        c.arrived_at,
        c.mid,
        c.status,
        weighed.label("weighed"),
        how.label("how"),
        c.weigh_check,
    )


def store_decisions(session, decisions: Select, *, receiver_id: int | None):
    """Run ``decisions`` (:func:`decision_query`) into the temporary table :data:`RUN_TABLE`
    and copy its rows into the match table. Returns that table (the findings read this run's
    decisions from it) and whether the run was large (PostgreSQL, above
    :data:`ANALYZE_AFTER` records)."""
    postgres = is_postgres(session)
    many = False
    # (PostgreSQL runs no part of an INSERT ... SELECT in parallel, but may the query of a
    # CREATE TABLE AS.)
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
        pending = select(R.id).where(*_pending_scope(receiver_id)).limit(ANALYZE_AFTER + 1)
        many = session.scalar(select(func.count()).select_from(pending.subquery())) > ANALYZE_AFTER
    with hash_joins_only(session, many):
        session.execute(CreateTempTableAs(RUN_TABLE, decisions))
    run = table(RUN_TABLE, *(column(c.name) for c in decisions.selected_columns))
    stored = select(*(run.c[c] for c in STORED))
    if postgres:
        store = insert(session, WM).from_select(STORED, stored)
    else:
        # SQLite runs one writer at a time anyway; a record matched meanwhile keeps that
        # run's result. (The WHERE keeps SQLite from reading the upsert's ON as a join's.)
        store = (
            insert(session, WM)
            .from_select(STORED, stored.where(true()))
            .on_conflict_do_nothing(index_elements=["receipt_id"])
        )
    session.execute(store)
    return run, many
