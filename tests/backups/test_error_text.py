"""What a failed pg_restore says: never the row data its DETAIL/COPY/CONTEXT lines, or quoted
values in the error line itself, can hold (paid text)."""

from __future__ import annotations

from fanwen.backups.databases import _first_error

CANARY = "付费正文金丝雀"


def test_quoted_values_and_detail_lines_are_never_shown():
    stderr = (
        "pg_restore: while PROCESSING TOC:\n"
        f'pg_restore: error: could not execute query: ERROR:  invalid input syntax for type integer: "{CANARY}"\n'
        f"DETAIL:  Failing row contains (1, error {CANARY}).\n"
        f"CONTEXT:  COPY library_block, line 1: \"{CANARY}\"\n"
    )
    shown = _first_error(stderr)
    assert CANARY not in shown and "invalid input syntax" in shown


def test_only_data_lines_give_no_detail():
    assert CANARY not in _first_error(f"DETAIL:  Failing row contains (error {CANARY}).")
