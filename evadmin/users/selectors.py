"""Reads for the user pages. Each list page costs one API request: related data comes by expand."""

from __future__ import annotations

from django.core.cache import cache

from evadmin.evenergy import errors
from evadmin.evenergy.client import UsersApi, evenergy_client
from evadmin.evenergy.pagination import CursorPage
from evadmin.evenergy.resources import Evse, EvseSite, Tariff, User, Vehicle

PAGE_SIZES = (25, 50, 100)
# Tariffs and EVSE sites change rarely; caching the choice lists keeps each create/edit form
# from costing a handful of requests. Ten minutes keeps a new tariff from hiding for long.
REFERENCE_CACHE_SECONDS = 600


def user_list_page(
    *, page_size: int = 25, page_after: str | None = None, page_before: str | None = None, email: str | None = None
) -> CursorPage[User]:
    return evenergy_client().users.list(
        page_size=page_size if page_size in PAGE_SIZES else PAGE_SIZES[0],
        page_after=page_after,
        page_before=page_before,
        email=email or None,
        expand=UsersApi.FULL_EXPAND,
    )


def user_get(*, user_id: str) -> User:
    return evenergy_client().users.get(user_id, expand=UsersApi.FULL_EXPAND)


def user_devices(*, user_id: str) -> tuple[list[Vehicle], list[Evse]]:
    """The user's vehicles and chargers: one request each, as that user (EvEnergy-User)."""
    client = evenergy_client()
    return client.vehicles.list_for_user(user_id).items, client.evses.list_for_user(user_id).items


TARIFF_CHOICES_KEY = "users:tariff_choices:v2"


def _tariff_list() -> dict:
    """{"items": tariffs by supplier and name, "problem": why the list is incomplete, or ""}, cached."""
    cached = cache.get(TARIFF_CHOICES_KEY)
    if cached is None:
        try:
            tariffs, problem = evenergy_client().tariffs.all(), ""
        except errors.PaginationStalled as exc:
            # What was read is still worth offering; asking again would only loop again. A driver's
            # current tariff missing from the list is kept by the forms as it is (forms.py).
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
    sites = cache.get("users:evse_site_choices")
    if sites is None:
        sites = evenergy_client().evse_sites.all()
        cache.set("users:evse_site_choices", sites, REFERENCE_CACHE_SECONDS)
    return sites


def tariffs_matching(query: str, *, limit: int = 50) -> list[Tariff]:
    """Tariffs whose name, supplier or currency contains `query` (from the cached list)."""
    needle = query.strip().lower()
    tariffs = tariff_choices()
    if needle:
        tariffs = [
            t for t in tariffs
            if needle in t.name.lower() or needle in (t.supplier.name.lower() if t.supplier else "")
            or needle in t.currency.lower() or needle == t.id.lower()
        ]
    return tariffs[:limit]


def user_history(*, user_id: str):
    from evadmin.audit.models import AuditEvent

    return AuditEvent.objects.filter(target_user_id=user_id).order_by("-occurred_at", "-id")
