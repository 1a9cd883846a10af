"""The custody chain: canonical event encoding, hashing and verification.

Each event's hash is SHA-256 over the previous event's hash (hex, or 64 zeros for the first)
and the event's canonical JSON. Canonical JSON here means: keys sorted, no insignificant
white space, UTF-8, decimals as strings, times as ISO 8601 UTC with a ``Z``. Changing any
byte of a stored event, removing an event or reordering events breaks the chain from that
point on; :func:`verify` names the first event whose stored hash no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

GENESIS = "0" * 64


#: Values JSON writes as they are: most of an event, so they are let through first.
_AS_IS = frozenset({str, int, bool, type(None)})


def _plain(value):
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a chain event")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        # Floats only appear in client-claimed positions; repr keeps them exact and stable.
        return repr(value)
    return value


def canonical_json(event: Mapping) -> bytes:
    """The canonical byte form of an event's content (without its own hash)."""
    return json.dumps(
        _plain(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def event_hash(previous_hash: str, event: Mapping) -> str:
    """SHA-256 hex of the previous hash followed by the canonical JSON of ``event``."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(event))
    return digest.hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored event as verification sees it."""

    ref: object  # an identifier to report (event id)
    sequence: int
    content: Mapping
    previous_hash: str
    hash: str


@dataclass(frozen=True)
class Verdict:
    valid: bool
    length: int
    head: str | None
    broken_at: object | None = None
    reason: str | None = None

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "length": self.length,
            "head": self.head,
            "broken_at": self.broken_at,
            "reason": self.reason,
        }


def verify(links: Iterable[Link], *, first_sequence: int = 1) -> Verdict:
    """Recompute a chain given in sequence order and report the first broken link.

    A link is broken when its sequence is not the next one (an event was removed or
    inserted), its recorded previous hash is not the hash of the link before, or its stored
    hash differs from the recomputed one (its content was edited).
    """
    previous = GENESIS
    expected_seq = first_sequence
    count = 0
    head = None
    for link in links:
        count += 1
        if link.sequence != expected_seq:
            return Verdict(
                False, count, head, link.ref, f"sequence {link.sequence}, expected {expected_seq}"
            )
        if link.previous_hash != previous:
            return Verdict(
                False, count, head, link.ref, "previous hash does not match the event before"
            )
        recomputed = event_hash(previous, link.content)
        if recomputed != link.hash:
            return Verdict(False, count, head, link.ref, "content does not match its hash")
        previous = head = link.hash
        expected_seq += 1
    return Verdict(True, count, head)


def file_digest(data: bytes) -> str:
    """SHA-256 hex of an uploaded file, as it goes into the chain."""
    return hashlib.sha256(data).hexdigest()
