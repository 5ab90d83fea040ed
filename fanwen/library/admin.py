from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from fanwen.library import services
from fanwen.library.models import Block, Category, Document


class BlockInline(admin.TabularInline):
    """Read-only and capped: the first SHOWN_BLOCKS blocks (the whole text is on the document page)."""

    SHOWN_BLOCKS = 50
    model = Block
    verbose_name_plural = f"段落（只显示前 {SHOWN_BLOCKS} 段，全文见文档页）"
    fields = ("position", "paid", "kind", "level", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("position",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Block]:
        return super().get_queryset(request).filter(position__lt=self.SHOWN_BLOCKS)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "category", "author", "price_fen", "chars_free", "chars_paid", "status", "views", "created_at")
    list_filter = ("status", "category")
    search_fields = ("title", "source_name")
    readonly_fields = ("chars_free", "chars_paid", "sections_free", "sections_paid", "summary", "content_hash",
                       "source_name", "views", "created_at", "updated_at")
    fields = ("title", "category", "tags", "author", "price_fen", "status", *readonly_fields)
    raw_id_fields = ("author",)
    inlines = [BlockInline]
    actions = ["unpublish", "publish"]

    @admin.action(description="下架所选文档")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            services.document_set_status(document_id=pk, status=Document.Status.UNPUBLISHED)
        messages.success(request, "已下架")

    @admin.action(description="发布所选文档")
    def publish(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            services.document_set_status(document_id=pk, status=Document.Status.PUBLISHED)
        messages.success(request, "已发布")

    def save_model(self, request: HttpRequest, obj: Document, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        from fanwen.search.services import index_outbox_record

        index_outbox_record(document_id=obj.pk)
        services.document_page_cache_clear(document_id=obj.pk)

    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        services.document_delete(document_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.document_delete(document_id=pk)
