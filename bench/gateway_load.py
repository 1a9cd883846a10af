"""The simulated terminals of ``bench/gateway.py``, run in a process of their own.

Every terminal is one TCP connection speaking the byte layout of tests/gateway/terminal.py
(written from the standard, not from the gateway's encoder). The process takes commands on
a pipe and answers with what it measured on its side.
"""

from __future__ import annotations

import asyncio
import random
import struct
import time
from datetime import UTC, datetime

from tests.gateway.terminal import Fix, Terminal, location_body

JIANGMEN = (22.58, 113.08)


class Sim:
    """One terminal's state on the load side."""

    def __init__(self, phone: str, plate: str, offset: tuple[float, float]) -> None:
        self.t = Terminal(phone)
        self.plate = plate
        self.offset = offset
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.acks = 0
        self.buffer = b""
        self.sent_at: dict[int, float] = {}

    def fix(self, at: datetime, step: int) -> Fix:
        lat, lon = JIANGMEN[0] + self.offset[0], JIANGMEN[1] + self.offset[1] + step * 1e-4
        return Fix(lat, lon, at, speed_kmh=36.0, mileage_km=step / 10)

    async def next_message(self) -> tuple[int, bytes]:
        while True:
            start = self.buffer.find(b"\x7e")
            end = self.buffer.find(b"\x7e", start + 1) if start >= 0 else -1
            if end > start + 1:
                frame, self.buffer = self.buffer[start : end + 1], self.buffer[end + 1 :]
                raw = frame[1:-1].replace(b"\x7d\x02", b"\x7e").replace(b"\x7d\x01", b"\x7d")
                msg_id = struct.unpack(">H", raw[:2])[0]
                return msg_id, raw[12:-1]
            chunk = await self.reader.read(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk

    async def login(self, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        body = struct.pack(">HH", 44, 700) + b"BENCH" + b"T1".ljust(20, b"\0") + b"T000001"
        body += bytes([2]) + self.plate.encode("gbk")
        self.writer.write(self.t.message(0x0100, body))
        msg_id, reply = await self.next_message()
        assert msg_id == 0x8100 and reply[2] == 0, reply
        self.writer.write(self.t.message(0x0102, reply[3:]))
        msg_id, reply = await self.next_message()
        assert msg_id == 0x8001 and reply[4] == 0, reply

    async def count_acks(self, expected: int, latencies: list[float]) -> None:
        while self.acks < expected:
            msg_id, reply = await self.next_message()
            if msg_id == 0x8001:
                self.acks += 1
                serial, _, result = struct.unpack(">HHB", reply[:5])
                assert result == 0, f"result {result}"
                sent = self.sent_at.pop(serial, None)
                if sent is not None:
                    latencies.append(time.perf_counter() - sent)


async def paced(sims: list[Sim], rounds: int, interval: float, batch_share: float) -> dict:
    """Each terminal reports every ``interval`` s for ``rounds`` rounds (random phase); a
    share of them also replays a 0x0704 batch of 28 stored positions once."""
    latencies: list[float] = []
    rng = random.Random(1)
    batchers = set(rng.sample(range(len(sims)), int(len(sims) * batch_share)))
    expected = {i: rounds + (1 if i in batchers else 0) for i in range(len(sims))}
    for sim in sims:
        sim.acks = 0
    readers = [
        asyncio.create_task(s.count_acks(expected[i], latencies)) for i, s in enumerate(sims)
    ]
    sent: list[list[tuple[float, float]]] = [[] for _ in sims]
    start = time.perf_counter()

    async def drive(i: int, sim: Sim) -> None:
        phase = rng.random() * interval
        batch_round = rng.randrange(rounds)
        for r in range(rounds):
            await asyncio.sleep(max(0.0, start + phase + r * interval - time.perf_counter()))
            now = datetime.now(UTC).replace(microsecond=0)
            frame = sim.t.message(0x0200, location_body(sim.fix(now, r)))
            sim.sent_at[sim.t.serial] = time.perf_counter()
            sent[i].append((time.perf_counter(), now.timestamp()))
            sim.writer.write(frame)
            if i in batchers and r == batch_round:
                old = [
                    sim.fix(datetime.fromtimestamp(now.timestamp() - 600 + k, UTC), k)
                    for k in range(28)  # 28 × 36 bytes: the most one body holds
                ]
                sim.writer.write(sim.t.message(0x0704, sim.t.batch_body(old)))

    await asyncio.gather(*(drive(i, s) for i, s in enumerate(sims)))
    await asyncio.gather(*readers)
    wall = time.perf_counter() - start
    return {
        "messages": sum(expected.values()),
        "wall_s": wall,
        "ack_latency_s": latencies,
        "sent": sent,  # per terminal: (monotonic send time, fix time) of each report
    }


def blast_frames(sims: list[Sim], per_terminal: int, base: datetime) -> list[bytes]:
    """Per terminal, ``per_terminal`` location reports one second apart, as one byte string."""
    out = []
    for sim in sims:
        parts = []
        for k in range(per_terminal):
            at = datetime.fromtimestamp(base.timestamp() + k, UTC)
            parts.append(sim.t.message(0x0200, location_body(sim.fix(at, k))))
        out.append(b"".join(parts))
    return out


async def blast(sims: list[Sim], streams: list[bytes], per_terminal: int) -> dict:
    """Send every stream at once and wait for every answer."""
    for sim in sims:
        sim.acks = 0
    latencies: list[float] = []
    readers = [asyncio.create_task(s.count_acks(per_terminal, latencies)) for s in sims]
    start = time.perf_counter()
    for sim, data in zip(sims, streams, strict=True):
        sim.writer.write(data)
    await asyncio.gather(*readers)
    return {"messages": per_terminal * len(sims), "wall_s": time.perf_counter() - start}


async def blast_floor(port: int, streams: list[bytes]) -> None:
    """The same bytes to the floor server, on as many connections; it answers nothing."""
    writers = []
    for data in streams:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append((writer, data))
    for writer, data in writers:
        writer.write(data)
    for writer, _ in writers:
        await writer.drain()
        writer.close()


async def serve(conn) -> None:
    sims: list[Sim] = []
    loop = asyncio.get_running_loop()
    while True:
        command, args = await loop.run_in_executor(None, conn.recv)
        if command == "stop":
            return
        if command == "login":
            port, terminals = args
            sims = [Sim(phone, plate, offset) for phone, plate, offset in terminals]
            for i in range(0, len(sims), 100):
                await asyncio.gather(*(s.login(port) for s in sims[i : i + 100]))
            conn.send({"logged_in": len(sims)})
        elif command == "paced":
            conn.send(await paced(sims, *args))
        elif command == "blast":
            per_terminal, base = args
            streams = blast_frames(sims, per_terminal, base)
            conn.send(await blast(sims, streams, per_terminal))
        elif command == "floor":
            port, per_terminal, base = args
            await blast_floor(port, blast_frames(sims, per_terminal, base))
            conn.send({"sent": True})


def main(conn) -> None:
    asyncio.run(serve(conn))
