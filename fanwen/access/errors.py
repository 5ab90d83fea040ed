"""Domain errors of access.  ``message`` is Chinese, fit for the reader; ``status`` is the
HTTP status the API answers with (pages show the paywall, a login or the message)."""

from __future__ import annotations


class AccessError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInRequired(AccessError):
    status = 401


class NotEntitled(AccessError):
    status = 403


class FormatUnavailable(AccessError):
    status = 400


class DownloadLimitReached(AccessError):
    status = 429
