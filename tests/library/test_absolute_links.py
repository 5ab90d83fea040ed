"""Canonical, og:url, JSON-LD, robots.txt, the sitemap and the feeds name absolute URLs built
from one setting (``FANWEN_SITE_URL``, ``settings.SITE_URL``), never from the request's host."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from fanwen.library.models import Document

pytestmark = pytest.mark.django_db

SITE = "https://wenku.example.org:8443"


@pytest.fixture
def doc(examples_dir, settings) -> Document:
    settings.SITE_URL = SITE + "/"  # a trailing slash in the setting does not double
    call_command("loadexamples", "--dir", str(examples_dir))
    return Document.objects.order_by("id").first()


def test_document_meta_links_are_absolute_and_follow_the_setting(client, doc):
    body = client.get(f"/d/{doc.pk}/").content.decode()
    url = f"{SITE}/d/{doc.pk}/"
    assert f'<link rel="canonical" href="{url}">' in body
    assert f'<meta property="og:url" content="{url}">' in body
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body).group(1))
    assert jsonld["url"] == url
    assert jsonld["mainEntityOfPage"] == url


def test_robots_names_the_sitemap_on_the_site_url(client, doc):
    body = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml\n" in body


def test_sitemap_locations_follow_the_setting_not_the_request_host(client, doc):
    body = client.get("/sitemap.xml", HTTP_HOST="evil.example.com").content.decode()
    locations = re.findall(r"<loc>([^<]*)</loc>", body)
    assert f"{SITE}/d/{doc.pk}/" in locations and f"{SITE}/" in locations
    assert all(loc.startswith(SITE + "/") for loc in locations)


@pytest.mark.parametrize("path", ["/feed/", "/feed/rss/", "category"])
def test_feed_links_follow_the_setting_not_the_request_host(client, doc, path):
    if path == "category":
        path = f"/c/{doc.category.slug}/feed/"
    body = client.get(path, HTTP_HOST="evil.example.com").content.decode()
    assert "evil.example.com" not in body and "testserver" not in body
    links = re.findall(r'(?:href="|<link>|<guid[^>]*>|<id>)(https?://[^"<]*)', body)
    assert links and f"{SITE}/d/{doc.pk}/" in links
    assert all(link.startswith(SITE + "/") for link in links)


def test_serve_default_site_url_names_an_address_a_browser_can_open():
    from fanwen.web.site_url import serve_site_url

    assert serve_site_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert serve_site_url("0.0.0.0", 80) == "http://127.0.0.1:80"
    assert serve_site_url("::", 8000) == "http://[::1]:8000"
    assert serve_site_url("fe80::1", 8000) == "http://[fe80::1]:8000"
    assert serve_site_url("wenku.local", 9000) == "http://wenku.local:9000"
