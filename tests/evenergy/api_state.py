"""The one way tests and bench/ make evadmin's API client and rate budget start afresh."""

from django.core.cache import cache

from evadmin.evenergy.client import reset_evenergy_client
from evadmin.evenergy.ratelimit import rate_budget, reset_rate_budget


def reset_api_state(*, clear_spending: bool = True) -> None:
    """Drop the process's API client, rate budget and cache (token, the API's last X-RateLimit report,
    reference lists), so the next call builds them from the settings as they are now.

    `clear_spending` also empties the budget's log of this hour's requests: in Redis or the database it
    outlives a test, and a sync or bulk job would find its share spent by the tests before it. It builds
    the budget from the current settings, so a fixture's teardown (its settings about to be undone)
    passes False.
    """
    cache.clear()
    reset_rate_budget()
    reset_evenergy_client()
    if clear_spending:
        rate_budget().clear()
