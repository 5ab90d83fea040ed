"""Sign up, log in (throttled), log out, change password, my page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from fanwen.accounts.forms import LoginForm, SignupForm
from fanwen.accounts.services import Throttle
from fanwen.commerce import selectors as commerce_selectors
from fanwen.web.auth import uid


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


class ThrottledLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = Throttle(username=str(request.POST.get("username", "")), address=client_address(request))
        if not throttle.attempt():
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(self.get_context_data(form=form, throttled=True), status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            throttle.succeeded()
        return response


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
    documents = commerce_selectors.documents_readable_by(user=request.user)
    return render(
        request,
        "accounts/me.html",
        {
            "documents": documents,
            "wallet_fen": commerce_selectors.wallet_balance_fen(user_id=uid(request)),
            "vip_until": commerce_selectors.membership_active_until(user_id=uid(request)),
        },
    )
