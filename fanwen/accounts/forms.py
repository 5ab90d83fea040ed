from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from fanwen.accounts.services import username_refuse_bidi


class SignupForm(UserCreationForm):
    class Meta:
        model = get_user_model()
        fields = ("username",)
        labels = {"username": "用户名"}
        help_texts = {"username": "150 个字符以内，可用字母、数字和 @/./+/-/_"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(username_refuse_bidi)


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)
