"""One terminal's connection: frames in, answers out.

Every message is answered with the platform general response (0x8001) carrying the right
result — OK, FAILED (refused: not registered, not authenticated, not the authenticated
terminal, or the binding ended), MESSAGE_ERROR (a body without the layout of its id),
NOT_SUPPORTED (an unknown id, or an encrypted body) — except a registration, answered with
0x8100, and a terminal's own general response, answered with nothing. Frames whose check
code or escaping is wrong cannot be trusted to name a terminal and get no answer. Each
dropped frame or refusal is logged (up to a number of lines per connection).
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

from gps.jt808 import bodies
from gps.jt808.assembly import Reassembler
from gps.jt808.errors import BadMessage, ProtocolError
from gps.jt808.frames import FrameReader, open_frame, seal
from gps.jt808.header import Header, join_message, split_message

from ..services.positions import position_row
from .limits import Limits
from .store import Store

log = logging.getLogger("hwm.gateway")


class Closing(Exception):
    """The connection is to be closed; the message says why."""


class Connection:
    def __init__(self, store: Store, limits: Limits, reader, writer) -> None:
        self.store, self.limits = store, limits
        self.reader, self.writer = reader, writer
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.frames = FrameReader()
        self.assembly = Reassembler(max_messages=limits.max_assembling)
        self.binding = None
        self.serial = 0
        self.logged = 0
        self.suppressed = 0
        self.bad_frames = 0
        self.tokens = float(limits.frame_burst)
        self.filled_at = time.monotonic()
        self.outbox: list[bytes] = []
        self.outbox_bytes = 0

    def note(self, what: str, *args) -> None:
        """A log line about this connection, until its quota is spent."""
        if self.logged < self.limits.log_lines_per_connection:
            self.logged += 1
            log.warning("gateway %s: " + what, self.peer, *args)
        else:
            self.suppressed += 1

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last_frame = loop.time()
        try:
            while True:
                remaining = self.limits.idle_s - (loop.time() - last_frame)
                if remaining <= 0:
                    raise Closing(f"no complete frame for {self.limits.idle_s:g} s")
                try:
                    async with asyncio.timeout(remaining):
                        data = await self.reader.read(65536)
                except TimeoutError:
                    continue
                if not data:
                    return
                for item in self.frames.feed(data):
                    if isinstance(item, ProtocolError):
                        self.dropped(item)
                        continue
                    self.take_token()
                    last_frame = loop.time()
                    await self.frame(item, time.perf_counter())
        except Closing as reason:
            self.note("closed: %s", reason)
        except (ConnectionError, OSError):
            pass
        finally:
            if self.suppressed:
                log.warning("gateway %s: %d more lines not logged", self.peer, self.suppressed)
            self.flush_outbox()
            self.writer.close()

    def take_token(self) -> None:
        now = time.monotonic()
        rate, burst = self.limits.frames_per_s, self.limits.frame_burst
        self.tokens = min(burst, self.tokens + (now - self.filled_at) * rate)
        self.filled_at = now
        if self.tokens < 1:
            raise Closing(f"more than {rate:g} frames per second")
        self.tokens -= 1

    def dropped(self, exc: ProtocolError) -> None:
        self.store.stats.dropped_frames += 1
        self.bad_frames += 1
        self.note("frame dropped (%s): %s", exc.code, exc)
        if self.bad_frames > self.limits.max_bad_frames:
            raise Closing(f"more than {self.limits.max_bad_frames} bad frames")

    def send(self, header: Header, message_id: int, body: bytes) -> None:
        self.serial = (self.serial + 1) & 0xFFFF
        frame = seal(join_message(message_id, self.serial, header.phone_bcd, body, header.version))
        transport = self.writer.transport
        if transport.is_closing():
            return
        unsent = transport.get_write_buffer_size() + self.outbox_bytes + len(frame)
        if unsent > self.limits.max_unsent_bytes:
            raise Closing("the client does not read its answers")
        # The answers made in one turn of the event loop (a batch written, a burst of frames
        # read) leave in one write instead of one system call each.
        if not self.outbox:
            asyncio.get_running_loop().call_soon(self.flush_outbox)
        self.outbox.append(frame)
        self.outbox_bytes += len(frame)

    def flush_outbox(self) -> None:
        frames, self.outbox, self.outbox_bytes = self.outbox, [], 0
        if not self.writer.transport.is_closing():
            self.writer.write(b"".join(frames))

    def answer(self, header: Header, result: int) -> None:
        body = bodies.general_response(header.serial, header.message_id, result)
        self.send(header, bodies.PLATFORM_RESPONSE, body)

    async def frame(self, inner: bytes, received: float) -> None:
        try:
            header, body = split_message(open_frame(inner))
        except ProtocolError as exc:
            self.dropped(exc)
            return
        if header.encryption:
            self.note("encrypted message %#06x not supported", header.message_id)
            self.answer(header, bodies.NOT_SUPPORTED)
            return
        if header.packages is not None:
            try:
                whole = self.assembly.add(header, body, time.monotonic())
            except BadMessage as exc:
                self.dropped(exc)
                self.answer(header, bodies.MESSAGE_ERROR)
                return
            if whole is None:
                self.answer(header, bodies.OK)
                return
            body = whole
        try:
            await self.dispatch(header, body, received)
        except BadMessage as exc:
            self.dropped(exc)
            self.answer(header, bodies.MESSAGE_ERROR)

    async def dispatch(self, header: Header, body: bytes, received: float) -> None:
        kind = header.message_id
        if kind == bodies.REGISTER:
            await self.register(header, body)
        elif kind == bodies.AUTHENTICATE:
            await self.authenticate(header, body)
        elif kind == bodies.HEARTBEAT:
            if self.binding is not None and self.binding.phone == header.phone:
                self.store.heard(self.binding.terminal_id)
            self.answer(header, bodies.OK)
        elif kind == bodies.LOGOUT:
            if self.binding is not None and self.binding.phone == header.phone:
                await self.store.forget(self.binding.terminal_id)
                self.binding = None
                self.answer(header, bodies.OK)
            else:
                self.answer(header, bodies.FAILED)
        elif kind in (bodies.LOCATION, bodies.LOCATION_BATCH):
            self.positions(header, body, received)
        elif kind == bodies.TERMINAL_RESPONSE:
            return
        else:
            self.note("message %#06x not supported", kind)
            self.answer(header, bodies.NOT_SUPPORTED)

    async def register(self, header: Header, body: bytes) -> None:
        claim = bodies.decode_registration(body, header.is_2019)
        result, code = await self.store.register(header.phone, claim.plate, claim.plate_colour)
        if result != bodies.REGISTERED:
            self.note(
                "registration of terminal %s as %s (colour %d) refused (result %d)",
                header.phone,
                claim.plate,
                claim.plate_colour,
                result,
            )
        reply = bodies.registration_response(header.serial, result, code)
        self.send(header, bodies.REGISTER_RESPONSE, reply)

    async def authenticate(self, header: Header, body: bytes) -> None:
        code = bodies.decode_authentication(body, header.is_2019)
        binding = await self.store.authenticate(header.phone, code)
        if binding is None:
            self.note("authentication of terminal %s refused", header.phone)
            self.answer(header, bodies.FAILED)
            return
        self.binding = binding
        self.store.heard(binding.terminal_id)
        self.answer(header, bodies.OK)

    def positions(self, header: Header, body: bytes, received: float) -> None:
        binding = self.binding
        if binding is None or binding.phone != header.phone:
            self.store.stats.positions_refused += 1
            self.note(
                "positions of terminal %s refused: not authenticated on this connection",
                header.phone,
            )
            self.answer(header, bodies.FAILED)
            return
        if self.store.backlog:
            self.note("positions of terminal %s refused: the database is behind", header.phone)
            self.answer(header, bodies.FAILED)
            return
        if header.message_id == bodies.LOCATION:
            locations, source = [bodies.decode_location(body)], "live"
        else:
            locations, source = bodies.decode_batch(body)[1], "batch"
        now = self.store.clock()
        rows = [
            position_row(
                terminal_id=binding.terminal_id,
                vehicle_id=binding.vehicle_id,
                location=location,
                received_at=now,
                source=source,
            )
            for location in locations
        ]
        # Answered when the rows are written (a callback, not a task per message).
        self.store.submit(rows, received).add_done_callback(partial(self.acknowledge, header))

    def acknowledge(self, header: Header, future: asyncio.Future) -> None:
        result = bodies.FAILED if future.cancelled() else future.result()
        if result != bodies.OK:
            self.note("positions of terminal %s not stored", header.phone)
        try:
            self.answer(header, result)
        except Closing:
            self.writer.close()
