from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fanwen.core.reader import read_bytes
from fanwen.library.models import Document
from fanwen.library.services import document_import
from fanwen.moderation.services import dupes_check_pending
from tests.core.neardup_cases import edited, example


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("shenhe", password="shenhe-pass-1", is_staff=True)


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def original(db) -> Document:
    """A published paid example by its author."""
    owner = get_user_model().objects.create_user("yuanzuo", password="yuanzuo-pass-1")
    result = document_import(parsed=read_bytes(example(0).encode(), name="000.txt"), price_fen=500, author_id=owner.pk)
    dupes_check_pending()  # the worker indexes it within a second
    return Document.objects.get(pk=result.document_id)


@pytest.fixture
def copier(db):
    return get_user_model().objects.create_user("chaoxi", password="chaoxi-pass-1")


@pytest.fixture
def copy_bytes() -> bytes:
    """The first example with 20 % of its sentences rewritten, markers kept, as a GB18030 file."""
    return edited(example(0), 0.2, seed=7).encode("gb18030")
