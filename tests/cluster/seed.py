"""Seed the cluster test's shared database (run by run_cluster.py with a host's environment):
buyers with funded wallets, each owning one paid document already, and the lists locust uses.

    python tests/cluster/seed.py --users 24 --out seed.json

Writes through the services the commands use (`fanwen useradd`, `fanwen credit`); run_cluster.py
also runs those two commands once each for the first buyer, so they are exercised too."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--first", type=int, default=1, help="buyers numbered from here (earlier ones exist)")
    parser.add_argument("--password", required=True)
    parser.add_argument("--wallet-yuan", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanwen.settings.production")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from fanwen.accounts.services import user_create
    from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
    from fanwen.library.models import Block, Category, Document

    paid = list(
        Document.objects.filter(status=Document.Status.PUBLISHED, chars_paid__gt=0, price_fen__gt=0)
        .order_by("pk").values_list("pk", flat=True)
    )
    if len(paid) < args.users + 20:
        sys.exit(f"only {len(paid)} paid documents: need more than {args.users + 20}")
    # The last few are kept out of locust's lists: the fault phase unpublishes one while a host is down.
    reserved, purchasable = paid[-5:], paid[:-5]
    users = get_user_model()
    buyers = []
    for i in range(1, args.users + 1):
        name = f"buyer{i:03d}"
        user = users.objects.filter(username=name).first()
        if user is None:
            user = user_create(username=name, password=args.password, validate=False)
        if i >= args.first:
            wallet_credit(user=user, amount_fen=args.wallet_yuan * 100, reason="集群测试预充值")
        owned = purchasable[(i - 1) % len(purchasable)]
        order = order_create(user=user, document_id=owned, idempotency_key=f"cluster-seed-{i}")
        order_pay_with_wallet(order_id=order.pk, user=user)
        # A run of Chinese characters from the paid part: present in the page only for a buyer.
        fragment = ""
        for text in Block.objects.filter(document_id=owned, paid=True).order_by("position").values_list("text", flat=True):
            match = re.search(r"[\u4e00-\u9fff]{10,}", text)
            if match:
                fragment = match.group(0)[:10]
                break
        buyers.append({"username": name, "owned": owned, "paid_fragment": fragment})
    args.out.write_text(json.dumps({
        "password": args.password,
        "buyers": buyers,
        "documents": purchasable,
        "categories": sorted(set(
            Category.objects.filter(documents__status=Document.Status.PUBLISHED).values_list("slug", flat=True)
        )),
        "reserved": reserved,
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"seeded {len(buyers)} buyers, {len(purchasable)} purchasable documents")


if __name__ == "__main__":
    main()
