"""The gateway running for a test: its own event loop on a thread, on the test's database."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from datetime import datetime

from manifest.gateway.limits import Limits
from manifest.gateway.server import Gateway
from manifest.infra.db import make_engine, make_session_factory


class Clock:
    """The time the gateway lives in: set by the test, so a trip's hours pass in seconds."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Running:
    def __init__(self, gateway: Gateway, loop: asyncio.AbstractEventLoop, port: int) -> None:
        self.gateway, self.loop, self.port = gateway, loop, port

    def run(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def check_now(self) -> int:
        """Write what is pending and run the live checks of every vehicle in transit."""
        return self.run(self.gateway.store.check_now())

    def settle(self) -> None:
        """Write what is pending."""
        self.run(self.gateway.store._flush())

    @property
    def stats(self):
        return self.gateway.store.stats


@contextmanager
def running_gateway(url: str, limits: Limits = Limits(), clock=None):
    engine = make_engine(url)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    kwargs = {} if clock is None else {"clock": clock}

    async def make():
        gateway = Gateway(make_session_factory(engine), limits, **kwargs)
        return gateway, await gateway.start("127.0.0.1", 0)

    gateway, port = asyncio.run_coroutine_threadsafe(make(), loop).result(30)
    running = Running(gateway, loop, port)
    try:
        yield running
    finally:
        running.run(gateway.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        engine.dispose()
