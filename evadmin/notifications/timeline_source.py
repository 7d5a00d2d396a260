"""The notifications' source of the driver's timeline: each notification sent to the driver, linking
to its detail. Held: the Notifications panel's read; loading is that read (1 request)."""

from __future__ import annotations

from django.urls import reverse

from evadmin.core.driver_page import NEUTRAL, WARNING, TimelineEntry, TimelineSource
from evadmin.evenergy.notifications import Notification
from evadmin.notifications.selectors import driver_notifications, driver_notifications_seen

KIND = "notifications"


def _entries(user_id: str, items: list[Notification]) -> list[TimelineEntry]:
    return [TimelineEntry(
        at=item.event_time, kind=KIND, title=f"Notification sent: {item.short_text_title or 'no title'}",
        detail=" · ".join(part for part in (item.short_text_body, item.category_label,
                                            "read" if item.is_read else "not read") if part),
        url=reverse("notifications:detail", args=[user_id, item.id]),
        tone=WARNING if item.category == "ACTIONABLE" and not item.is_read else NEUTRAL)
        for item in items if item.event_time]


def peek(user_id: str) -> list[TimelineEntry] | None:
    held = driver_notifications_seen(user_id=user_id)
    return _entries(user_id, held.value) if held is not None else None


def load(user_id: str, refresh: bool) -> list[TimelineEntry]:
    return _entries(user_id, driver_notifications(user_id=user_id, refresh=refresh).value)


SOURCE = TimelineSource(kind=KIND, label="Notifications sent", cost="1 request", peek=peek, load=load, order=35)
