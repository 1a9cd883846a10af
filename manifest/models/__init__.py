"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .catalogue import WasteCode
from .events import CustodyEvent, LedgerHead
from .findings import Finding, FindingComment, FindingParty
from .licences import Licence, LicenceCapacity, LicenceScope, Vehicle
from .manifests import Manifest, ManifestCounter, ManifestLeg, ManifestLine
from .member_changes import MemberChange
from .receipts import WeighbridgeMatch, WeighbridgeReceipt
from .registry import ApiToken, IdempotencyRecord, Organization, Regulator, RegulatorRegion, User
from .signins import SigninAttempt
from .terminals import Terminal, VehiclePosition
from .tolerances import ReconcileTolerance, RegionalTolerance, ToleranceChange
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
    "MemberChange",
    "Organization",
    "ReconcileTolerance",
    "RegionalTolerance",
    "Regulator",
    "RegulatorRegion",
    "SigninAttempt",
    "StoredFile",
    "Terminal",
    "ToleranceChange",
    "User",
    "Vehicle",
    "VehiclePosition",
    "WasteCode",
    "WeighbridgeMatch",
    "WeighbridgeReceipt",
]
