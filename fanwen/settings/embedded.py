"""The embedded default: SQLite in WAL mode and local files under FANWEN_DATA_DIR."""

from __future__ import annotations

import os
import secrets

from fanwen.settings.base import *  # noqa: F403
from fanwen.settings.base import DATA_DIR, env


def _secret_key() -> str:
    """Generated once into the data directory, readable by its owner only."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_key()
FANWEN_PROFILE = "embedded"
