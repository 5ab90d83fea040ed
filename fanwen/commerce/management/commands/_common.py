from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError

from fanwen.library.models import Document


def user_and_document(username: str, document_id: str) -> tuple[AbstractBaseUser, Document]:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    if not document_id.isdigit():
        raise CommandError(f"not a document id: {document_id!r}")
    document = Document.objects.filter(pk=int(document_id)).first()
    if document is None:
        raise CommandError(f"no document #{document_id}")
    return user, document
