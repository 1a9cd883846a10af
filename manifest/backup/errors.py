"""The one error of backup and restore: something the operator must fix, stated plainly."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed."""
