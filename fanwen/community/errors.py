from __future__ import annotations


class CommunityError(Exception):
    """A refusal with a Chinese message; ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
