"""追查泄露 (/admin/access/delivery/trace/) in the leak checks.  The crawler skips /admin/, so
this URL is asked directly, GET and POST (a pasted excerpt of the paid part, a file), by every
identity that is not staff: each gets the admin login and nothing else — no reader's name, no
document, no paid text, no audit event."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanwen.audit.models import AuditEvent
from tests.leak.crawler import readable
from tests.leak.test_leak_downloads import signed_in

pytestmark = pytest.mark.django_db
URL = "/admin/access/delivery/trace/"


@pytest.mark.parametrize("identity", ["anonymous", "reader", "token", "refunded", "revoked"])
def test_the_trace_page_answers_only_staff(planted, identity):
    client, headers = signed_in(identity, planted)
    excerpt = "\n".join(planted.canaries.values())
    responses = [
        client.get(URL, **headers),
        client.post(URL, {"text": excerpt}, **headers),
        client.post(URL, {"file": SimpleUploadedFile("leak.txt", excerpt.encode())}, **headers),
    ]
    for response in responses:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), response.status_code
        body = readable(response.content)
        assert not any(canary in body for canary in planted.canaries.values())
    assert not AuditEvent.objects.filter(action="access.trace.run").exists()
