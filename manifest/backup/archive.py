"""The backup file: a tar archive holding ``hwm-backup.json`` (what the backup is) and the
database copy itself, so that a file can be identified and checked before anything is
restored from it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from .errors import BackupError

FORMAT = "hwm-backup"
FORMAT_VERSION = 1
METADATA_NAME = "hwm-backup.json"
PAYLOAD_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file says about itself."""

    kind: str  # "sqlite" or "postgresql"
    schema_revision: str
    created_at: str  # ISO 8601, UTC
    sha256: str
    size: int
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def payload_name(self) -> str:
        return PAYLOAD_NAMES[self.kind]


def file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def write_archive(
    target: Path, *, kind: str, schema_revision: str, created_at: datetime, payload: Path
) -> BackupInfo:
    """Write ``payload`` and its description to ``target``; the file appears whole or not
    at all. Raises BackupError if ``target`` already exists."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose another file name")
    sha256, size = file_digest(payload)
    info = BackupInfo(
        kind=kind,
        schema_revision=schema_revision,
        created_at=created_at.isoformat(timespec="seconds"),
        sha256=sha256,
        size=size,
    )
    metadata = json.dumps(asdict(info), indent=2).encode()
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tarfile.open(partial, "w") as tar:
            entry = tarfile.TarInfo(METADATA_NAME)
            entry.size = len(metadata)
            entry.mtime = int(created_at.timestamp())
            tar.addfile(entry, io.BytesIO(metadata))
            tar.add(payload, arcname=info.payload_name, filter=_anonymous)
        os.replace(partial, target)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return info


def _anonymous(entry: tarfile.TarInfo) -> tarfile.TarInfo:
    """The copy's tar entry without the local account's names and ids."""
    entry.uid = entry.gid = 0
    entry.uname = entry.gname = ""
    return entry


def read_info(source: Path) -> BackupInfo:
    """The description of a backup file. Raises BackupError when the file is missing, is no
    hwm backup, or was written by a newer format."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        with tarfile.open(source, "r") as tar:
            member = tar.getmember(METADATA_NAME)
            raw = json.loads(tar.extractfile(member).read())
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror or exc}") from None
    except (tarfile.TarError, KeyError, ValueError, AttributeError):
        raise BackupError(f"{source} is not an hwm backup file") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError(f"{source} is not an hwm backup file")
    if raw.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{source} is a backup of format {raw.get('format_version')}; this hwm reads "
            f"format {FORMAT_VERSION}"
        )
    try:
        info = BackupInfo(**raw)
    except TypeError:
        raise BackupError(f"{source}: the backup's description is incomplete") from None
    if info.kind not in PAYLOAD_NAMES:
        raise BackupError(f"{source}: unknown database kind {info.kind!r}")
    return info


def extract_payload(source: Path, info: BackupInfo, directory: Path) -> Path:
    """Extract the database copy into ``directory`` and check it against the recorded
    digest. Raises BackupError if it is missing or damaged."""
    target = directory / info.payload_name
    try:
        with tarfile.open(source, "r") as tar:
            member = tar.getmember(info.payload_name)
            if not member.isfile():
                raise KeyError(info.payload_name)
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    dst.write(chunk)
    except (tarfile.TarError, KeyError):
        raise BackupError(f"{source}: the database copy is missing from the backup") from None
    except OSError as exc:
        raise BackupError(f"cannot extract the copy from {source}: {exc.strerror or exc}") from None
    if file_digest(target) != (info.sha256, info.size):
        raise BackupError(f"{source} is damaged: the database copy does not match its digest")
    return target
