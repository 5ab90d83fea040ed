"""The PDF download's renderer: A4 公文 layout, text that pdftotext gives back in order, the
watermark on every page (footer text and diagonal mark), embedded subset fonts, escaped text.

Oracle: the blocks rendered, read back out of the PDF with poppler's tools."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import weasyprint

from fanwen.access.gate import ShownBlock
from fanwen.access.render_pdf import DATA_ONLY_FETCHER, PAGE_CSS, document_html, render_pdf
from fanwen.core import reader, structure
from tests.conftest import EXAMPLES

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdffonts", "pdfimages"))
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils is not installed (make install installs it)"
)

WATERMARK = "范文库 · zhangsan · 订单 202611300001 · 仅供个人学习使用"
PAGE_NUMBER_RE = re.compile(r"^—\s*\d+\s*—$")
HOSTILE = [
    "一、<script>alert('x')</script>标题",
    '正文</p><p style="color:red">注入 &amp; &lt;b&gt; <img src="file:///etc/passwd">',
]


def shown_blocks(texts: list[str]) -> list[ShownBlock]:
    infos = structure.analyse(texts)
    return [
        ShownBlock(anchor=f"b{i}", text=text, paid=False, kind=info.kind, level=info.level, lead=info.lead)
        for i, (text, info) in enumerate(zip(texts, infos, strict=True))
    ]


def squeeze(text: str) -> str:
    return "".join(text.split())


def poppler(*args: str | Path) -> str:
    return subprocess.run(args, capture_output=True, check=True, text=True).stdout


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[ShownBlock], Path]:
    document = reader.read_path(sorted(EXAMPLES.glob("*.txt"))[0])
    blocks = shown_blocks([b.text for b in document.blocks])
    path = tmp_path_factory.mktemp("pdf") / "example.pdf"
    path.write_bytes(render_pdf(title=document.title, blocks=blocks, watermark=WATERMARK))
    return document.title, blocks, path


def page_count(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", path), re.M).group(1))  # type: ignore[union-attr]


def test_the_file_is_a_pdf(example: tuple[str, list[ShownBlock], Path]) -> None:
    assert example[2].read_bytes().startswith(b"%PDF-")


@needs_poppler
def test_every_page_is_a4(example: tuple[str, list[ShownBlock], Path]) -> None:
    path = example[2]
    pages = page_count(path)
    assert pages >= 3, "the example must run over several pages for the per-page checks to mean anything"
    sizes = re.findall(
        r"^Page\s+\d+ size:\s+(.*)$", poppler("pdfinfo", "-f", "1", "-l", str(pages), path), re.M
    )
    assert len(sizes) == pages
    assert all(size.startswith("595.276 x 841.89 pts") for size in sizes), sizes


@needs_poppler
def test_pdftotext_gives_back_the_title_and_blocks_in_order(
    example: tuple[str, list[ShownBlock], Path],
) -> None:
    title, blocks, path = example
    lines = poppler("pdftotext", "-enc", "UTF-8", path, "-").splitlines()
    kept = [
        line
        for line in lines
        if squeeze(line) != squeeze(WATERMARK) and not PAGE_NUMBER_RE.match(line.strip())
    ]
    assert squeeze("".join(kept)) == squeeze(title + "".join(b.text for b in blocks))


@needs_poppler
def test_each_page_has_the_footer_watermark_its_number_and_the_diagonal_mark(
    example: tuple[str, list[ShownBlock], Path],
) -> None:
    path = example[2]
    pages = page_count(path)
    for page in range(1, pages + 1):
        text = poppler("pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), path, "-")
        assert squeeze(WATERMARK) in squeeze(text), f"page {page} lacks the footer watermark"
        assert f"—{page}—" in squeeze(text), f"page {page} lacks its number"
    # pdfimages -list: one row per image with its page number in the first column
    image_rows = poppler("pdfimages", "-list", path).splitlines()[2:]
    assert {int(row.split()[0]) for row in image_rows} == set(range(1, pages + 1))


@needs_poppler
def test_fonts_are_embedded_and_subset(example: tuple[str, list[ShownBlock], Path]) -> None:
    rows = poppler("pdffonts", example[2]).splitlines()[2:]
    assert rows, "the PDF names no fonts"
    assert any("CJK" in row for row in rows)
    for row in rows:
        # name type… encoding emb sub uni object-id generation
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


@needs_poppler
def test_markup_in_the_text_is_shown_as_text(tmp_path: Path) -> None:
    title = "<b>标题</b></title>"
    watermark = '范文库 · "><script>x</script> · 订单 1 · 仅供个人学习使用'
    path = tmp_path / "hostile.pdf"
    path.write_bytes(render_pdf(title=title, blocks=shown_blocks(HOSTILE), watermark=watermark))
    text = squeeze(poppler("pdftotext", "-enc", "UTF-8", path, "-"))
    for piece in [title, watermark, *HOSTILE]:
        assert squeeze(piece) in text


def test_the_html_escapes_every_piece_of_text() -> None:
    html = document_html(title="<b>t</b>", blocks=shown_blocks(HOSTILE), watermark='"><i>', mark_png=b"")
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert '<p style="color:red">' not in html and '<img src="file:' not in html


def test_the_engine_fetches_nothing_but_data_urls() -> None:
    for url in ("file:///etc/hostname", "https://example.com/font.woff", "http://127.0.0.1/x.css"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            DATA_ONLY_FETCHER.fetch(url)


def test_headings_become_the_pdf_outline() -> None:
    texts = ["一、总体要求", "（一）基本原则。坚持问题导向。", "正文段落。", "二、主要任务"]
    html = document_html(title="标题", blocks=shown_blocks(texts), watermark="水印", mark_png=b"")
    document = weasyprint.HTML(string=html, url_fetcher=DATA_ONLY_FETCHER).render(
        stylesheets=[weasyprint.CSS(string=PAGE_CSS)]
    )
    [(title, _, chapters, _)] = document.make_bookmark_tree()
    assert title == "标题"
    assert [(c[0], [s[0] for s in c[2]]) for c in chapters] == [
        ("一、总体要求", ["（一）基本原则。"]),
        ("二、主要任务", []),
    ]
