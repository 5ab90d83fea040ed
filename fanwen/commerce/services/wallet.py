from __future__ import annotations

from typing import Any

from fanwen.commerce.models import Account
from fanwen.commerce.services import ledger
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import CommerceError
from fanwen.commerce.services.locking import atomic_write

CREDIT_MAX_FEN = 100_000_00


@atomic_write
def wallet_credit(*, user: Any, amount_fen: int, reason: str, actor_id: int | None = None) -> Account:
    """Staff credit a user's wallet (a promotion, a goodwill gesture): one balanced transaction."""
    if not 0 < amount_fen <= CREDIT_MAX_FEN:
        raise CommerceError("金额须大于 0 且不超过 100000 元")
    if not reason.strip():
        raise CommerceError("请写明原因")
    wallet = ledger.wallet_account(user.pk)
    ledger.ledger_post(
        kind="wallet.credit",
        movements=[(ledger.platform_account(ledger.PROMOTION), -amount_fen), (wallet, amount_fen)],
        memo=reason,
    )
    audit("commerce.wallet.credited", actor_id=actor_id, user_id=user.pk, amount_fen=amount_fen, reason=reason[:200])
    wallet.refresh_from_db()
    return wallet
