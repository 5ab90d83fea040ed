from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from fanwen.library.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(examples_dir) -> list[Document]:
    call_command("loadexamples", "--dir", str(examples_dir))
    return list(Document.objects.order_by("id"))


def test_openapi_document_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/documents/{document_id}" in spec["paths"]
    assert "/api/v1/auth/token" in spec["paths"]


def test_token_flow_and_gated_detail(client, docs):
    get_user_model().objects.create_user("ann", password="ann-pass-123")
    bad = client.post("/api/v1/auth/token", {"username": "ann", "password": "nope"}, content_type="application/json")
    assert bad.status_code == 401
    token = client.post(
        "/api/v1/auth/token", {"username": "ann", "password": "ann-pass-123"}, content_type="application/json"
    ).json()["token"]
    body = client.get(f"/api/v1/documents/{docs[0].pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["access"] is False
    assert all(not b["paid"] for b in body["blocks"])
    assert body["hidden"] == {"chars": 1382, "sections": 10}
    assert set(body) >= {"id", "title", "category", "chars", "price_fen", "access", "blocks", "outline", "hidden"}
    assert body["price_fen"] == 500


def test_bad_tokens_are_401_not_500(client, docs):
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        response = client.get(f"/api/v1/documents/{docs[0].pk}", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert "detail" in response.json()


def test_list_with_category_filter_and_pagination(client, docs, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/documents?page_size=1").json()
    assert body["total"] == 2 and len(body["results"]) == 1
    slug = docs[1].category.slug
    body = client.get("/api/v1/documents", {"category": slug}).json()
    assert [r["id"] for r in body["results"]] == [docs[1].pk]
    assert client.get("/api/v1/documents", {"category": "nope"}).json()["total"] == 0
    assert client.get("/api/v1/documents?page=999").json()["results"]


def test_junk_input_is_never_a_500(client, docs):
    for url in (
        "/api/v1/documents/abc",
        "/api/v1/documents/99999999999999999999999",
        "/api/v1/documents?page=-1&page_size=abc",
        "/api/v1/documents?page=%00",
        "/d/99999999999999999999999/",
        "/c/%00/",
        "/api/v1/nope",
    ):
        assert client.get(url).status_code < 500, url
    assert client.post("/api/v1/auth/token", "{not json", content_type="application/json").status_code < 500


def test_categories(client, docs):
    body = client.get("/api/v1/categories").json()
    assert sorted(c["documents"] for c in body) == [1, 1]


def test_nul_characters_are_a_clear_400(client, docs):
    assert client.get("/c/%00/").status_code == 400
    assert client.get("/api/v1/documents?category=%00").status_code == 400
    response = client.post(
        "/api/v1/auth/token", '{"username": "a\\u0000", "password": "x"}', content_type="application/json"
    )
    assert response.status_code == 400 and "detail" in response.json()
    assert client.post("/accounts/login/", {"username": "a\x00", "password": "x"}).status_code == 400
