"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .catalogue import WasteCode
from .events import CustodyEvent, LedgerHead
from .findings import Finding, FindingComment, FindingParty
from .licences import Licence, LicenceCapacity, LicenceScope, Vehicle
from .manifests import Manifest, ManifestCounter, ManifestLeg, ManifestLine
from .receipts import ReconcileTolerance, WeighbridgeReceipt
from .registry import ApiToken, IdempotencyRecord, Organization, Regulator, RegulatorRegion, User

__all__ = [
    "ApiToken",
    "CustodyEvent",
    "Finding",
    "FindingComment",
    "FindingParty",
    "IdempotencyRecord",
    "LedgerHead",
    "Licence",
    "LicenceCapacity",
    "LicenceScope",
    "Manifest",
    "ManifestCounter",
    "ManifestLeg",
    "ManifestLine",
    "Organization",
    "ReconcileTolerance",
    "Regulator",
    "RegulatorRegion",
    "User",
    "Vehicle",
    "WasteCode",
    "WeighbridgeReceipt",
]
