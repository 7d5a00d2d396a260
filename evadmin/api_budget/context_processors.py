"""Puts the API budget on every full page staff see: the header's badge (what is left this hour, or
that it cannot be read), and for admins the banner while the API's own X-RateLimit-Remaining is below
a fifth of its limit (BudgetSnapshot.low; RateBudget.observe logs it once per crossing). One read of
the budget a page; none for an htmx fragment, which shows neither."""

import logging

from evadmin.core.htmx import wants_partial
from evadmin.evenergy.ratelimit import rate_budget

logger = logging.getLogger(__name__)


def api_budget(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or wants_partial(request):
        return {}
    try:
        return {"api_budget": rate_budget().snapshot()}
    except Exception:  # the budget display (cache, Redis, database) must never take a page down
        logger.warning("API budget unavailable", exc_info=True)
        return {"api_budget": None, "api_budget_unavailable": True}
