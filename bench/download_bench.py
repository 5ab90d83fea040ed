"""Word download, end to end through the view (issue #10): p50 of GET /d/<id>/download/docx/
and of the API's download for a buyer, on the embedded profile (SQLite file in a fresh data
dir), with the Django test client in process.  Target: p50 <= 50 ms.  For context, the bare
renderer on the same blocks is timed in the same run.

    .venv/bin/python bench/download_bench.py --requests 200
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = ["一、总体情况", "（一）主要做法", "（二）取得成效", "二、存在问题", "（一）思想认识", "三、原因分析",
            "四、整改措施", "（一）强化理论学习"]
SENTENCE = "坚持以习近平新时代中国特色社会主义思想为指导，认真落实各项工作部署，推动工作取得新成效。"


def document_text(chars: int = 5000) -> str:
    """A 5,000-character document with 8 headings, the paid part starting at the fourth."""
    per_section = (chars - sum(map(len, HEADINGS))) // len(HEADINGS)
    lines = ["关于二〇二五年度工作情况的总结报告"]
    for i, heading in enumerate(HEADINGS):
        lines.append(("##paidbegin##" if i == 3 else "") + heading)
        body = (SENTENCE * (per_section // len(SENTENCE) + 1))[:per_section]
        lines.extend(body[j : j + 180] for j in range(0, len(body), 180))
    return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(call, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "download.json"))
    args = parser.parse_args()
    os.environ["FANWEN_DATA_DIR"] = tempfile.mkdtemp(prefix="fanwen-downloadbench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    os.environ["FANWEN_DOWNLOADS_PER_DAY"] = str(10 * args.requests + 100)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from fanwen.access import gate
    from fanwen.access.render_docx import render_docx
    from fanwen.accounts.services import api_token_create
    from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
    from fanwen.core.format import parse_text
    from fanwen.library.models import Document
    from fanwen.library.services import document_import
    from tests.commerce.factories import make_user

    call_command("migrate", verbosity=0)
    text = document_text()
    doc = Document.objects.get(pk=document_import(parsed=parse_text(text), price_fen=500).document_id)
    buyer = make_user("bench-buyer")
    wallet_credit(user=buyer, amount_fen=500, reason="bench")
    order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)
    page_client = Client(HTTP_HOST="127.0.0.1")
    page_client.force_login(buyer)
    api_client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=buyer)}")
    page_url, api_url = f"/d/{doc.pk}/download/docx/", f"/api/v1/documents/{doc.pk}/download?format=docx"
    blocks = gate.gated_view(buyer, doc).blocks

    def page() -> None:
        assert page_client.get(page_url).status_code == 200

    def api() -> None:
        assert api_client.get(api_url).status_code == 200

    def bare() -> None:
        render_docx(title=doc.title, blocks=blocks, watermark="范文库 · bench-buyer · 订单 1 · 仅供个人学习使用")

    for call in (page, api, bare):
        timed(call, 10)  # warm up
    rounds: dict[str, list[float]] = {"page": [], "api": [], "bare_render": []}
    for _ in range(4):  # interleaved, so noise hits all three alike
        rounds["page"] += timed(page, args.requests // 4)
        rounds["api"] += timed(api, args.requests // 4)
        rounds["bare_render"] += timed(bare, args.requests // 4)
    result = {
        "document_chars": doc.chars_total,
        "headings": sum(1 for line in text.splitlines() if line.removeprefix("##paidbegin##") in HEADINGS),
        "requests_each": len(rounds["page"]),
        **{f"{name}_p50_ms": round(statistics.median(v), 2) for name, v in rounds.items()},
        **{f"{name}_p90_ms": round(percentile(v, 0.9), 2) for name, v in rounds.items()},
        "target_p50_ms": 50,
    }
    result["pass"] = result["page_p50_ms"] <= 50 and result["api_p50_ms"] <= 50
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
