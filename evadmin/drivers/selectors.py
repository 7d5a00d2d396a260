"""Reads for the user pages. Each list page costs one API request: related data comes by expand."""

from __future__ import annotations

from evadmin.evenergy.client import UsersApi, evenergy_client
from evadmin.evenergy.pagination import CursorPage
from evadmin.evenergy.resources import Evse, User, Vehicle

PAGE_SIZES = (25, 50, 100)


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


def user_history(*, user_id: str):
    from evadmin.audit.models import AuditEvent

    return AuditEvent.objects.filter(target_user_id=user_id).order_by("-occurred_at", "-id")
