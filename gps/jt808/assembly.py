"""Sub-packaged messages put back together.

The packages of one message share the message id and the package count and carry
consecutive serial numbers, so ``serial - number`` names the message. A connection keeps
a few messages in assembly at most; the oldest is given up when a new one would exceed that,
or when it has waited longer than ``max_age_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gps.jt808.errors import BadMessage
from gps.jt808.header import Header


@dataclass
class _Parts:
    started: float
    total: int
    parts: dict[int, bytes] = field(default_factory=dict)


class Reassembler:
    """Collects packages; :meth:`add` returns the whole body once the last one arrives."""

    def __init__(self, max_messages: int = 4, max_packages: int = 64, max_age_s: float = 60.0):
        self.max_messages = max_messages
        self.max_packages = max_packages
        self.max_age_s = max_age_s
        self._pending: dict[tuple[int, int, int], _Parts] = {}

    def add(self, header: Header, body: bytes, now: float) -> bytes | None:
        """The reassembled body when ``header``'s message is complete, else None.

        Raises BadMessage for a package count above ``max_packages`` or a package whose
        count differs from the first one's."""
        assert header.packages is not None
        total, number = header.packages
        if total > self.max_packages:
            raise BadMessage(f"{total} packages exceed the limit of {self.max_packages}")
        for key in [k for k, p in self._pending.items() if now - p.started > self.max_age_s]:
            del self._pending[key]
        key = (header.message_id, total, (header.serial - number) & 0xFFFF)
        entry = self._pending.get(key)
        if entry is None:
            if len(self._pending) >= self.max_messages:
                del self._pending[min(self._pending, key=lambda k: self._pending[k].started)]
            entry = self._pending[key] = _Parts(now, total)
        entry.parts.setdefault(number, body)
        if len(entry.parts) < total:
            return None
        del self._pending[key]
        return b"".join(entry.parts[n] for n in range(1, total + 1))

    @property
    def pending(self) -> int:
        """Messages waiting for packages."""
        return len(self._pending)
