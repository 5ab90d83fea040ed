"""How long the worst uploads hold a request worker (issue #9, item 6).

    .venv/bin/python bench/upload_bench.py

In one process on a fresh embedded data directory (SQLite, file cache), a signed-in author
posts through the whole Django stack (middleware, form, parse, import):

1. the issue's file: 400,000 one-character lines (1.6 MB) -- refused by the block limit;
2. the largest accepted file of short lines: 5,000 one-character paragraphs;
3. the largest accepted file by size: 5,000 paragraphs of 300 characters (4.5 MB);
then, for the last document, the author's preview page and the admin change page.
Each step runs --rounds times (default 3, on fresh documents); the JSON in bench/out/
has every time, the median is printed.
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
OUT_DIR = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["FANWEN_DATA_DIR"] = tempfile.mkdtemp(prefix="fanwen-upload-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    os.environ["FANWEN_UPLOADS_PER_HOUR"] = "1000"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    author = get_user_model().objects.create_user("author", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(author)

    def upload(body: str, n: int) -> tuple[float, int, str]:
        data = f"标题{n}\n{body}".encode()
        start = time.perf_counter()
        response = client.post("/me/upload/", {"file": SimpleUploadedFile(f"f{n}.txt", data), "price": ""})
        return time.perf_counter() - start, response.status_code, response.get("Location", "")

    def get(url: str) -> float:
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        return time.perf_counter() - start

    from fanwen.library.models import Document

    cases = {
        "issue_400k_lines_refused": ("字\n" * 400_000, 400),
        "5000_short_blocks": ("字\n" * 5000, 302),
        "5000_blocks_of_300_chars": (("字" * 300 + "\n") * 5000, 302),
    }
    results: dict[str, list[float]] = {name: [] for name in [*cases, "author_preview_page", "admin_change_page"]}
    n = 0
    for _ in range(args.rounds):
        for name, (body, status) in cases.items():
            n += 1
            seconds, got, _ = upload(body, n)
            assert got == status, (name, got)
            results[name].append(seconds)
        last = Document.objects.order_by("-id").first()
        assert last is not None
        results["author_preview_page"].append(get(f"/d/{last.pk}/"))
        results["admin_change_page"].append(get(f"/admin/library/document/{last.pk}/change/"))
    summary = {name: round(statistics.median(times), 3) for name, times in results.items()}
    OUT_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    payload = {"median_seconds": summary, "seconds": results, "rounds": args.rounds}
    for path in (OUT_DIR / f"upload-{stamp}.json", OUT_DIR / "upload-latest.json"):
        path.write_text(json.dumps(payload, indent=2))
    for name, seconds in summary.items():
        print(f"{name:28s} {seconds:7.3f} s")


if __name__ == "__main__":
    main()
