from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def author(db):
    return get_user_model().objects.create_user("zuozhe", password="zuozhe-pass-1")


@pytest.fixture
def client_author(author) -> Client:
    client = Client()
    client.force_login(author)
    return client
