"""The one error a backup or restore raises: a clear Chinese message, nothing changed."""

from __future__ import annotations


class BackupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
