"""The ``fanwen`` console command: Django's manage command with the embedded default.

On the embedded profile every command first migrates the database when it is
behind, so each command works on a fresh data directory.
"""

from __future__ import annotations

import os
import signal
import sys

# restore: it checks the target itself, and migrates after putting the backup back.  backup: a
# "backup before upgrade" must hold the database as the old code left it, not migrated first.
_NO_AUTO_MIGRATE = {"backup", "restore", "migrate", "makemigrations", "inspect", "help", "version", "--help", "-h", "--version"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanwen.settings.embedded")
    import django
    from django.core.management import execute_from_command_line

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `fanwen search x | head` ends quietly
    command = argv[1] if len(argv) > 1 else "help"
    if command not in _NO_AUTO_MIGRATE:
        django.setup()
        _migrate_if_needed()
    execute_from_command_line(argv)


def _migrate_if_needed() -> None:
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if getattr(settings, "FANWEN_PROFILE", "") != "embedded":
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
