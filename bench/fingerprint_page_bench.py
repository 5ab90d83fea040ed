"""The entitled reader's document page with the light fingerprint vs without (issue #10):
p50 of GET /d/<id>/ for a buyer, FANWEN_FINGERPRINT=light and =off interleaved in one run, on
the embedded profile with the Django test client in process.  Target: ratio <= 1.3.

    .venv/bin/python bench/fingerprint_page_bench.py --requests 400
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.download_bench import document_text, percentile, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "fingerprint_page.json"))
    args = parser.parse_args()
    os.environ["FANWEN_DATA_DIR"] = tempfile.mkdtemp(prefix="fanwen-fpbench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings

    from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
    from fanwen.core.fingerprint import CARRIERS
    from fanwen.core.format import parse_text
    from fanwen.library.models import Document
    from fanwen.library.services import document_import
    from tests.commerce.factories import make_user

    call_command("migrate", verbosity=0)
    doc = Document.objects.get(pk=document_import(parsed=parse_text(document_text()), price_fen=500).document_id)
    buyer = make_user("bench-buyer")
    wallet_credit(user=buyer, amount_fen=500, reason="bench")
    order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(buyer)
    url = f"/d/{doc.pk}/"

    def page(mode: str) -> None:
        with override_settings(FANWEN_FINGERPRINT=mode):
            response = client.get(url)
        assert response.status_code == 200
        assert any(c in response.content.decode() for c in CARRIERS) == (mode == "light")

    for mode in ("off", "light"):
        timed(lambda m=mode: page(m), 10)  # type: ignore[misc]  # warm up
    rounds: dict[str, list[float]] = {"off": [], "light": []}
    for _ in range(8):  # interleaved, so noise hits both alike
        for mode in ("off", "light"):
            rounds[mode] += timed(lambda m=mode: page(m), args.requests // 8)  # type: ignore[misc]
    p50 = {mode: statistics.median(v) for mode, v in rounds.items()}
    result = {
        "document_chars": doc.chars_total,
        "paid_chars": doc.chars_paid,
        "requests_each": len(rounds["off"]),
        "without_fingerprint_p50_ms": round(p50["off"], 2),
        "with_fingerprint_p50_ms": round(p50["light"], 2),
        "without_fingerprint_p90_ms": round(percentile(rounds["off"], 0.9), 2),
        "with_fingerprint_p90_ms": round(percentile(rounds["light"], 0.9), 2),
        "ratio_p50": round(p50["light"] / p50["off"], 3),
        "target_ratio": 1.3,
    }
    result["pass"] = result["ratio_p50"] <= 1.3
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
