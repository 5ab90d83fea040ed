"""A small crawler over the Django test client: every URL reachable from `/`, the
sitemap and the feeds, plus every GET operation of the OpenAPI document."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.test import Client

LINK_RE = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
LOC_RE = re.compile(r"<(?:loc|link|id)>([^<]+)</(?:loc|link|id)>|<link[^>]+href=\"([^\"]+)\"")
SKIP_PREFIXES = ("/admin/", "/accounts/logout/", "/static/")
SEEDS = ["/", "/sitemap.xml", "/feed/", "/feed/rss/", "/robots.txt", "/api/v1/openapi.json", "/does-not-exist/"]


@dataclass
class CrawlResult:
    bodies: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def texts(self) -> dict[str, str]:
        """Every body as a reader would see it: HTML-unescaped, JSON-decoded, URL-decoded."""
        out = {}
        for url, body in self.bodies.items():
            # Highlighting can split a word (免费<mark>可见</mark>): also look with tags removed.
            untagged = html.unescape(re.sub(r"<[^>]{0,200}>", "", body))
            variants = [body, html.unescape(body), untagged, unquote(body), self.headers.get(url, "")]
            try:
                variants.append(json.dumps(json.loads(body), ensure_ascii=False))
            except ValueError:
                pass
            out[url] = "\n".join(variants)
        return out


def readable(body: bytes) -> str:
    """The body as text; a file in a ZIP package (.docx) as every member's text, with the XML
    tags also removed (Word splits text into runs), so a canary inside a download is found."""
    if not body.startswith(b"PK\x03\x04"):
        return body.decode("utf-8", errors="replace")
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        members = [package.read(name).decode("utf-8", errors="replace") for name in package.namelist()]
    return "\n".join(members + [re.sub(r"<[^>]*>", "", member) for member in members])


def _same_site(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme and parts.netloc not in ("127.0.0.1:8000", "testserver", "127.0.0.1", "localhost:8000"):
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def openapi_get_urls(spec: dict[str, Any], *, path_values: dict[str, str], query_values: dict[str, str]) -> list[str]:
    urls = []
    for path, ops in spec.get("paths", {}).items():
        op = ops.get("get")
        if not op:
            continue
        url = path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", value)
        if "{" in url:
            raise AssertionError(f"no value for a path parameter of {path}: add it to the leak test")
        params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
        query = "&".join(f"{p['name']}={query_values.get(p['name'], '1')}" for p in params)
        urls.append(url + (f"?{query}" if query else ""))
    return urls


def crawl(client: Client, *, extra: list[str], limit: int = 400, headers: dict[str, str] | None = None) -> CrawlResult:
    result = CrawlResult()
    queue = deque(SEEDS + extra)
    seen: set[str] = set()
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, **(headers or {}))
        result.statuses[url] = response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        text = readable(body)
        result.bodies[url] = text
        result.headers[url] = "\n".join(f"{k}: {v}" for k, v in response.items())
        if response.status_code in (301, 302) and response.get("Location"):
            link = _same_site(urljoin(url, response["Location"]))
            if link:
                queue.append(link)
        for match in LINK_RE.finditer(text):
            link = _same_site(urljoin(url, html.unescape(match.group(1))))
            if link and link not in seen:
                queue.append(link)
        for match in LOC_RE.finditer(text):
            raw = match.group(1) or match.group(2)
            link = _same_site(urljoin(url, html.unescape(raw.strip())))
            if link and link not in seen:
                queue.append(link)
    return result
