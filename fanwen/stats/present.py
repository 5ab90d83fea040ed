"""Shapes the dashboard's numbers for people: the chart's data (bucketed so it reads on a
phone) and the CSV files.  No queries here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from fanwen.core.money import fen_to_yuan
from fanwen.stats.selectors import DayRow, DocumentRow, Numbers


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str


MEASURES = (
    Measure("net", "净收益", "元"),
    Measure("reads", "阅读", "次"),
    Measure("paywall_views", "付费墙展示", "次"),
    Measure("sales", "销售", "笔"),
    Measure("refunds", "退款", "笔"),
    Measure("conversion", "转化率", "%"),
)
MEASURE_CODES = {m.code: m for m in MEASURES}
DEFAULT_MEASURE = "net"


def measure_get(raw: str | None) -> Measure:
    return MEASURE_CODES.get(raw or "", MEASURE_CODES[DEFAULT_MEASURE])


def chart_data(series: Sequence[DayRow], measure: Measure) -> dict[str, object]:
    """Horizontal bars, one per day (7 or 30 days) or per month (365 days), each with its value
    printed, so nothing needs a hover.  Values are numbers for the bars plus the text shown."""
    monthly = len(series) > 31
    buckets: list[tuple[str, Numbers]] = []
    for row in series:
        label = row.day.strftime("%Y-%m") if monthly else row.day.strftime("%m-%d")
        if not buckets or buckets[-1][0] != label:
            buckets.append((label, Numbers()))
        buckets[-1][1].add(vars(row))
    values, texts = [], []
    for _, numbers in buckets:
        value, text = _value(numbers, measure)
        values.append(value)
        texts.append(text)
    return {
        "title": f"{measure.label}（{measure.unit}，{'按月' if monthly else '按日'}）",
        "labels": [label for label, _ in buckets],
        "values": values,
        "texts": texts,
    }


def _value(numbers: Numbers, measure: Measure) -> tuple[float, str]:
    if measure.code == "net":
        return numbers.net_fen / 100, fen_to_yuan(numbers.net_fen)
    if measure.code == "conversion":
        rate = numbers.conversion
        return (0.0, "—") if rate is None else (round(rate * 100, 2), f"{rate * 100:.2f}%")
    count = getattr(numbers, measure.code)
    return count, str(count)


_NUMBER_HEAD = ["阅读", "付费墙展示", "销售笔数", "销售额（元）", "退款笔数", "退款额（元）", "净收益（元）", "转化率",
                "销售额（分）", "退款额（分）", "净收益（分）"]


def _number_cells(n: Numbers) -> list[object]:
    return [n.reads, n.paywall_views, n.sales, fen_to_yuan(n.sales_fen), n.refunds, fen_to_yuan(n.refunds_fen),
            fen_to_yuan(n.net_fen), n.conversion_text, n.sales_fen, n.refunds_fen, n.net_fen]


def csv_days(series: Iterable[DayRow]) -> bytes:
    return csv_table(["日期", *_NUMBER_HEAD], ([row.day.isoformat(), *_number_cells(row)] for row in series))


def csv_documents(documents: Iterable[DocumentRow]) -> bytes:
    return csv_table(["文档编号", "标题", *_NUMBER_HEAD],
                     ([d.document_id, cell_text(d.title), *_number_cells(d)] for d in documents))


def cell_text(text: str) -> str:
    """A title starting like a formula is kept as text in spreadsheets (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_table(head: list[str], rows: Iterable[list[object]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese headings right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")



def day_rows_html(series: Iterable[DayRow]) -> SafeString:
    """The by-day table's rows, newest first, escaped and joined here: 365 rows of 7 cells
    rendered node by node through the template engine took most of the page's time."""
    out = []
    for r in reversed(list(series)):
        cells = (r.day.strftime("%m-%d"), r.reads, r.paywall_views, r.sales, r.refunds,
                 "¥" + fen_to_yuan(r.net_fen), r.conversion_text)
        zero = "" if r.reads or r.sales or r.refunds else ' class="zero"'
        out.append(f"<tr{zero}>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 (every cell escaped above)


def document_rows_html(documents: Iterable[DocumentRow], *, days: int) -> SafeString:
    out = []
    for d in documents:
        cells = (d.reads, d.sales, d.refunds, "¥" + fen_to_yuan(d.net_fen), d.conversion_text)
        out.append(f'<tr><td class="title"><a href="/studio/stats/{int(d.document_id)}/?days={int(days)}">'
                   f"{escape(d.title)}</a></td>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 (every cell escaped above)
