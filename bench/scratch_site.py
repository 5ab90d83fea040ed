"""A scratch site for a benchmark: a fresh data directory, the embedded settings (SQLite, or the
PostgreSQL that DATABASE_URL names), no Redis, migrated; on PostgreSQL the database is FLUSHED."""

from __future__ import annotations

import os
import tempfile


def scratch_site(prefix: str) -> bool:
    """Set up Django on a scratch site; True when it runs on PostgreSQL (DATABASE_URL)."""
    pg = bool(os.environ.get("DATABASE_URL"))
    os.environ["FANWEN_DATA_DIR"] = tempfile.mkdtemp(prefix=prefix)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if pg:
        call_command("flush", interactive=False, verbosity=0)
    return pg
