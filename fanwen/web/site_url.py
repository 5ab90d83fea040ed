"""Absolute URLs from ONE setting: ``FANWEN_SITE_URL`` (``settings.SITE_URL``).

Canonical links, og:url, JSON-LD, robots.txt, the sitemap and the feeds use it, never the
request's Host header (which anyone can send).  ``fanwen serve`` sets it to the address it
was started on when the environment does not (library/management/commands/serve.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    """The site's address without a trailing slash, e.g. ``https://wenku.example.org``."""
    return str(settings.SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """``/d/1/`` → ``https://wenku.example.org/d/1/``; an absolute URL is returned as it is."""
    if urlsplit(path).scheme:
        return path
    return site_url() + "/" + path.lstrip("/")


def site_scheme() -> str:
    return urlsplit(site_url()).scheme or "http"


def site_domain() -> str:
    """Host, port and any path prefix: what Django's sitemaps put after ``scheme://``."""
    parts = urlsplit(site_url())
    return parts.netloc + parts.path


def serve_site_url(host: str, port: int) -> str:
    """The default for ``fanwen serve --host H --port P``: a wildcard address becomes the loopback."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)  # noqa: S104
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
