"""Production's log handler (JSON formatter + request-id filter) on the root logger, for tests."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fanwen.monitoring.jsonlog import JsonFormatter
from fanwen.monitoring.request_id import RequestIdFilter


@contextmanager
def json_log(level: int = logging.DEBUG) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def json_lines(stream: io.StringIO) -> list[dict[str, str]]:
    """Every line parsed (a line that is not one JSON object fails the test)."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]
