"""Every database call of the gateway, made on one thread so the event loop never blocks.

Positions are written in batches: each connection hands over the rows of a message and gets
a future resolved once they are committed (or refused), every ``flush_s`` or as soon as
``max_batch`` rows wait. Vehicles that reported are checked live every ``live_check_s``; all
vehicles in transit are swept for silence every ``silence_sweep_s``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from gps.jt808 import bodies

from ..infra.db import utcnow
from ..infra.uow import UnitOfWork
from ..services import terminals
from ..services.positions import store_bound_positions
from ..services.terminal_tracks import check_live
from .limits import Limits

log = logging.getLogger("hwm.gateway")


@dataclass
class Stats:
    """Counters and recent latencies (seconds), for the log and the benchmark."""

    positions_stored: int = 0
    positions_refused: int = 0
    dropped_frames: int = 0
    findings_raised: int = 0
    #: Frame received to position committed, per position (the latest 200,000).
    ingest_s: deque = field(default_factory=lambda: deque(maxlen=200_000))
    #: Earliest position received to its live check finished, per check run.
    live_check_s: deque = field(default_factory=lambda: deque(maxlen=10_000))


@dataclass
class _Pending:
    rows: list[dict]
    received: float
    future: asyncio.Future


class Store:
    def __init__(self, sessions, limits: Limits, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.limits = limits
        self.clock = clock
        self.stats = Stats()
        # Positions are written on one thread and checked on another, so a long live check
        # never holds up the answers to terminals.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hwm-gateway-db")
        self._checker = ThreadPoolExecutor(1, thread_name_prefix="hwm-gateway-check")
        self._writer = None  # the writing thread's session, kept between batches
        self._written_through = clock()
        self._flushing = asyncio.Lock()
        self._pending: list[_Pending] = []
        self._pending_rows = 0
        self._wake = asyncio.Event()
        self._partitions: set[datetime] = set()
        self._dirty: dict[int, float] = {}  # vehicle id -> earliest unchecked receipt
        self._heard: dict[int, datetime] = {}  # terminal id -> contact not written yet
        self._heard_written: dict[int, datetime] = {}  # terminal id -> contact last written
        self._tasks: list[asyncio.Task] = []

    async def _call(self, fn, *args, executor=None, **kw):
        return await asyncio.get_running_loop().run_in_executor(
            executor or self._executor, partial(fn, *args, **kw)
        )

    def _in_uow(self, fn, **kw):
        session = self.sessions()
        try:
            return fn(UnitOfWork(session), **kw)
        finally:
            session.close()

    def _in_session(self, fn, **kw):
        session = self.sessions()
        try:
            return fn(session, **kw)
        finally:
            session.close()

    # ------------------------------------------------------------ registration

    async def register(self, phone: str, plate: str, colour: int) -> tuple[int, str]:
        return await self._call(
            self._in_uow,
            terminals.register_terminal,
            phone=phone,
            plate=plate,
            plate_colour=colour,
            now=self.clock(),
        )

    async def authenticate(self, phone: str, code: str) -> terminals.Binding | None:
        return await self._call(
            self._in_session, terminals.authenticate_terminal, phone=phone, code=code
        )

    async def forget(self, terminal_id: int) -> None:
        await self._call(self._in_uow, terminals.forget_registration, terminal_id=terminal_id)

    # ------------------------------------------------------------ contact

    def heard(self, terminal_id: int) -> None:
        """Note a contact of an authenticated terminal that carries no position
        (authentication, heartbeat), written with the next flush unless one less than
        ``heard_every_s`` old was written already."""
        now = self.clock()
        written = self._heard_written.get(terminal_id)
        if written is None or (now - written).total_seconds() >= self.limits.heard_every_s:
            self._heard[terminal_id] = now

    async def _write_heard(self) -> None:
        heard, self._heard = self._heard, {}
        try:
            await self._call(self._in_uow, terminals.record_heard, heard=heard)
        except Exception:  # the database failed: the next contact is noted again
            log.exception("gateway: noting the contact of %d terminals failed", len(heard))
            return
        self._heard_written.update(heard)

    # ------------------------------------------------------------ positions

    @property
    def backlog(self) -> bool:
        """Whether more positions wait to be written than the limit allows."""
        return self._pending_rows >= self.limits.max_pending_positions

    def submit(self, rows: list[dict], received: float) -> asyncio.Future:
        """Queue a message's rows; the future gives the 0x8001 result once written."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(rows, received, future))
        self._pending_rows += len(rows)
        if self._pending_rows >= self.limits.max_batch:
            self._wake.set()
        return future

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._run_writes()), loop.create_task(self._run_checks())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        await self._flush()
        if self._writer is not None:
            await self._call(self._writer.close)
            self._writer = None
        self._executor.shutdown(wait=True)
        self._checker.shutdown(wait=True)

    async def _run_writes(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.limits.flush_s)
            except TimeoutError:
                pass
            self._wake.clear()
            await self._flush()

    async def _run_checks(self) -> None:
        """The live checks and silence sweeps, beside the writes: a check in progress never
        delays the next batch of positions."""
        loop = asyncio.get_running_loop()
        next_live = loop.time() + self.limits.live_check_s
        next_sweep = loop.time() + self.limits.silence_sweep_s
        while True:
            await asyncio.sleep(max(0.0, min(next_live, next_sweep) - loop.time()))
            now = loop.time()
            if now >= next_live:
                next_live = now + self.limits.live_check_s
                if self._dirty:
                    await self._check(sweep=False)
            if now >= next_sweep:
                next_sweep = now + self.limits.silence_sweep_s
                await self._check(sweep=True)

    async def _flush(self) -> None:
        """Write what is pending, and what arrives meanwhile (one flush at a time, so that
        when one ends nothing taken before it is still being written)."""
        async with self._flushing:
            await self._flush_pending()

    async def _flush_pending(self) -> None:
        started = self.clock()
        if self._heard:
            await self._write_heard()
        while self._pending:
            batch, rest = self._take_batch()
            self._pending = rest
            self._pending_rows = sum(len(p.rows) for p in rest)
            try:
                refused = await self._call(self._write, [r for p in batch for r in p.rows])
            except Exception:  # the database failed: the terminals will send again
                log.exception("gateway: writing %d messages failed", len(batch))
                for p in batch:
                    if not p.future.done():
                        p.future.set_result(bodies.FAILED)
                continue
            done = time.perf_counter()
            for p in batch:
                refused_here = any(r["terminal_id"] in refused for r in p.rows)
                if not refused_here:
                    self.stats.ingest_s.extend([done - p.received] * len(p.rows))
                    for row in p.rows:
                        self._dirty.setdefault(row["vehicle_id"], p.received)
                if not p.future.done():
                    p.future.set_result(bodies.FAILED if refused_here else bodies.OK)
        # Every position received before ``started`` is written (or refused): the live
        # checks judge the trips as of then, never a silence that is only a write in flight.
        self._written_through = max(self._written_through, started)

    def _take_batch(self) -> tuple[list[_Pending], list[_Pending]]:
        count = 0
        for i, p in enumerate(self._pending):
            count += len(p.rows)
            if count >= self.limits.max_batch:
                return self._pending[: i + 1], self._pending[i + 1 :]
        return self._pending, []

    def _write(self, rows: list[dict]) -> set[int]:
        """Store the rows of still-bound terminals in one transaction; returns the terminal
        ids refused because their binding ended."""
        if self._writer is None:
            self._writer = self.sessions()
        uow = UnitOfWork(self._writer)
        try:
            with uow:
                stored, refused = store_bound_positions(self._writer, rows, self._partitions)
                uow.commit()
        except Exception:
            # A session that failed is not trusted again: the next batch takes a new one.
            self._writer.close()
            self._writer = None
            raise
        self.stats.positions_stored += stored
        if refused:
            self.stats.positions_refused += sum(1 for r in rows if r["terminal_id"] in refused)
            log.warning("gateway: positions of unbound terminals %s refused", sorted(refused))
        return refused

    # ------------------------------------------------------------ live checks

    async def _check(self, sweep: bool) -> None:
        """Analyse the vehicles that reported since the last check, or (``sweep``) look for
        silence on every vehicle in transit."""
        covered: dict[int, float] = {}
        if not sweep:
            covered, self._dirty = self._dirty, {}
        try:
            raised = await self._call(
                self._in_uow,
                check_live,
                executor=self._checker,
                now=self._written_through,
                vehicle_ids=None if sweep else set(covered),
            )
        except Exception:
            log.exception("gateway: live check failed")
            return
        self.stats.findings_raised += raised
        if covered:
            self.stats.live_check_s.append(time.perf_counter() - min(covered.values()))

    async def check_now(self) -> int:
        """Run the live checks of every vehicle in transit at once (the command line and
        the tests use it); returns the findings raised."""
        await self._flush()
        before = self.stats.findings_raised
        await self._check(sweep=False)
        await self._check(sweep=True)
        return self.stats.findings_raised - before
