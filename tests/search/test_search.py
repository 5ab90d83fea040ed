"""search_documents: the one entry point.  Free text only; fast paths; index kept true."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from fanwen.core.format import parse_text
from fanwen.library import services
from fanwen.library.models import Category, Document
from fanwen.search.engine import Filters
from fanwen.search.indexer import index_path, index_rebuild, index_sync
from fanwen.search.selectors import MAX_QUERY_CHARS, search_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def examples(examples_dir) -> list[Document]:
    call_command("loadexamples", "--dir", str(examples_dir))
    index_sync()
    return list(Document.objects.order_by("id"))


def add(text: str, *, price_fen: int = 100, category: str = "测试") -> int:
    result = services.document_import(parsed=parse_text(text), price_fen=price_fen, category_name=category)
    return result.document_id


def ids(query: str, **kw) -> list[int]:
    return [h.id for h in search_documents(query, **kw).results]


def test_examples_words_are_found_with_highlighted_free_snippets(examples):
    result = search_documents("党性分析")
    assert [h.id for h in result.results] == [examples[1].pk]
    assert "<mark>党性</mark>" in str(result.results[0].title_html)
    assert str(result.results[0].title_html).startswith("参加市县级")  # whole title, not a window
    result = search_documents("终身学习")
    hit = result.results[0]
    assert hit.id == examples[0].pk
    assert "<mark>终身</mark><mark>学习</mark>" in str(hit.snippet)


def test_traditional_fullwidth_and_case_are_normalised(examples):
    assert ids("黨性分析") == ids("党性分析") == [examples[1].pk]
    add("ＰＡＲＴＹ Ｌｅａｄｅｒ 手册\n免费部分写着 party leader 的职责")
    index_sync()
    assert ids("party leader") == ids("ＰＡＲＴＹ") == ids("Party")
    assert len(ids("party")) == 1


def test_a_word_only_in_the_paid_part_never_matches(examples):
    # "坚持学以致用" stands only in example 000's paid part.
    assert ids("坚持学以致用") == []
    assert ids("战略思维") == []
    # …and the document is found by its free words.
    assert ids("深度思考") == [examples[0].pk]


def test_filters_sort_and_pagination(examples):
    free_id = add("免费的述职报告\n述职报告正文全部免费", category="述职报告")
    long_id = add("很长的述职报告\n" + "述职报告的内容很长。" * 500 + "\n##paidbegin##付费", category="述职报告")
    index_sync()
    assert set(ids("述职报告")) == {free_id, long_id}
    assert ids("述职报告", filters=Filters(paid=False)) == [free_id]
    assert ids("述职报告", filters=Filters(paid=True)) == [long_id]
    assert ids("述职报告", filters=Filters(min_chars=4000)) == [long_id]
    category = Category.objects.get(name="述职报告")
    assert set(ids("", filters=Filters(category_id=category.pk))) == {free_id, long_id}
    assert ids("", sort="newest")[0] == long_id
    for n in range(25):
        add(f"分页测试文档{n}\n分页测试的免费内容{n}")
    index_sync()
    first, third = search_documents("分页测试"), search_documents("分页测试", page=3)
    assert first.total == 25 and len(first.results) == 10 and len(third.results) == 5
    assert not set(h.id for h in first.results) & set(h.id for h in third.results)
    far = search_documents("分页测试", page=10**9)  # past the end: the last page, not an empty one
    assert far.page == 3 and [h.id for h in far.results] == [h.id for h in third.results]


def test_unpublish_delete_and_edits_reach_the_index(examples):
    doc = examples[1]
    services.document_set_status(document_id=doc.pk, status=Document.Status.UNPUBLISHED)
    index_sync()
    assert ids("党性分析") == []
    services.document_set_status(document_id=doc.pk, status=Document.Status.PUBLISHED)
    index_sync()
    assert ids("党性分析") == [doc.pk]
    services.document_delete(document_id=doc.pk)
    index_sync()
    assert ids("党性分析") == []


def test_rebuild_matches_incremental_and_a_new_host_catches_up(examples):
    before = ids("学习")
    import shutil

    shutil.rmtree(index_path().parent)  # a fresh host: no index at all
    index_sync()  # rebuilds by itself
    assert ids("学习") == before
    assert index_rebuild() == 2
    assert ids("学习") == before


def test_over_long_and_empty_queries(examples):
    result = search_documents("党性" * 5000)
    assert result.notices and str(MAX_QUERY_CHARS) in result.notices[0]
    assert len(result.query) == MAX_QUERY_CHARS
    assert search_documents("").total == 2  # everything, newest first
    assert search_documents("，。！？").total == 0


def test_search_page_and_api(client, examples):
    body = client.get("/search/", {"q": "党性分析"}).content.decode()
    assert "<mark>党性</mark>" in body and "共 1 篇" in body
    empty = client.get("/search/", {"q": "没有这个词的文档xyz"}).content.decode()
    assert "没有找到" in empty
    data = client.get("/api/v1/search", {"q": "党性分析"}).json()
    assert data["total"] == 1
    assert set(data["results"][0]) >= {"id", "title", "snippet", "category", "chars", "price_fen"}
    assert client.get("/api/v1/search", {"q": "x", "category": "nope"}).json()["total"] == 0


def test_related_documents_on_the_document_page(client, examples):
    other = add("参加高级研修班的另一篇学习感悟\n研修班学习感悟正文")
    index_sync()
    body = client.get(f"/d/{examples[0].pk}/").content.decode()
    assert "相关文档" in body and f"/d/{other}/" in body


def test_search_command(capsys, examples):
    capsys.readouterr()
    call_command("search", "党性分析", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 1 and data["results"][0]["id"] == examples[1].pk


def test_query_words_drop_search_mode_sub_words():
    from fanwen.search.engine import query_words

    assert query_words(["解放", "思想", "解放思想", "改革"]) == ["解放思想", "改革"]
    assert query_words(["党性", "党性"]) == ["党性"]


def test_very_common_words_rank_title_matches_and_estimate_the_total(monkeypatch):
    from fanwen.search import engine

    monkeypatch.setattr(engine, "EXACT_COUNT_MAX", 0)  # as on a big index
    for n in range(14):
        title = f"工作总结第{n}篇" if n < 11 else f"其他范文{n}"
        add(f"{title}\n今年的工作很多，工作做得不错{n}")
    index_sync()
    first = search_documents("工作")
    assert first.approximate and first.total == 14  # the body count, as an estimate
    assert all("工作" in h.title for h in first.results)
    assert first.has_next and first.num_pages == 2  # no page count past the pages known to be filled
    second = search_documents("工作", page=2)  # titles cannot fill page 2: the full query
    assert not second.approximate and second.total == 14 and len(second.results) == 4  # the last page: exact
    assert not second.has_next
    rare_and_common = search_documents("工作 其他范文12")
    assert [h.title for h in rare_and_common.results] == ["其他范文12"]
