"""The service-wide chain."""

from __future__ import annotations

from manifest.services.custody import verify_ledger

from ..auth import current_actor
from ..db import session
from ..schemas import Verdict
from . import api_blueprint

blp = api_blueprint("ledger", "/ledger", "The service-wide custody chain")


@blp.route("/verify", methods=["GET"])
@blp.response(200, Verdict)
def verify():
    """Recompute every event of the service in ledger order (regulators)."""
    current_actor().require_regulator()
    return verify_ledger(session()).to_dict()
