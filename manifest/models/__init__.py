"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .catalogue import WasteCode
from .events import CustodyEvent, LedgerHead
from .findings import Finding, FindingComment, FindingParty
from .licences import Licence, LicenceCapacity, LicenceScope, Vehicle
from .manifests import Manifest, ManifestCounter, ManifestLeg, ManifestLine
from .receipts import ReconcileTolerance, WeighbridgeMatch, WeighbridgeReceipt
from .registry import ApiToken, IdempotencyRecord, Organization, Regulator, RegulatorRegion, User
from .signins import SigninAttempt
from .tracks import GpsTrack, ManifestRoute, StoredFile

__all__ = [
    "ApiToken",
    "CustodyEvent",
    "Finding",
    "GpsTrack",
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
    "ManifestRoute",
    "Organization",
    "ReconcileTolerance",
    "Regulator",
    "RegulatorRegion",
    "SigninAttempt",
    "StoredFile",
    "User",
    "Vehicle",
    "WasteCode",
    "WeighbridgeMatch",
    "WeighbridgeReceipt",
]
