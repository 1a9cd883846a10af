"""What the gateway tolerates from one connection and in total."""

from __future__ import annotations

from dataclasses import dataclass

from gps.settings import PositiveSettings


@dataclass(frozen=True)
class Limits(PositiveSettings, kind="gateway limit"):
    """Each a positive number, or the gateway does not start."""

    #: Connections held at once; more are closed as they arrive.
    max_connections: int = 10_000
    #: A connection that completes no frame for this long is closed (terminals send a
    #: heartbeat every minute or so by default).
    idle_s: float = 300.0
    #: Sustained frames per second from one connection, and the burst above it.
    frames_per_s: float = 50.0
    frame_burst: int = 500
    #: Refused frames (bad check code, bad layout, too long) before the connection is closed.
    max_bad_frames: int = 20
    #: Answers queued for a client that does not read them, in bytes, before it is closed.
    max_unsent_bytes: int = 256 * 1024
    #: The kernel's send buffer per connection, so a client that stops reading holds little
    #: memory before its unsent answers reach ``max_unsent_bytes``.
    socket_send_buffer: int = 64 * 1024
    #: Messages awaiting their missing sub-packages, per connection.
    max_assembling: int = 4
    #: Positions waiting to be written beyond which new ones are refused (FAILED: the
    #: terminal keeps them and sends them again), so a stalled database cannot exhaust memory.
    max_pending_positions: int = 200_000
    #: Seconds between batched position writes, and the batch size that writes at once.
    flush_s: float = 0.2
    max_batch: int = 2000
    #: Seconds between live checks of vehicles that reported, and between silence sweeps.
    live_check_s: float = 10.0
    silence_sweep_s: float = 30.0
    #: A terminal's contact without positions (authentication, heartbeat) is written for its
    #: "last seen" at most this often.
    heard_every_s: float = 30.0
    #: Lines logged per connection about dropped input; the rest are counted.
    log_lines_per_connection: int = 20
