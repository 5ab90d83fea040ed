"""Schemathesis over the author's edit operations (PATCH /me/documents/{id}, …/versions) as the
document's author — the shared fuzz test calls them only as strangers, who get 404: any
generated body is a 2xx or a 4xx, never a 5xx, and the document keeps a consistent state."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model

from fanwen.accounts.services import api_token_create
from fanwen.library.models import Document
from tests.api.test_schemathesis import EXAMPLES_PER_OPERATION, in_test_transaction, operation_strategy, world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
__all__ = ["in_test_transaction", "world"]


def test_the_authors_edit_operations_never_answer_5xx(world):
    from fanwen.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    author = get_user_model().objects.get(username="fuzz-author")
    headers = {"Authorization": f"Bearer {api_token_create(user=author)}"}
    failures: list[str] = []
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/me/documents/{document_id}"):
            continue
        checked.append(operation.label)

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
            suppress_health_check=list(hypothesis.HealthCheck), phases=[hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation_strategy(operation, world["ids"]))
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path} body={case.body!r}"
            assert response.status_code < 500, f"{response.status_code} on {where}: {response.text_lossy()[:300]}"

        try:
            call()
        except AssertionError as exc:
            failures.append(f"{operation.label}: {exc}")
    assert len(checked) == 3, checked
    assert not failures, "\n".join(failures)
    for document in Document.objects.filter(author=author):
        assert document.chars_paid == 0 or document.price_fen > 0
