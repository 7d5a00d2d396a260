"""Reads of a driver's rebates, subscription and payout method: one request each, in the read cache.

The rebates are one request (`/user_rebates` as the driver, each application with its type and the
evidence the type requires, the driver's files and values inside): what is missing comes from it.
The payout method is kept masked: evadmin never holds a whole account number, email or phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import PAYOUT_METHOD, SUBSCRIPTIONS, USER_REBATES, read_detail
from evadmin.evenergy.read_cache import Read, read_cache_seen, read_through
from evadmin.evenergy.rebates import Subscription, UserRebate

REBATES, SUBSCRIPTION, PAYOUT = "rebates", "subscriptions", "payout_method"
SUBSCRIPTIONS_PAGE = 25  # a driver has one or two: one page holds them all


@dataclass(frozen=True)
class PayoutShown:
    """The payout method as evadmin shows and keeps it: the wallet and at most the last 4 characters."""

    is_set: bool
    wallet: str  # "PayPal", "Bill credits"
    receiver_type: str  # EMAIL, PHONE, ACCOUNT_NUMBER

    @property
    def receiver_words(self) -> str:
        """"account number", "email", "phone": what the masked receiver is, in words."""
        return self.receiver_type.replace("_", " ").lower() or "receiver"
    receiver_masked: str  # "•••• 4321"


def driver_rebates(*, user_id: str, refresh: bool = False) -> Read[list[UserRebate]]:
    """The driver's applications with their type and its evidence: one request."""
    return read_through(scope=user_id, name=REBATES, refresh=refresh,
                        fetch=lambda: evenergy_client().collection(USER_REBATES).list(user=user_id))


def driver_rebates_seen(*, user_id: str) -> Read[list[UserRebate]] | None:
    return read_cache_seen(scope=user_id, name=REBATES)


def driver_subscriptions(*, user_id: str, refresh: bool = False) -> Read[list[Subscription]]:
    """The driver's subscriptions with their offering: one request."""
    return read_through(scope=user_id, name=SUBSCRIPTION, refresh=refresh, fetch=lambda: evenergy_client().collection(
        SUBSCRIPTIONS).list(user=user_id, page_size=SUBSCRIPTIONS_PAGE).items)


def driver_subscriptions_seen(*, user_id: str) -> Read[list[Subscription]] | None:
    return read_cache_seen(scope=user_id, name=SUBSCRIPTION)


def driver_payout_method(*, user_id: str, refresh: bool = False) -> Read[PayoutShown]:
    """The payout method's wallet and masked receiver: one request."""
    def fetch() -> PayoutShown:
        method = read_detail(evenergy_client(), PAYOUT_METHOD, user_id)
        return PayoutShown(is_set=method.is_set, wallet=method.wallet_label, receiver_type=method.receiver_type or "",
                           receiver_masked=method.receiver_masked)
    return read_through(scope=user_id, name=PAYOUT, refresh=refresh, fetch=fetch)
