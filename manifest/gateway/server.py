"""Listening for terminals: the connection bound, start and stop, ``hwm gps gateway``."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Callable
from datetime import datetime

from ..config import Settings
from ..infra.db import make_engine, make_session_factory, utcnow
from .connection import Connection
from .limits import Limits
from .store import Store

log = logging.getLogger("hwm.gateway")


class Gateway:
    """A JT/T 808 server on one database. ``clock`` gives the time positions are received
    and live checks are made at (the tests drive it)."""

    def __init__(
        self, sessions, limits: Limits = Limits(), clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.limits = limits
        self.store = Store(sessions, limits, clock)
        self.connections: dict[asyncio.Task, Connection] = {}
        self.server: asyncio.Server | None = None
        self.refused_connections = 0

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host``:``port`` (0: any free port); returns the port."""
        self.store.start()
        self.server = await asyncio.start_server(self._accept, host, port, limit=1 << 16)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening, close every connection, write what is pending."""
        if self.server is not None:
            self.server.close()
        for connection in list(self.connections.values()):
            connection.writer.close()
        await asyncio.gather(*self.connections, return_exceptions=True)
        await self.store.stop()
        if self.server is not None:
            await self.server.wait_closed()

    async def _accept(self, reader, writer) -> None:
        if len(self.connections) >= self.limits.max_connections:
            self.refused_connections += 1
            log.warning(
                "gateway %s: refused, %d connections open",
                writer.get_extra_info("peername"),
                len(self.connections),
            )
            writer.close()
            return
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.limits.socket_send_buffer)
        task = asyncio.current_task()
        connection = self.connections[task] = Connection(self.store, self.limits, reader, writer)
        try:
            await connection.run()
        finally:
            del self.connections[task]


async def _serve(settings: Settings, host: str, port: int, limits: Limits) -> None:
    engine = make_engine(settings.database_url)
    gateway = Gateway(make_session_factory(engine, settings), limits)
    bound = await gateway.start(host, port)
    log.warning("gateway listening on %s:%d", host, bound)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await gateway.stop()
    engine.dispose()


def serve(settings: Settings, host: str, port: int, limits: Limits = Limits()) -> None:
    """Run the gateway on the database of ``settings`` until SIGINT or SIGTERM."""
    asyncio.run(_serve(settings, host, port, limits))
