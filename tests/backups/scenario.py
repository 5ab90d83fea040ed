"""Run in a child process against a scratch data dir / database (env set by the test):
``python -m tests.backups.scenario seed`` makes a library with a sale; ``facts`` prints, as JSON,
what a restore must bring back.  Never imported by the test process itself."""

from __future__ import annotations

import json
import sys

BUYER, NONBUYER, PASSWORD = "buyer", "nonbuyer", "pass-word-123"


def seed() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
    from fanwen.library.models import Document
    from fanwen.search.indexer import index_rebuild

    call_command("loadexamples", verbosity=0)
    users = get_user_model().objects
    buyer = users.create_user(BUYER, password=PASSWORD)
    users.create_user(NONBUYER, password=PASSWORD)
    wallet_credit(user=buyer, amount_fen=2000, reason="测试充值")
    doc = Document.objects.filter(chars_paid__gt=0).order_by("pk").first()
    assert doc is not None
    order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)
    index_rebuild()


def facts() -> dict:
    from django.contrib.auth import get_user_model

    from fanwen.access import gate
    from fanwen.commerce.models import Account
    from fanwen.commerce.services import ledger_check
    from fanwen.library.models import Document
    from fanwen.search.selectors import search_documents

    users = get_user_model().objects
    buyer, nonbuyer = users.get(username=BUYER), users.get(username=NONBUYER)
    doc = Document.objects.filter(chars_paid__gt=0).order_by("pk").first()
    assert doc is not None
    word = doc.title  # the whole title: a search for it must find this document

    def paid_seen(user: object) -> int:
        return sum(1 for block in gate.visible_blocks(user, doc) if block.paid)

    return {
        "documents": Document.objects.count(),
        "titles": sorted(Document.objects.values_list("title", flat=True)),
        "ledger_problems": [p.what for p in ledger_check()],
        "balances": dict(Account.objects.order_by("code").values_list("code", "balance_fen")),
        "search_word": word,
        "search_hits": [hit.id for hit in search_documents(word).results],
        "doc_id": doc.pk,
        "buyer_password_ok": buyer.check_password(PASSWORD),
        "buyer_reads_paid": gate.can_read_full(buyer, doc),
        "buyer_paid_blocks": paid_seen(buyer),
        "nonbuyer_reads_paid": gate.can_read_full(nonbuyer, doc),
        "nonbuyer_paid_blocks": paid_seen(nonbuyer),
    }


def churn(flag_dir: str) -> None:
    """Keep writing (1 fen wallet credits, each a ledger transaction) like a running site:
    touches ``started`` after the first write, stops when ``stop`` appears (or after 5 min)."""
    import time
    from pathlib import Path

    from django.contrib.auth import get_user_model

    from fanwen.commerce.services import wallet_credit

    buyer = get_user_model().objects.get(username=BUYER)
    flags, end = Path(flag_dir), time.monotonic() + 300
    wallet_credit(user=buyer, amount_fen=1, reason="并发写入")
    (flags / "started").touch()
    while not (flags / "stop").exists() and time.monotonic() < end:
        wallet_credit(user=buyer, amount_fen=1, reason="并发写入")


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "seed":
        seed()
    elif sys.argv[1] == "churn":
        churn(sys.argv[2])
    else:
        print(json.dumps(facts(), ensure_ascii=False))
