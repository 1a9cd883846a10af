"""Whole manifest lifecycles over real HTTP against a running ``hwm serve``: the requests of
the fault test and of the API benchmark, signed by the parties a client would sign with.

A lifecycle is six moves (create, issue, pickup, deliver, decide, complete), each a POST with
an Idempotency-Key of its own, plus a few reads. Quantities are small so that thousands of
lifecycles stay within the receiver's licensed capacity.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.builders import PLATING_SLUDGE

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
MOVES = ("create", "issue", "pickup", "deliver", "decide", "complete")


@dataclass(frozen=True)
class Parties:
    """Bearer tokens and ids of the parties of one kind of manifest."""

    generator: str
    driver: str
    receiver: str
    regulator: str
    transporter_id: int
    receiver_id: int
    plate: str = "粤J12345"

    @classmethod
    def of(cls, world) -> Parties:
        """The hazardous-waste parties of ``tests.builders.build_world``."""
        return cls(
            generator=world.plating.token(),
            driver=world.carrier.token("driver"),
            receiver=world.centre.token(),
            regulator=world.regulator.token(),
            transporter_id=world.carrier.id,
            receiver_id=world.centre.id,
        )


@dataclass(frozen=True)
class Request:
    """One request of a lifecycle: what it is (for reports), and what goes on the wire."""

    name: str  # e.g. "POST issue", "GET manifest"
    method: str
    path: str
    token: str
    body: dict | None = None
    key: str | None = None


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: the connection dropped before an answer came
    headers: dict
    body: bytes
    started: float
    seconds: float

    def json(self):
        return json.loads(self.body)


def _iso(value: datetime) -> str:
    return value.isoformat()


def create_request(p: Parties, key: str) -> Request:
    """File a one-line hazardous draft: 50 kg of electroplating sludge."""
    body = {
        "kind": "hazardous",
        "transporter_id": p.transporter_id,
        "vehicle_plate": p.plate,
        "receiver_id": p.receiver_id,
        "planned_pickup_at": _iso(datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)),
        "operation": "D10",
        "lines": [{**PLATING_SLUDGE, "container_count": 1, "quantity": "0.050"}],
    }
    return Request("POST create", "POST", f"{API}/manifests", p.generator, body, f"{key}-create")


def move_requests(p: Parties, ref: int, key: str) -> list[Request]:
    """The five signed moves after the draft, with times that go forward along the chain."""
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)

    def at(step: int) -> str:
        return _iso(t0 + timedelta(minutes=30 * step))

    path = f"{API}/manifests/{ref}"
    line = [{"line_no": 1, "quantity": "0.050"}]
    bodies = [
        ("issue", p.generator, {"at": at(1)}),
        (
            "pickup",
            p.driver,
            {"vehicle_plate": p.plate, "driver": "李师傅", "at": at(2), "lines": line},
        ),
        ("deliver", p.receiver, {"at": at(3), "lines": line}),
        (
            "decide",
            p.receiver,
            {"at": at(4), "lines": [{"line_no": 1, "accepted": "0.050", "rejected": "0"}]},
        ),
        ("complete", p.receiver, {"operation": "D10", "completed_at": at(5)}),
    ]
    return [
        Request(f"POST {name}", "POST", f"{path}/{name}", token, body, f"{key}-{name}")
        for name, token, body in bodies
    ]


class Http:
    """A minimal HTTP/1.1 client, one connection per request (gunicorn's sync workers close
    the connection after every answer anyway)."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout

    def send(self, request: Request) -> Answer:
        headers = {"Authorization": f"Bearer {request.token}"} if request.token else {}
        data = None
        if request.body is not None:
            data = json.dumps(request.body).encode()
            headers["Content-Type"] = "application/json"
        if request.key:
            headers["Idempotency-Key"] = request.key
        started = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(request.method, request.path, body=data, headers=headers)
            response = conn.getresponse()
            body = response.read()
            status, answer_headers = response.status, dict(response.getheaders())
        except (OSError, http.client.HTTPException):
            status, answer_headers, body = None, {}, b""
        finally:
            conn.close()
        return Answer(status, answer_headers, body, started, time.monotonic() - started)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``hwm serve`` (gunicorn) in a process group of its own, on the database ``url``."""

    def __init__(self, url: str, workers: int, log_path: Path, extra_env: dict | None = None):
        self.port = free_port()
        env = {**os.environ, "HWM_DATABASE_URL": url, **(extra_env or {})}
        hwm = Path(sys.executable).with_name("hwm")
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(hwm), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.http = Http(self.port)
        self._wait_until_alive(workers)

    def _wait_until_alive(self, workers: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        probe = Request("GET healthz", "GET", "/healthz", "")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hwm serve exited with {self.process.returncode}")
            if self.http.send(probe).status == 200 and len(self.workers()) == workers:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("hwm serve did not answer /healthz in time")

    def workers(self) -> list[int]:
        """The process ids of the gunicorn workers (the master's children)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
