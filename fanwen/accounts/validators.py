"""Password validators whose messages Django's zh-hans catalogue does not translate."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2's message id ("… at least %d characters") no longer matches its zh-hans
    translation ("%(min_length)d"), so the stock validator answers in English."""

    def get_error_message(self) -> str:
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
