"""The API docs render their operations in Chromium with every request off the site blocked."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_api_docs_render_operations_offline(new_page, live_server, transactional_db):
    page, watch = new_page()
    blocked: list[str] = []

    def only_this_site(route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_site)
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for(state="visible")
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/auth/token" in " ".join(summaries)
    assert len(summaries) >= 8, summaries
    assert not blocked, f"the docs page tried to reach {blocked}"
    watch.assert_clean()
