"""The API docs page works offline: every asset it loads is served by the site itself,
from django-ninja's packaged Swagger UI (issue #9, item 18)."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db
ASSET_RE = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)""", re.IGNORECASE)


def test_docs_page_loads_only_same_origin_assets_that_exist(client, live_server):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = ASSET_RE.findall(html)
    assert assets, html
    foreign = [url for url in assets if urlsplit(url).netloc or url.startswith("//") or not url.startswith("/")]
    assert not foreign, f"the docs page loads assets from elsewhere: {foreign}"
    scripts = [url for url in assets if url.endswith(".js")]
    assert any("swagger-ui-bundle" in url for url in scripts), scripts
    bodies = {}
    for url in assets:
        with urllib.request.urlopen(live_server.url + url, timeout=10) as response:  # noqa: S310 (loopback)
            assert response.status == 200, url
            bodies[url] = response.read()
    bundle = next(body for url, body in bodies.items() if "swagger-ui-bundle" in url)
    assert b"SwaggerUIBundle" in bundle and len(bundle) > 100_000
    # The page itself runs no inline script: the init code is a file too.
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert not inline, inline
