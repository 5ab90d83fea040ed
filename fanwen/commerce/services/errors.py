"""Domain errors of commerce.  Views and API handlers map them to HTTP answers."""

from __future__ import annotations


class CommerceError(Exception):
    """``message`` is Chinese, fit for the buyer.  ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CommerceError):
    status = 404


class AlreadyPaid(CommerceError):
    status = 409


class NotPayable(CommerceError):
    status = 409


class AlreadyOwned(CommerceError):
    status = 409


class InsufficientBalance(CommerceError):
    status = 402


class IdempotencyConflict(CommerceError):
    status = 422


class NotRefundable(CommerceError):
    status = 409


class Busy(CommerceError):
    """A lock could not be had in time: the user should simply try again."""

    status = 503

    def __init__(self, message: str = "系统繁忙，请稍后重试") -> None:
        super().__init__(message)


class PaymentUnavailable(CommerceError):
    status = 503


class NotForSale(CommerceError):
    """An unpublished or taken-down document: its buyers keep it, nobody new may buy it."""

    status = 409
