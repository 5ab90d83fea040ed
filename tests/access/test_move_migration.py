"""Entitlements and membership periods moved from ``commerce`` to ``access`` (access.0001,
commerce.0008, access.0002): rows written before the move are read after it through the new
models, the way back keeps them too, and the database ends where the models say it should."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("commerce", "0007_refund_kind_and_one_sale_payment"), ("access", None)]


def executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    ex = executor()
    ex.migrate(targets)
    return executor()  # a fresh loader sees what is applied now


def latest() -> list[tuple[str, str]]:
    return executor().loader.graph.leaf_nodes()


def tables() -> set[str]:
    return set(connection.introspection.table_names())


def plant_rows_in_commerce() -> dict[str, int]:
    """Rows written through the historical commerce models, as before the move."""
    apps = executor().loader.project_state(BEFORE[0]).apps
    User = apps.get_model(settings.AUTH_USER_MODEL)
    ContentType.objects.filter(app_label="access").delete()
    for model in ("entitlement", "membershipperiod"):
        ContentType.objects.get_or_create(app_label="commerce", model=model)
    Document = apps.get_model("library", "Document")
    Order = apps.get_model("commerce", "Order")
    Plan = apps.get_model("commerce", "Plan")
    Entitlement = apps.get_model("commerce", "Entitlement")
    MembershipPeriod = apps.get_model("commerce", "MembershipPeriod")
    now = timezone.now()
    buyer = User.objects.create(username="moved-buyer")
    document = Document.objects.create(title="迁移前的文档", content_hash="m" * 64, price_fen=500)
    plan = Plan.objects.create(code="move-test", name="测试会员", days=30, price_fen=1000)
    doc_order = Order.objects.create(number="MOVE1", user=buyer, kind="document", document=document, amount_fen=500,
                                     status="paid", subject="文档", expires_at=now)
    plan_order = Order.objects.create(number="MOVE2", user=buyer, kind="plan", plan=plan, amount_fen=1000,
                                      status="paid", subject="会员", expires_at=now)
    bought = Entitlement.objects.create(user=buyer, document=document, source="purchase", order=doc_order)
    Entitlement.objects.filter(pk=bought.pk).update(revoked_at=now)
    granted = Entitlement.objects.create(user=buyer, document=document, source="grant", note="赠送备注",
                                         expires_at=now + timedelta(days=3))
    period = MembershipPeriod.objects.create(user=buyer, order=plan_order, starts_at=now, ends_at=now + timedelta(days=30))
    return {"buyer": buyer.pk, "document": document.pk, "bought": bought.pk, "granted": granted.pk,
            "period": period.pk, "doc_order": doc_order.pk, "plan_order": plan_order.pk}


def assert_rows_read_through_access(ids: dict[str, int]) -> None:
    from fanwen.access import selectors
    from fanwen.access.models import Entitlement, MembershipPeriod

    bought = Entitlement.objects.get(pk=ids["bought"])
    assert (bought.user_id, bought.document_id, bought.source, bought.order_id) == (
        ids["buyer"], ids["document"], "purchase", ids["doc_order"])
    assert bought.revoked_at is not None
    granted = Entitlement.objects.get(pk=ids["granted"])
    assert (granted.source, granted.note, granted.order_id, granted.revoked_at) == ("grant", "赠送备注", None, None)
    period = MembershipPeriod.objects.get(pk=ids["period"])
    assert (period.user_id, period.order_id) == (ids["buyer"], ids["plan_order"])
    assert selectors.entitlement_active_exists(user_id=ids["buyer"], document_id=ids["document"])
    assert selectors.membership_active_until(user_id=ids["buyer"]) == period.ends_at
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Entitlement, for_concrete_model=False).app_label == "access"
    assert not ContentType.objects.filter(app_label="commerce", model__in=["entitlement", "membershipperiod"]).exists()


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_through_access_after_it():
    migrate(BEFORE)
    try:
        assert {"commerce_entitlement", "commerce_membershipperiod"} <= tables()
        assert not {"access_entitlement", "access_membershipperiod"} & tables()
        ids = plant_rows_in_commerce()
        migrate(latest())
        assert {"access_entitlement", "access_membershipperiod"} <= tables()
        assert not {"commerce_entitlement", "commerce_membershipperiod"} & tables()
        assert_rows_read_through_access(ids)
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_the_move_runs_backwards_and_forwards_again_keeping_every_row():
    migrate(BEFORE)
    try:
        ids = plant_rows_in_commerce()
        migrate(latest())
        migrate(BEFORE)  # back past the move: the rows are commerce's again
        apps = executor().loader.project_state(BEFORE[0]).apps
        assert apps.get_model("commerce", "Entitlement").objects.count() == 2
        assert apps.get_model("commerce", "MembershipPeriod").objects.get(pk=ids["period"]).order_id == ids["plan_order"]
        migrate(latest())
        assert_rows_read_through_access(ids)
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_the_constraints_still_hold_after_the_move():
    """One active entitlement per user and document is still the database's rule."""
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    from fanwen.access.models import Entitlement
    from fanwen.library.models import Document

    user = get_user_model().objects.create(username="after-move")
    document = Document.objects.create(title="文档", content_hash="n" * 64)
    Entitlement.objects.create(user=user, document=document, source="grant")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(user=user, document=document, source="grant")

