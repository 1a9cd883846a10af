"""What follows every signed move, inside the move's own transaction.

One explicit list, so that whoever drives the lifecycle (HTTP, the command line, the demo,
tests) gets the same checks and a refused follow-up rolls the move back with it.
"""

from __future__ import annotations

from ..models import Manifest
from . import reconciliation, tracks


def after_move(session, manifest: Manifest, action: str) -> None:
    """Reconcile the tallies and raise capacity findings; flag a trip completed without a
    GPS track."""
    reconciliation.after_move(session, manifest, action)
    tracks.after_move(session, manifest, action)
