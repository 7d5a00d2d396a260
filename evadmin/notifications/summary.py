"""The notifications part of the driver's summary strip: from the preferences evadmin holds, never a request."""

from __future__ import annotations

from django.urls import reverse

from evadmin.core.driver_page import NEUTRAL, OK, UNKNOWN, WARNING, SummaryPart
from evadmin.evenergy.notifications import PREFERENCE_GROUPS
from evadmin.notifications.selectors import driver_notification_preferences_seen


def notifications_part(user_id: str) -> SummaryPart:
    url = reverse("users:detail", args=[user_id]) + "#notifications"
    seen = driver_notification_preferences_seen(user_id=user_id)
    if seen is None:
        return SummaryPart("Notifications", "not known yet: open the preferences panel (1 request)", UNKNOWN,
                           known=False, url=url, order=45)
    preferences = seen.value
    if preferences.all_off:
        return SummaryPart("Notifications", "switched off", WARNING, url=url, order=45)
    off = preferences.switched_off
    if not off:
        return SummaryPart("Notifications", "on", OK, url=url, order=45)
    names = ", ".join(PREFERENCE_GROUPS.get(group, group).split(":")[0].split(" (")[0].lower() for group in off)
    return SummaryPart("Notifications", f"on (switched off: {names})", NEUTRAL, url=url, order=45)
