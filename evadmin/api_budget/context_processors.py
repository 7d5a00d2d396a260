"""Puts a low API budget on every page admins see: the API's own X-RateLimit-Remaining below a fifth
of its limit (ratelimit.LOW_REMAINING_SHARE; RateBudget.observe logs it once per crossing)."""

import logging

from evadmin.evenergy.ratelimit import rate_budget
from evadmin.staff.roles import MANAGE_STAFF

logger = logging.getLogger(__name__)


def api_budget_low(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(MANAGE_STAFF):
        return {}
    try:
        snapshot = rate_budget().snapshot()
    except Exception:  # the banner must never take a page down (the header's badge says it is unreadable)
        logger.warning("API budget unavailable", exc_info=True)
        return {}
    return {"api_budget_low": snapshot} if snapshot.low else {}
