from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(examples_dir) -> None:
    call_command("loadexamples", "--dir", str(examples_dir))


def test_home_lists_both_examples(client, loaded):
    body = client.get("/").content.decode()
    assert "高级研修班学习感悟" in body
    assert "个人党性分析报告" in body


def test_unknown_document_is_a_chinese_404(client, loaded):
    response = client.get("/d/999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_loadexamples_only_when_empty(loaded, examples_dir, capsys):
    call_command("loadexamples", "--dir", str(examples_dir))
    assert "跳过" in capsys.readouterr().out
