"""Changing a driver's notification preferences on their behalf: the groups that change, sent once in
one PATCH (never retried), with a reason, on record; the API's answer is the held copy from then on."""

from __future__ import annotations

from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.evenergy import errors
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import notification_preferences_update
from evadmin.evenergy.notifications import NotificationPreferences
from evadmin.evenergy.read_cache import read_cache_forget, read_cache_store
from evadmin.notifications.selectors import PREFERENCES_NAME


class NothingToChange(Exception):
    """The form asks for the preferences the driver already has: nothing is sent."""


def notification_preferences_change(*, user_id: str, current: NotificationPreferences, wanted: dict[str, bool],
                                    actor, reason: str,
                                    request: HttpRequest | None = None) -> NotificationPreferences:
    """PATCH only the groups whose state changes from `current` (the copy the agent saw)."""
    changes = {group: value for group, value in wanted.items() if bool(current.groups.get(group)) != value}
    if not changes:
        raise NothingToChange("These are the driver's preferences already: nothing was sent.")
    event = {"actor": actor, "action": actions.NOTIFICATION_PREFERENCES_UPDATE, "target_user_id": user_id,
             "reason": reason, "request": request,
             "before": {group: bool(current.groups.get(group)) for group in changes}}
    try:
        updated = notification_preferences_update(evenergy_client(), user_id, changes)
    except errors.OutcomeUnknown as exc:
        audit_record(**event, after={"outcome": "unknown", "check": exc.check, "sent": changes})
        read_cache_forget(scope=user_id)
        raise
    audit_record(**event, after={group: bool(updated.groups.get(group)) for group in changes})
    read_cache_store(scope=user_id, name=PREFERENCES_NAME, value=updated)  # the panel and the strip show it
    return updated
