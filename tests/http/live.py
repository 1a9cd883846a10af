"""Speaking HTTP/1.1 over a real socket to a live server: chunked bodies, raw answers."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process=None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def send_chunked(port: int, path: str, total: int, headers: dict | None = None, block=64 * 1024):
    """POST ``total`` bytes of one JSON document as a chunked body, stopping as soon as the
    server answers (or closes). Returns (status, headers, body, bytes of body sent)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"]
    head += [
        f"{k}: {v}" for k, v in {"Content-Type": "application/json", **(headers or {})}.items()
    ]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    sent = 0
    opening, closing = b'{"notes": "', b'"}'
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            size = min(block, total - sent)
            data = opening + b"x" * (size - len(opening)) if sent == 0 else b"x" * size
            if sent + size >= total:
                data = data[: -len(closing)] + closing
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
            sent += len(data)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = _read_answer(sock)
    sock.close()
    return (*answer, sent)


def _read_answer(sock) -> tuple[int, dict, bytes]:
    data = b""
    sock.settimeout(30)
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while True:
            part = sock.recv(65536)
            if not part:
                break
            data += part
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                fields = _fields(head)
                if len(body) >= int(fields.get("content-length", "-1")) >= 0:
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, _fields(head), body


def _fields(head: bytes) -> dict:
    out = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        out[name.strip().lower()] = value.strip()
    return out


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    sock = socket.create_connection(("127.0.0.1", port))
    head = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    answer = _read_answer(sock)
    sock.close()
    return answer


def start_hwm_serve(database_url: str, port: int, log_path: Path) -> subprocess.Popen:
    """``hwm serve`` (gunicorn, one worker) on ``port``, its stderr going to ``log_path``."""
    env = {**os.environ, "HWM_DATABASE_URL": database_url}
    hwm = Path(sys.executable).with_name("hwm")
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process by the caller
    process = subprocess.Popen(
        [str(hwm), "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_file = log
    wait_for_port(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(20)
    process.log_file.close()


@contextlib.contextmanager
def werkzeug_server(wsgi_app):
    """``wsgi_app`` served by werkzeug's threaded server on a free port; yields the port."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.socket.getsockname()[1]
    finally:
        server.shutdown()
        thread.join(10)
