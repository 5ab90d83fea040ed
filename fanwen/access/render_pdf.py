"""PDF downloads laid out as Chinese official documents (GB/T 9704), rendered by WeasyPrint.

:func:`render_pdf` turns what one reader may see (the gate's ``ShownBlock`` list) into a PDF.
It neither asks the gate nor records anything: the caller (the one output function) does.

Layout, as far as the fonts Debian ships allow (fonts-noto-cjk; no 方正 or 中易 fonts):

- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
- title 二号 (22 pt), centred, in Noto Serif CJK SC Bold: the stand-in for 方正小标宋简体;
- body 三号 (16 pt), fixed 28 pt lines, first-line indent of two characters, in Noto Serif
  CJK SC: the stand-in for 仿宋_GB2312 (both are serif 宋/仿宋 forms);
- level-1 headings (一、) in Noto Sans CJK SC, the stand-in for 黑体 (both sans);
- level-2 headings (（一）) in Noto Serif CJK SC: there is no 楷体 in Debian's CJK fonts;
- level-3 headings (1.) in the body font, bold (GB/T 9704 practice for 仿宋 加粗);
- a heading that runs on into body text (``（一）小标题。正文……``) stays one paragraph, as 公文
  print it, with only the heading in the heading font;
- page numbers "— N —" at the foot (odd pages right, even pages left, one character in);
- the watermark as text in the footer of every page, and once more as a light diagonal mark
  across every page: a ``position: fixed`` image, which WeasyPrint repeats on each page.  The
  diagonal mark is a picture (drawn with Pillow from Noto Sans CJK SC), not text: rotated
  text would be read by ``pdftotext`` in among the lines of the body and scramble them.

WeasyPrint embeds and subsets the fonts and writes real text, so ``pdftotext`` gives the
characters back in reading order.  Every piece of text is escaped (it is user content), and the
engine fetches nothing but the ``data:`` image it is given: the stylesheet names fonts through
fontconfig, and the URL fetcher refuses every other scheme, so a document can never make the
renderer read a file or the network.

What does not depend on the reader (the font configuration, the parsed stylesheet and the
watermark font) is built once per thread and reused: neither WeasyPrint's Pango font map nor a
Pillow font is shared between threads.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from html import escape
from typing import NamedTuple, Protocol

from PIL import Image, ImageDraw, ImageFont
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration


class ShownBlockLike(Protocol):
    """What the renderer reads of a block (``fanwen.access.gate.ShownBlock`` is one)."""

    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...  # heading | point | paragraph
    @property
    def level(self) -> int: ...
    @property
    def heading_text(self) -> str: ...
    @property
    def heading_rest(self) -> str: ...


SERIF = '"Noto Serif CJK SC", "Noto Serif CJK", serif'
SANS = '"Noto Sans CJK SC", "Noto Sans CJK", sans-serif'

PAGE_CSS = f"""
html {{ string-set: watermark attr(data-watermark); }}
@page {{
  size: A4;
  margin: 37mm 26mm 35mm 28mm;
  @bottom-center {{
    content: string(watermark);
    vertical-align: bottom; padding-bottom: 12mm;
    font: 9pt/12pt {SANS}; color: #777; white-space: nowrap;
  }}
}}
@page :right {{
  @bottom-right {{
    content: "— " counter(page) " —";
    vertical-align: top; padding-top: 7mm; padding-right: 1em;
    font: 14pt/14pt {SERIF}; white-space: nowrap;
  }}
}}
@page :left {{
  @bottom-left {{
    content: "— " counter(page) " —";
    vertical-align: top; padding-top: 7mm; padding-left: 1em;
    font: 14pt/14pt {SERIF}; white-space: nowrap;
  }}
}}
html {{ font-family: {SERIF}; font-size: 16pt; line-height: 28pt; color: #000; }}
body {{ margin: 0; }}
h1 {{
  font-family: {SERIF}; font-weight: bold; font-size: 22pt; line-height: 36pt;
  text-align: center; margin: 0 0 28pt; bookmark-level: 1;
}}
p {{ margin: 0; text-indent: 2em; text-align: justify; orphans: 2; widows: 2; }}
p.heading {{ break-after: avoid; bookmark-label: attr(data-outline); }}
p.h1 {{ bookmark-level: 2; }}
p.h2 {{ bookmark-level: 3; }}
p.h3 {{ bookmark-level: 4; }}
p.h1 .lead {{ font-family: {SANS}; }}
p.h2 .lead {{ font-family: {SERIF}; }}
p.h3 .lead {{ font-weight: bold; }}
.diagonal-mark {{ position: fixed; left: 3mm; top: 105mm; width: 150mm; transform: rotate(-30deg); }}
"""

# Debian's fonts-noto-cjk (installed by `make install`); face 2 of the collection is the SC one.
MARK_FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
MARK_FONT_INDEX = 2
MARK_FONT_PX = 40  # about 170 dpi at the size it is shown
MARK_ALPHA = 40  # of 255: a light mark the body reads through

# The only URLs in a document are the data: image of its diagonal mark; anything else is refused.
DATA_ONLY_FETCHER = URLFetcher(allowed_protocols=frozenset({"data"}))
_per_thread = threading.local()


class _Engine(NamedTuple):
    font_config: FontConfiguration
    stylesheet: CSS
    mark_font: ImageFont.FreeTypeFont


def _engine() -> _Engine:
    """What every PDF shares, built once per thread."""
    engine: _Engine | None = getattr(_per_thread, "engine", None)
    if engine is None:
        font_config = FontConfiguration()
        engine = _Engine(
            font_config,
            CSS(string=PAGE_CSS, font_config=font_config, url_fetcher=DATA_ONLY_FETCHER),
            ImageFont.truetype(MARK_FONT_FILE, MARK_FONT_PX, index=MARK_FONT_INDEX),
        )
        _per_thread.engine = engine
    return engine


def diagonal_mark_png(watermark: str) -> bytes:
    """The watermark drawn in light grey on a transparent ground; the stylesheet turns it to a
    diagonal (a transform in the PDF costs nothing, turning the pixels here would)."""
    font = _engine().mark_font
    left, top, right, bottom = (int(v) for v in font.getbbox(watermark))
    pad = MARK_FONT_PX // 2
    image = Image.new("LA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0))
    ImageDraw.Draw(image).text((pad - left, pad - top), watermark, font=font, fill=(0, MARK_ALPHA))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _block_html(block: ShownBlockLike) -> str:
    if block.kind == "heading":
        lead, rest = block.heading_text, block.heading_rest
        level = min(max(block.level, 1), 3)
        return (
            f'<p class="heading h{level}" data-outline="{escape(lead)}">'
            f'<span class="lead">{escape(lead)}</span>{escape(rest)}</p>'
        )
    return f"<p>{escape(block.text)}</p>"


def document_html(*, title: str, blocks: Sequence[ShownBlockLike], watermark: str, mark_png: bytes) -> str:
    """The HTML the engine lays out (the stylesheet is separate: :data:`PAGE_CSS`)."""
    body = "\n".join(_block_html(block) for block in blocks)
    mark_src = "data:image/png;base64," + base64.b64encode(mark_png).decode("ascii")
    return (
        f'<!DOCTYPE html><html lang="zh-CN" data-watermark="{escape(watermark)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>"
        f'<img class="diagonal-mark" alt="" src="{mark_src}">'
        f"<h1>{escape(title)}</h1>\n{body}</body></html>"
    )


def render_pdf(*, title: str, blocks: Sequence[ShownBlockLike], watermark: str) -> bytes:
    """The PDF of ``blocks`` under ``title``, with ``watermark`` on every page."""
    engine = _engine()
    mark_png = diagonal_mark_png(watermark)
    html = HTML(
        string=document_html(title=title, blocks=blocks, watermark=watermark, mark_png=mark_png),
        url_fetcher=DATA_ONLY_FETCHER,
    )
    pdf: bytes = html.write_pdf(stylesheets=[engine.stylesheet], font_config=engine.font_config)
    return pdf
