"""Puts the API budget left this hour on every page (the header shows it, or that it cannot be read)."""

import logging

from evadmin.evenergy.ratelimit import rate_budget

logger = logging.getLogger(__name__)


def api_budget(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    try:
        return {"api_budget": rate_budget().snapshot()}
    except Exception:  # the budget display (cache, Redis, database) must never take a page down
        logger.warning("API budget unavailable", exc_info=True)
        return {"api_budget": None, "api_budget_unavailable": True}
