"""The JT/T 808 gateway: an asyncio TCP server that takes positions from vehicle terminals.

* :mod:`.limits` — connection, idle, size and rate limits;
* :mod:`.store` — every database call, on one thread: registrations, batched position
  writes, the live checks;
* :mod:`.connection` — one terminal's connection: frames in, answers out;
* :mod:`.server` — listening, the connection bound, :func:`serve` for ``hwm gps gateway``.
"""
