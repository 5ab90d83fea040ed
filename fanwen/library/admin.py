"""The library in the admin.  Every write goes through a service (audited); status changes are
actions (publish, unpublish, takedown with a reason), prices are typed in 元."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from fanwen.commerce.services import CommerceError, entitlement_grant
from fanwen.commerce.services.takedowns import document_takedown
from fanwen.library import services
from fanwen.library.models import Block, Category, Document
from fanwen.web.admin_fields import YuanField, id_column, yuan_column

PREVIEW_BLOCKS = 200


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        fields = services.CATEGORY_FIELDS if not change else [f for f in form.changed_data if f in services.CATEGORY_FIELDS]
        saved = services.category_save(
            category_id=obj.pk if change else None,
            values={f: form.cleaned_data[f] for f in fields},
            actor=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.category_delete(category_id=obj.pk, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.category_delete(category_id=pk, actor=request.user)


class DocumentForm(forms.ModelForm):
    price_yuan = YuanField(label="价格（元）", max_fen=services.MAX_PRICE_FEN)

    class Meta:
        model = Document
        fields = ("title", "category", "tags", "author")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.has_paid:
            self.fields["price_yuan"].initial = self.instance.price_yuan
        else:  # nothing to sell: the price stays 0
            del self.fields["price_yuan"]


class TakedownForm(forms.Form):
    reason = forms.CharField(label="下架原因（买家会在订单中看到）", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class GrantForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)

    def clean_username(self) -> Any:
        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise forms.ValidationError("没有这个用户")
        return user


def ask_then_apply(admin_: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], *, form: forms.Form,
                   action: str, title: str, submit: str) -> HttpResponse:
    """The intermediate page of an action that needs one more answer (a reason, a user)."""
    context = {
        **admin_.admin_site.each_context(request), "title": title, "objects": list(queryset),
        "form": form, "action": action, "submit": submit, "opts": admin_.model._meta,
    }
    return TemplateResponse(request, "admin/fanwen_action_form.html", context)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = (id_column, "title", "category", "author", yuan_column("price_fen", "价格"), "chars_free", "chars_paid", "status", "views",
                    "created_at")
    list_filter = ("status", "category")
    search_fields = ("title", "source_name")
    readonly_fields = ("status", "takedown_reason", "chars_free", "chars_paid", "sections_free", "sections_paid",
                       "summary", "content_hash", "source_name", "views", "created_at", "updated_at", "blocks_preview")
    fields = ("title", "category", "tags", "author", "price_yuan", *readonly_fields)
    raw_id_fields = ("author",)
    actions = ["publish", "unpublish", "takedown", "grant"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        return fields if obj is not None and obj.has_paid else [f for f in fields if f != "price_yuan"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents come from `fanwen import` and uploads, with their blocks

    @admin.display(description="正文预览（付费段落标为【付费】）")
    def blocks_preview(self, obj: Document) -> str:
        blocks = Block.objects.filter(document=obj).order_by("position").values_list("paid", "text")[:PREVIEW_BLOCKS]
        rows = format_html_join("", "<p>{}{}</p>", (("【付费】" if paid else "", text) for paid, text in blocks))
        total = Block.objects.filter(document=obj).count()
        more = format_html("<p>……共 {} 段，仅显示前 {} 段</p>", total, PREVIEW_BLOCKS) if total > PREVIEW_BLOCKS else ""
        return format_html("{}{}", rows, more)

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        data = form.cleaned_data
        services.document_update_details(
            document_id=obj.pk, actor=request.user, title=data["title"], tags=data["tags"],
            category_id=data["category"].pk if data["category"] else None,
            author_id=data["author"].pk if data["author"] else None,
        )
        if "price_yuan" in data:
            services.document_set_price(document_id=obj.pk, price_fen=data["price_yuan"], actor=request.user)

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Document], status: str, done: str) -> None:
        changed = sum(
            services.document_set_status(document_id=pk, status=status, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        messages.success(request, f"{done} {changed} 篇")

    @admin.action(description="发布所选文档")
    def publish(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self._set_status(request, queryset, Document.Status.PUBLISHED, "已发布")

    @admin.action(description="下架所选文档（已购买的读者仍可阅读）")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self._set_status(request, queryset, Document.Status.UNPUBLISHED, "已下架")

    @admin.action(description="侵权下架所选文档（所有人不可见，全额退款所有买家）")
    def takedown(self, request: HttpRequest, queryset: QuerySet[Document]) -> HttpResponse | None:
        form = TakedownForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return ask_then_apply(self, request, queryset, form=form, action="takedown",
                                  title="侵权下架：填写原因", submit="侵权下架并全额退款")
        for pk in queryset.values_list("pk", flat=True):
            try:
                result = document_takedown(document_id=pk, reason=form.cleaned_data["reason"], actor=request.user)
            except CommerceError as exc:
                messages.error(request, f"#{pk}: {exc.message}")
                continue
            messages.success(request, f"#{pk}: 已侵权下架；退款完成 {len(result.refunded)} 笔，"
                                      f"退款处理中 {len(result.refund_pending)} 笔")
            for number, reason in result.failed.items():
                messages.error(request, f"#{pk} 订单 {number} 未能退款：{reason}")
        return None

    @admin.action(description="赠送所选文档给一位用户")
    def grant(self, request: HttpRequest, queryset: QuerySet[Document]) -> HttpResponse | None:
        form = GrantForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return ask_then_apply(self, request, queryset, form=form, action="grant",
                                  title="赠送阅读权限", submit="赠送")
        user = form.cleaned_data["username"]
        for pk in queryset.values_list("pk", flat=True):
            _, created = entitlement_grant(user_id=user.pk, document_id=pk, actor=request.user)
            messages.success(request, f"#{pk}: {'已赠送给' if created else '早已赠送给'} {user.get_username()}")
        return None

    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        services.document_delete(document_id=obj.pk, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.document_delete(document_id=pk, actor=request.user)

from fanwen.library import admin_versions  # noqa: E402,F401  (registers DocumentVersion)
