"""Weighbridge receipts: storing a receiver's records and matching them to manifests.

* :mod:`.ingest`: an upload or a year's file, stored in batches (a re-sent ticket is a
  duplicate and changes nothing);
* :mod:`.matching`: pending records matched by number, else by plate, receiver and time, in
  a fixed number of set-based statements per batch; the rule is
  :mod:`manifest.receipt_matching`;
* :mod:`.rows`: what became of each row of an upload, for the receiver who sent it;
* :mod:`.findings`: ``unmanifested_receipt`` for a record no manifest of its receiver covers,
  and a quantity finding where the net weight disagrees with the declared mass.

Only manifests addressed to the uploading receiver are ever candidates, by number as by plate.
A number naming another receiver's manifest is treated exactly like a number naming nothing,
so the upload's counts, its stored outcomes and its findings cannot tell the receiver whether
that manifest exists, in which status or region.
"""

from .findings import net_weights
from .ingest import BATCH, import_file, ingest_receipts, receiver_for, store_records
from .matching import match_pending
from .result import IngestResult

__all__ = [
    "BATCH",
    "IngestResult",
    "import_file",
    "ingest_receipts",
    "match_pending",
    "net_weights",
    "receiver_for",
    "store_records",
]
