"""The API's reference lists (tariffs with their suppliers, EVSE sites), cached for every process.

The single-user form offers them as choices and bulk row checks validate ids against them. They
change rarely; caching keeps each form from costing a handful of requests. Ten minutes keeps a new
tariff from hiding for long.
"""

from __future__ import annotations

from django.core.cache import cache

from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.resources import EvseSite, Tariff

REFERENCE_CACHE_SECONDS = 600

TARIFF_CHOICES_KEY = "evenergy:reference:tariffs"
EVSE_SITE_CHOICES_KEY = "evenergy:reference:evse_sites"


def _tariff_list() -> dict:
    """{"items": tariffs by supplier and name, "problem": why the list is incomplete, or ""}, cached."""
    cached = cache.get(TARIFF_CHOICES_KEY)
    if cached is None:
        try:
            tariffs, problem = evenergy_client().tariffs.all(), ""
        except errors.PaginationStalled as exc:
            # What was read is still worth offering; asking again would only loop again. A driver's
            # current tariff missing from the list is kept by the user form as it is.
            tariffs, problem = exc.items, exc.user_message
        tariffs = sorted(tariffs, key=lambda t: (t.supplier.name if t.supplier else "", t.name))
        cached = {"items": tariffs, "problem": problem}
        cache.set(TARIFF_CHOICES_KEY, cached, REFERENCE_CACHE_SECONDS)
    return cached


def tariff_choices() -> list[Tariff]:
    return _tariff_list()["items"]


def reference_problems() -> list[str]:
    """Why a choice list the forms offer is incomplete (shown above the form), from the cache."""
    problem = _tariff_list()["problem"]
    return [f"Tariffs: {problem} Tariffs after that point are not offered."] if problem else []


def evse_site_choices() -> list[EvseSite]:
    sites = cache.get(EVSE_SITE_CHOICES_KEY)
    if sites is None:
        sites = evenergy_client().evse_sites.all()
        cache.set(EVSE_SITE_CHOICES_KEY, sites, REFERENCE_CACHE_SECONDS)
    return sites


def tariffs_matching(query: str, *, limit: int | None = 50) -> list[Tariff]:
    """Tariffs whose name, supplier or currency contains `query` (from the cached list)."""
    needle = query.strip().lower()
    tariffs = tariff_choices()
    if needle:
        tariffs = [
            t for t in tariffs
            if needle in t.name.lower() or needle in (t.supplier.name.lower() if t.supplier else "")
            or needle in t.currency.lower() or needle == t.id.lower()
        ]
    return tariffs[:limit] if limit is not None else tariffs


def tariffs_seen() -> list[Tariff]:
    """The tariff list if a page has read it lately (never a request)."""
    cached = cache.get(TARIFF_CHOICES_KEY)
    return cached["items"] if cached else []


def evse_sites_seen() -> list[EvseSite]:
    """The EVSE site list if a page has read it lately (never a request)."""
    return cache.get(EVSE_SITE_CHOICES_KEY) or []
