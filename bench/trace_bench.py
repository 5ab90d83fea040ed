"""`fanwen trace` with 100,000 deliveries on record (issue #10): target ≤ 1 s for a
300-character excerpt.

    .venv/bin/python bench/trace_bench.py [--deliveries 100000] [--documents 1000] [--users 10000] [--runs 7]

Builds an embedded database (SQLite file in a fresh FANWEN_DATA_DIR): ``--documents`` paid
documents of ~5,000 characters (random 公文-like Han text, 20 blocks each), ``--users`` readers,
``--deliveries`` Delivery rows (bulk_create, each with its real fingerprint code), one
entitlement per distinct (reader, document) pair among them up to 50,000, and ``--members``
members (each a paid plan order and a membership period).  Then one real buyer of the issue's
5,000-character document (8 headings) downloads its Word file through ``deliver``; a
300-character excerpt of its paid part (python-docx text) is traced

* in process (``trace_text``), and
* end to end: ``fanwen trace excerpt.txt --json`` as a subprocess (interpreter, Django
  start-up, the embedded profile's migration check, the trace), and ``fanwen trace leak.docx``;
  and the command's fixed cost alone (a two-character text, refused before any record is read).

Prints the p50 (and worst) of ``--runs`` runs of each and checks that every run names the buyer.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
)


def random_text(rng: random.Random, chars: int) -> str:
    out = []
    while sum(map(len, out)) < chars:
        out.append("".join(rng.choices(HAN, k=rng.randint(8, 30))) + rng.choice("，，，。；"))
    return "".join(out)[:chars]


def populate(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fanwen.access.fingerprints import code_for, code_text
    from fanwen.access.models import Delivery, Entitlement, MembershipPeriod
    from fanwen.commerce.models import Order, Plan
    from fanwen.library.models import Block, Document

    rng = random.Random(10)
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [user_model(username=f"reader{i:05d}", password="!") for i in range(args.users)]  # noqa: S106 (unusable), batch_size=2000
    )
    users = list(user_model.objects.values_list("pk", flat=True))
    author = user_model.objects.create(username="bench-author", password="!")  # noqa: S106 (unusable)
    Document.objects.bulk_create(
        [Document(title=f"范文 {i}", author=author, price_fen=500, chars_free=500, chars_paid=4500, sections_paid=4,
                  content_hash=f"{i:064x}", summary="") for i in range(args.documents)],
        batch_size=1000,
    )
    documents = list(Document.objects.values_list("pk", flat=True))
    blocks = []
    for document_id in documents:
        for position in range(20):
            blocks.append(Block(document_id=document_id, position=position, paid=position >= 2,
                                text=random_text(rng, 250)))
        if len(blocks) >= 20_000:
            Block.objects.bulk_create(blocks)
            blocks = []
    Block.objects.bulk_create(blocks)
    pairs = [(rng.choice(users), rng.choice(documents)) for _ in range(args.deliveries)]
    now = timezone.now()
    rows = []
    for user_id, document_id in pairs:
        rows.append(Delivery(
            user_id=user_id, document_id=document_id, document_version=f"{document_id:064x}", format="docx",
            basis="grant", watermark="范文库 · bench · 赠送 · 仅供个人学习使用", size_bytes=30_000,
            fingerprint_code=code_text(code_for(user_id, document_id)),
        ))
        if len(rows) >= 10_000:
            Delivery.objects.bulk_create(rows)
            rows = []
    Delivery.objects.bulk_create(rows)
    distinct = list(dict.fromkeys(pairs))[:50_000]
    Entitlement.objects.bulk_create(
        [Entitlement(user_id=u, document_id=d, source="grant") for u, d in distinct], batch_size=5000
    )
    plan = Plan.objects.create(code="bench-month", name="月卡", days=30, price_fen=3000)
    members = rng.sample(users, args.members)
    Order.objects.bulk_create([
        Order(number=f"BENCHM{i:06d}", user_id=u, kind="plan", plan=plan, amount_fen=3000, status="paid",
              subject="月卡", expires_at=now) for i, u in enumerate(members)
    ])
    orders = dict(Order.objects.filter(plan=plan).values_list("user_id", "pk"))
    MembershipPeriod.objects.bulk_create([
        MembershipPeriod(user_id=u, order_id=orders[u], starts_at=now, ends_at=now + timedelta(days=30)) for u in members
    ])


def the_buyers_copy(data_dir: Path) -> tuple[str, Path, Path]:
    """A real buyer's Word download of the issue's document; a 300-character paid excerpt."""
    import docx

    from bench.download_bench import HEADINGS, document_text
    from fanwen.access.delivery import deliver
    from fanwen.access.services import entitlement_grant
    from fanwen.accounts.services import user_create
    from fanwen.core.fingerprint_text import is_invisible
    from fanwen.core.format import parse_text
    from fanwen.library.models import Document
    from fanwen.library.services import document_import

    outcome = document_import(parsed=parse_text(document_text(5000)), price_fen=500)
    document = Document.objects.get(pk=outcome.document_id)
    buyer = user_create(username="the-buyer", password="the-buyer-pass-1x")  # noqa: S106 (a bench user)
    entitlement_grant(user_id=buyer.pk, document_id=document.pk, source="grant")
    delivered = deliver(user=buyer, document=document, fmt="docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(delivered.content)).paragraphs)
    visible = [i for i, ch in enumerate(text) if not is_invisible(ch)]
    start = "".join(text[i] for i in visible).index(HEADINGS[4]) + 40  # inside the paid part
    excerpt = text[visible[start] : visible[start + 299] + 1]
    excerpt_path, docx_path = data_dir / "excerpt.txt", data_dir / "leak.docx"
    excerpt_path.write_text(excerpt, encoding="utf-8")
    docx_path.write_bytes(delivered.content)
    return buyer.get_username(), excerpt_path, docx_path


def timed(call, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print where trace_text spends its time")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="fanwen-tracebench-"))
    os.environ.update({"FANWEN_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "fanwen.settings.embedded"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from fanwen.access.models import Delivery
        from fanwen.access.trace import trace_text

        start = time.perf_counter()
        populate(args)
        username, excerpt_path, docx_path = the_buyers_copy(data_dir)
        print(f"built in {time.perf_counter() - start:.1f} s: {Delivery.objects.count():,} deliveries, "
              f"{args.documents + 1} paid documents, {args.users:,} readers, {args.members} members")
        excerpt = excerpt_path.read_text(encoding="utf-8")

        def in_process() -> None:
            result = trace_text(excerpt)
            assert result.match and result.holder is not None and result.holder.username == username, result

        def command(path: Path) -> None:
            done = subprocess.run(
                [BIN / "fanwen", "trace", str(path), "--json"], capture_output=True, check=False, env=os.environ.copy()
            )
            found = json.loads(done.stdout)
            assert done.returncode == 0 and found["username"] == username, (done.returncode, found, done.stderr[-500:])

        in_process()  # warm the caches a long-running process would have
        if args.profile:
            import cProfile
            import pstats

            cProfile.runctx("in_process()", globals(), locals(), str(data_dir / "prof"))
            pstats.Stats(str(data_dir / "prof")).sort_stats("cumulative").print_stats(25)
        result = trace_text(excerpt)
        print(f"excerpt: {len(excerpt)} characters with marks, {result.bits} code bits read, "
              f"{result.candidates:,} candidates, false-match probability {result.false_match_probability:.2g}")
        short_path = data_dir / "short.txt"
        short_path.write_text("太短", encoding="utf-8")

        def start_up_only() -> None:  # refused before any record is read: the command's fixed cost
            done = subprocess.run([BIN / "fanwen", "trace", str(short_path), "--json"], capture_output=True, check=False)
            assert done.returncode == 1 and json.loads(done.stdout)["match"] is False

        for label, call in (
            ("trace_text (in process)", in_process),
            ("fanwen trace short.txt --json (subprocess; start-up only, no record read)", start_up_only),
            ("fanwen trace excerpt.txt --json (subprocess)", lambda: command(excerpt_path)),
            ("fanwen trace leak.docx --json (subprocess)", lambda: command(docx_path)),
        ):
            times = timed(call, args.runs)
            print(f"{label}: p50 {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
                  f"({args.runs} runs; target <= 1000 ms)")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
