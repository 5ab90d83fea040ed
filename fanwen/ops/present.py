"""Shapes the operator dashboard's numbers for people: chart data (horizontal bars with their
values printed, the author dashboard's look, drawn by fanwen/barcharts.js), table rows and CSV.  The
CSV writer is the author dashboard's (``stats.present.csv_table``).  No queries here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from fanwen.core.money import fen_to_yuan
from fanwen.ops.selectors import Dashboard, OpsDay
from fanwen.stats.present import cell_text, csv_table


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    money: bool = False


MEASURES = (
    Measure("paid_fen", "销售额", "元", money=True),
    Measure("paid", "支付订单", "笔"),
    Measure("refunds_fen", "退款额", "元", money=True),
    Measure("refunds", "退款", "笔"),
    Measure("users", "新用户", "人"),
    Measure("uploads", "上传", "篇"),
    Measure("pending", "待审核（按上传日）", "篇"),
    Measure("reads", "文档浏览", "次"),
    Measure("checkouts", "下单（文档）", "笔"),
)
MEASURE_CODES = {m.code: m for m in MEASURES}


def measure_get(raw: str | None) -> Measure:
    return MEASURE_CODES.get(raw or "", MEASURES[0])


def _text(value: int, measure: Measure) -> str:
    return fen_to_yuan(value) if measure.money else str(value)


def chart_by_day(series: Sequence[OpsDay], measure: Measure) -> dict[str, object]:
    """One bar per day (7 or 30 days) or per month (365 days)."""
    monthly = len(series) > 31
    labels: list[str] = []
    values: list[int] = []
    for row in series:
        label = row.day.strftime("%Y-%m") if monthly else row.day.strftime("%m-%d")
        if not labels or labels[-1] != label:
            labels.append(label)
            values.append(0)
        values[-1] += int(getattr(row, measure.code))
    return {
        "title": f"{measure.label}（{measure.unit}，{'按月' if monthly else '按日'}）",
        "labels": labels,
        "values": [v / 100 for v in values] if measure.money else values,
        "texts": [_text(v, measure) for v in values],
    }


def funnel(totals: OpsDay) -> list[tuple[str, int, str]]:
    """The reading funnel: each step with its share of the step before."""
    steps = [("文档浏览", totals.reads), ("付费墙展示", totals.paywall_views), ("下单", totals.checkouts),
             ("支付", totals.checkouts_paid)]
    out = []
    for i, (label, value) in enumerate(steps):
        before = steps[i - 1][1] if i else 0
        out.append((label, value, "—" if not i else (f"{value / before * 100:.1f}%" if before else "—")))
    return out


def chart_bars(title: str, rows: Sequence[tuple[str, int]]) -> dict[str, object]:
    return {"title": title, "labels": [label[:16] for label, _ in rows], "values": [v for _, v in rows],
            "texts": [str(v) for _, v in rows]}


def day_rows_html(series: Sequence[OpsDay]) -> SafeString:
    """The by-day table, newest first, every cell escaped here (365 rows render fast)."""
    out = []
    for r in reversed(series):
        cells = (r.day.strftime("%m-%d"), r.paid, "¥" + fen_to_yuan(r.paid_fen), r.refunds, "¥" + fen_to_yuan(r.refunds_fen),
                 r.users, r.uploads, r.pending, r.reads, r.paywall_views, r.checkouts)
        zero = "" if r.paid or r.users or r.uploads or r.reads else ' class="zero"'
        out.append(f"<tr{zero}>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 (every cell escaped above)


_HEAD = ["日期", "支付订单", "销售额（元）", "退款笔数", "退款额（元）", "新用户", "上传", "其中待审核", "文档浏览",
         "付费墙展示", "下单（文档）", "其中已支付", "销售额（分）", "退款额（分）"]


def csv_days(board: Dashboard) -> bytes:
    return csv_table(_HEAD, ([r.day.isoformat(), r.paid, fen_to_yuan(r.paid_fen), r.refunds, fen_to_yuan(r.refunds_fen),
                              r.users, r.uploads, r.pending, r.reads, r.paywall_views, r.checkouts, r.checkouts_paid,
                              r.paid_fen, r.refunds_fen] for r in board.series))


def csv_searches(board: Dashboard) -> bytes:
    rows = [["热门搜索", cell_text(q), n] for q, n in board.top_queries]
    rows += [["无结果搜索", cell_text(q), n] for q, n in board.zero_queries]
    return csv_table(["类别", "搜索词", "次数"], rows)


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时"
    return f"{minutes // (24 * 60)} 天"
