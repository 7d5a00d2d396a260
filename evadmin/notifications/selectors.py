"""A driver's notifications and notification preferences, read through the cache: one request each.

The notifications are the newest page of `GET /notifications` as the driver (EvEnergy-User); the
preferences are `GET /users/{id}/notification_preferences`. A notification's detail is read from the
held list when it is there (no request), else `GET /notifications/{id}` as the driver (1 request).
"""

from __future__ import annotations

from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import NOTIFICATION_PREFERENCES, NOTIFICATIONS, read_detail
from evadmin.evenergy.notifications import Notification, NotificationPreferences
from evadmin.evenergy.read_cache import Read, read_cache_seen, read_through

NOTIFICATIONS_NAME, PREFERENCES_NAME = "notifications", "notification_preferences"
# One page of the driver's inbox: the newest 50 (a driver gets a few a week), one request.
NOTIFICATIONS_PAGE = 50


def _newest_first(items: list[Notification]) -> list[Notification]:
    # The spec does not say the list's order: evadmin shows the newest first whatever it is.
    return sorted(items, key=lambda item: (item.event_time is not None, item.event_time), reverse=True)


def driver_notifications(*, user_id: str, refresh: bool = False) -> Read[list[Notification]]:
    """The notifications sent to the driver (the newest page): one request."""
    return read_through(scope=user_id, name=NOTIFICATIONS_NAME, refresh=refresh, fetch=lambda: _newest_first(
        evenergy_client().collection(NOTIFICATIONS).list(user=user_id, page_size=NOTIFICATIONS_PAGE).items))


def driver_notifications_seen(*, user_id: str) -> Read[list[Notification]] | None:
    """What evadmin holds of the driver's notifications: never a request."""
    return read_cache_seen(scope=user_id, name=NOTIFICATIONS_NAME)


def driver_notification_preferences(*, user_id: str, refresh: bool = False) -> Read[NotificationPreferences]:
    """Each notification group and whether the driver opted in: one request."""
    return read_through(scope=user_id, name=PREFERENCES_NAME, refresh=refresh,
                        fetch=lambda: read_detail(evenergy_client(), NOTIFICATION_PREFERENCES, user_id))


def driver_notification_preferences_seen(*, user_id: str) -> Read[NotificationPreferences] | None:
    return read_cache_seen(scope=user_id, name=PREFERENCES_NAME)


def notification_detail(*, user_id: str, notification_id: str) -> Read[Notification]:
    """One notification: from the held list (no request), else read as the driver (1 request)."""
    held = driver_notifications_seen(user_id=user_id)
    found = next((item for item in held.value if item.id == notification_id), None) if held else None
    if found is not None:
        return Read(value=found, fetched_at=held.fetched_at, live=False)
    return read_through(scope=user_id, name=f"notification:{notification_id}", fetch=lambda: evenergy_client()
                        .collection(NOTIFICATIONS).get(notification_id, user=user_id))
