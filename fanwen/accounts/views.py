"""Sign up, log in (throttled), log out, change password, my page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from fanwen.access import selectors as access_selectors
from fanwen.accounts.forms import LoginForm, SignupForm
from fanwen.accounts.services import LoginThrottle, login_refusal_message
from fanwen.commerce import selectors as commerce_selectors
from fanwen.web.auth import uid
from fanwen.web.client_address import client_address


def login_throttled(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps a login view (ours, the admin's): a POST first reserves a slot in the failure
    counters (LoginThrottle); a refusal says how long to wait; a success gives the slot back."""

    @wraps(view)
    def throttled(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        throttle = LoginThrottle(username=str(request.POST.get("username", "")), address=client_address(request))
        wait_seconds = throttle.reserve()
        if wait_seconds is not None:
            context = {"form": LoginForm(request), "refusal": login_refusal_message(wait_seconds)}
            return render(request, "accounts/login.html", context, status=429)
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.succeeded()
        return response

    return throttled


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("/")
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "注册成功，欢迎来到范文库。")
        return HttpResponseRedirect(next_url)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
@never_cache
def me(request: HttpRequest) -> HttpResponse:
    documents = access_selectors.documents_readable_by(user=request.user)
    return render(
        request,
        "accounts/me.html",
        {
            "documents": documents,
            "wallet_fen": commerce_selectors.wallet_balance_fen(user_id=uid(request)),
            "vip_until": access_selectors.membership_active_until(user_id=uid(request)),
        },
    )
