from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from fanwen.notices import selectors, services
from fanwen.web.auth import uid


@login_required
@never_cache
def my_notices(request: HttpRequest) -> HttpResponse:
    """消息: the newest notices; those shown become read (the unread ones stay marked on this page)."""
    notices = selectors.notices_for(user_id=uid(request))
    services.notices_mark_read(user_id=uid(request), notice_ids=[n.pk for n in notices if n.read_at is None])
    return render(request, "notices/list.html", {"notices": notices})
