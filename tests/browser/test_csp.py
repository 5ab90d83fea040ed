"""Pages that need script still work under the Content-Security-Policy (no inline script):
a violation is a console error, which the page watch reports."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.search.indexer import index_sync

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_search_filters_submit_on_change(new_page, planted):
    index_sync()
    page, watch = new_page()
    page.goto("/search/?q=党性分析")
    assert "script-src 'self'" in (page.context.request.get("/search/?q=x").headers.get("content-security-policy") or "")
    page.select_option("select[name=price]", "paid")
    page.wait_for_url("**price=paid**")
    assert page.locator("select[name=price]").input_value() == "paid"
    watch.assert_clean()


def test_admin_change_form_runs_its_scripts(new_page, planted):
    get_user_model().objects.create_superuser("operator", password="operator-pass-1")
    page, watch = new_page()
    page.goto("/admin/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "operator-pass-1")
    page.click("input[type=submit]")
    page.goto(f"/admin/library/document/{planted.document_id}/change/")
    page.wait_for_load_state("networkidle")
    # The admin's own JavaScript ran.
    assert page.evaluate("() => typeof django !== 'undefined' && typeof django.jQuery === 'function'")
    page.goto("/admin/library/document/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() >= 1
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
