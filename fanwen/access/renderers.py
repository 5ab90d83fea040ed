"""The file formats paid text can be delivered in, and their renderers.

Each renderer is pure: ``(title=, blocks=, watermark=) -> bytes``.  PDF is offered only when
its renderer module (``fanwen/access/render_pdf.py``) is installed; until then the format is
simply not listed, and asking for it is refused like any unknown format."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fanwen.access.render_docx import render_docx

Renderer = Callable[..., bytes]


@dataclass(frozen=True)
class FileFormat:
    code: str
    label: str  # 下载 {label}
    extension: str
    content_type: str
    render: Renderer


DOCX = FileFormat(
    "docx", "Word", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_docx
)


def _pdf_renderer() -> Renderer | None:
    """The PDF renderer if its module exists (``render_pdf.render_pdf``), else None."""
    try:
        module = importlib.import_module("fanwen.access.render_pdf")
    except ModuleNotFoundError as exc:
        if exc.name == "fanwen.access.render_pdf":
            return None
        raise
    render: Renderer | None = getattr(module, "render_pdf", None)
    return render


@cache
def formats_offered() -> dict[str, FileFormat]:
    """Code → format, in the order the document page offers them."""
    offered = {"docx": DOCX}
    pdf = _pdf_renderer()
    if pdf is not None:
        offered["pdf"] = FileFormat("pdf", "PDF", "pdf", "application/pdf", pdf)
    return offered


def render(fmt: FileFormat, *, title: str, blocks: Sequence[Any], watermark: str) -> bytes:
    return fmt.render(title=title, blocks=blocks, watermark=watermark)
