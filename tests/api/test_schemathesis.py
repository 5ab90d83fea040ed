"""Schemathesis over /api/v1/openapi.json, in process against the WSGI app (issue #9, item 23).

Every operation, as an anonymous caller, with a non-buyer's token and with a staff token, with data that fits
the schema and data that does not, and with path ids that exist (a paid document, a free
one, one awaiting review, the caller's order) as well as random ones: zero 5xx responses,
and no response to the anonymous caller or the non-buyer carries the paid part's canary.  Deterministic (derandomized) and bounded.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import order_create
from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import
from tests.commerce.factories import make_user
from tests.leak.crawler import readable as crawled_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Requests through the raw WSGI app would close the test's connection at their end
    (as Django's test client prevents too): keep it open for the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(in_test_transaction) -> dict[str, Any]:
    canary = f"金丝雀{uuid.uuid4().hex[:12]}"
    author = make_user("fuzz-author")
    paid = document_import(
        parsed=parse_text(f"付费文档\n免费开头。\n##paidbegin##付费段落{canary}。"), price_fen=500,
        category_name="模糊测试", author_id=author.pk,
    ).document_id
    free = document_import(parsed=parse_text("免费文档\n全部免费的正文。"), category_name="模糊测试").document_id
    pending = document_import(
        parsed=parse_text(f"待审核文档\n开头。\n##paidbegin##待审核付费{canary}"), price_fen=300,
        author_id=author.pk, status=Document.Status.PENDING,
    ).document_id
    reader = make_user("fuzz-reader")
    staff = make_user("fuzz-staff", is_staff=True)
    order = order_create(user=reader, document_id=paid, plan_code=None, idempotency_key=None)
    return {
        "canary": canary,
        "token": api_token_create(user=reader),
        "staff_token": api_token_create(user=staff),
        "ids": {"document_id": [paid, free, pending], "order_id": [order.pk]},
    }


def readable(content: bytes) -> str:
    """The body as a reader sees it: JSON escapes (\\u91d1…) decoded, a downloaded file's
    package (.docx) unzipped."""
    body = crawled_text(content)
    try:
        return body + json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def operation_strategy(operation: Any, ids: dict[str, list[int]]) -> st.SearchStrategy:
    """Generated cases in both modes, plus cases whose path ids are ones that exist."""
    names = [p.name for p in operation.path_parameters]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    known = [ids[name] for name in names if name in ids]
    if names and len(known) == len(names):
        for values in zip(*(ids[name] for name in names), strict=False):
            strategies.append(operation.as_strategy(path_parameters=dict(zip(names, values, strict=True))))
    return st.one_of(strategies)


@pytest.mark.parametrize("who", ["anonymous", "token", "staff"])
def test_every_operation_never_answers_5xx_nor_leaks(world, who):
    from fanwen.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    token = {"anonymous": None, "token": world["token"], "staff": world["staff_token"]}[who]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
            suppress_health_check=list(hypothesis.HealthCheck), phases=[hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation_strategy(operation, world["ids"]))
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
            assert response.status_code < 500, f"{response.status_code} on {where}: {response.text_lossy()[:300]}"
            if who != "staff":
                assert world["canary"] not in readable(response.content), f"paid text in {where}"

        try:
            call()
        except AssertionError as exc:
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 10
    assert not failures, "\n".join(failures)
