"""Row locks, taken in ONE documented order to rule out deadlocks:

    order  →  buyer  →  payment  →  refund  →  ledger accounts (ascending id)

The buyer's row is the lock for decisions that span the buyer's orders: whether they already
own a document (two checkouts for one document paid at once) and where a renewal starts (two
membership renewals paid at once).  Ledger accounts are locked all together, ascending, never
one first and the rest later.

On PostgreSQL these are ``SELECT … FOR UPDATE``.  On SQLite ``select_for_update`` is a
no-op, but every transaction is ``BEGIN IMMEDIATE`` (settings), so writers are serialised
by the database lock.  A lock that cannot be had in time becomes ``Busy`` ("try again").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction

from fanwen.commerce.models import Account, Order, Payment, Refund
from fanwen.commerce.services.errors import Busy, NotFound

P = ParamSpec("P")
R = TypeVar("R")

_BUSY_MARKERS = ("database is locked", "lock timeout", "lock_timeout", "could not obtain lock", "deadlock detected")


def lock_order(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound("订单不存在")
    return order


def lock_order_by_number(number: str) -> Order | None:
    return Order.objects.select_for_update().filter(number=number).first()


def lock_buyer(user_id: int) -> None:
    get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()


def lock_payment(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)


def lock_refund(refund_id: int) -> Refund:
    return Refund.objects.select_for_update().get(pk=refund_id)


def lock_accounts(account_ids: list[int]) -> dict[int, Account]:
    ids = sorted(set(account_ids))
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


@contextmanager
def busy_as_domain_error() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        if any(marker in str(exc).lower() for marker in _BUSY_MARKERS):
            raise Busy() from exc
        raise


def busy_safe(func: Callable[P, R]) -> Callable[P, R]:
    """A lock timeout inside ``func`` reaches the caller as ``Busy``, not a database error."""

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with busy_as_domain_error():
            return func(*args, **kwargs)

    return wrapped


def atomic_write(func: Callable[P, R]) -> Callable[P, R]:
    """Run a service in one transaction; a lock timeout reaches the caller as ``Busy``."""

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with busy_as_domain_error(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapped
