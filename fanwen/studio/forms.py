"""The studio's forms: the upload (the library's upload checks) and the draft's details."""

from __future__ import annotations

from typing import Any

from django import forms

from fanwen.library.models import Category
from fanwen.library.uploads import UploadForm


class StudioUploadForm(UploadForm):
    """Only the file: the details are set on the draft, after the author has seen it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("category", "price", "tags"):
            del self.fields[name]
        self.fields["file"].help_text = "支持 .txt .md .docx；第一行为标题。上传后可以在页面上划定付费部分"


class CategoryChoice(forms.ModelChoiceField):
    """Each option names the median price of its published paid documents (the price hint)."""

    def __init__(self, *args: Any, medians: dict[int, tuple[int, int]], **kwargs: Any) -> None:
        self.medians = medians
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        found = self.medians.get(obj.pk)
        return obj.name if found is None else f"{obj.name}（中位价 ¥{found[0] // 100}.{found[0] % 100:02d}）"


class DraftForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False)
    tags = forms.CharField(label="标签", max_length=200, required=False, help_text="空格或逗号分隔")
    price = forms.CharField(label="价格（元）", max_length=12, required=False, help_text="含付费部分时必填，如 5.00")
    paid_from = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    move = forms.IntegerField(min_value=1, required=False)
    action = forms.ChoiceField(choices=[("save", "保存"), ("submit", "提交审核"), ("discard", "删除")], required=False)

    def __init__(self, *args: Any, medians: dict[int, tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryChoice(
            label="分类", queryset=Category.objects.order_by("position", "id"), required=False,
            empty_label="（请选择）", to_field_name="slug", medians=medians,
        )

    clean_price = UploadForm.clean_price  # the upload form's price rules and messages (0 is refused on save)
