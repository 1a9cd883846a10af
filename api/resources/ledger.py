"""The service-wide chain."""

from __future__ import annotations

from flask_smorest import Blueprint

from manifest.services.custody import verify_ledger

from ..auth import current_actor
from ..db import session
from ..schemas import Verdict

blp = Blueprint(
    "ledger", __name__, url_prefix="/api/v1/ledger", description="The service-wide custody chain"
)


@blp.route("/verify", methods=["GET"])
@blp.response(200, Verdict)
def verify():
    """Recompute every event of the service in ledger order (regulators)."""
    current_actor().require_regulator()
    return verify_ledger(session()).to_dict()
