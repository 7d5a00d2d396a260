"""A driver's notifications and notification preferences, as the spec has them (seeding/notifications.py
says how they are stored).

`GET /notifications` lists the driver's (EvEnergy-User) newest first, paged by cursor; a notification is
retrieved and `PATCH`ed by its id (only `read_at` is writable; the answer wraps the notification:
{"Notification": {...}}). The spec asks for a token and names no scope for them. A driver's preferences
(`/users/{id}/notification_preferences`) need notification_preferences:read / :write; a PATCH changes
only the groups it names, `{}` and `{"groups": {}}` change nothing, an unknown group is a 400.
"""

from __future__ import annotations

from evadmin.sandbox import ids
from evadmin.sandbox.collections.records import record_json
from evadmin.sandbox.models import Record, User
from evadmin.sandbox.resources import Collection, Endpoint, parse_datetime
from evadmin.sandbox.responses import ApiError, json_response, not_found, validation_failed
from evadmin.sandbox.seeding.notifications import (
    DEFAULT_GROUPS,
    GROUPS,
    NOTIFICATION,
    NOTIFICATION_PREFIX,
    PREFERENCES,
)
from evadmin.sandbox.serializers import iso_datetime
from evadmin.sandbox.views.base import Operation

PREFERENCES_READ, PREFERENCES_WRITE = "notification_preferences:read", "notification_preferences:write"
PREFERENCES_INVALID = "validation-failed-update-notification-preferences"


def notification_json(record, context, expand) -> dict:
    data = record_json(record, context, expand, collection="notifications")
    data.setdefault("external_link", None)
    data.setdefault("external_button_label", "")
    return data


def notification_update(context, notification: Record):
    """Mark it read (or change when): `read_at`, a date-time with a zone; nothing else is writable."""
    body = context.body()
    if not isinstance(body, dict):
        raise validation_failed("validation-failed", {"non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]})
    if "read_at" in body:
        raw = body["read_at"]
        if not isinstance(raw, str):
            raise validation_failed("validation-failed", {"read_at": ["Enter a valid date/time."]})
        try:
            moment = parse_datetime("read_at", raw)
        except ApiError:
            raise validation_failed("validation-failed", {"read_at": ["Enter a valid date/time."]}) from None
        notification.data = {**notification.data, "read_at": iso_datetime(moment)}
        notification.save(update_fields=["data"])
    return json_response({"Notification": notification_json(notification, context, set())})


NOTIFICATIONS = Collection(
    name="notifications", prefix=NOTIFICATION_PREFIX, scope="",
    queryset=lambda: Record.objects.filter(kind=NOTIFICATION), serialize=notification_json, newest_first=True,
    update=notification_update)


def _driver(context, user_id: str) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None or (context.acting_user is not None and context.acting_user.pk != user.pk):
        raise not_found(f"No user found with id {user_id}.")
    return user


def _groups(user: User) -> tuple[Record | None, dict[str, bool]]:
    found = Record.objects.filter(kind=PREFERENCES, user_id=user.pk).first()
    return found, {**DEFAULT_GROUPS, **(found.data.get("groups", {}) if found is not None else {})}


def _preferences_json(context, user: User, groups: dict[str, bool]) -> dict:
    return {"url": f"{context.base}/users/{user.pk}/notification_preferences",
            "groups": {group: bool(groups.get(group)) for group in GROUPS}}


def preferences_get(context, user_id: str):
    user = _driver(context, user_id)
    return json_response(_preferences_json(context, user, _groups(user)[1]))


def preferences_update(context, user_id: str):
    user = _driver(context, user_id)
    body = context.body()
    if not isinstance(body, dict):
        raise validation_failed(PREFERENCES_INVALID, {"non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]})
    changes = body.get("groups", {})
    if changes is None:
        changes = {}
    if not isinstance(changes, dict):
        raise validation_failed(PREFERENCES_INVALID, {"groups": ["Expected a map of group name to true or false."]})
    unknown = [name for name in changes if name not in GROUPS]
    if unknown:
        raise validation_failed(PREFERENCES_INVALID, {"groups": [
            f"Unknown notification group: '{name}'." for name in unknown]})
    wrong = [name for name, value in changes.items() if not isinstance(value, bool)]
    if wrong:
        raise validation_failed(PREFERENCES_INVALID, {"groups": [f"{name}: must be true or false." for name in wrong]})
    found, groups = _groups(user)
    if changes:
        groups = {**groups, **changes}
        if found is None:
            Record.objects.create(id=ids.new_id("nprf"), kind=PREFERENCES, user_id=user.pk,
                                  at=user.joined_at, data={"groups": groups})
        else:
            found.data = {**found.data, "groups": groups}
            found.save(update_fields=["data"])
    return json_response(_preferences_json(context, user, groups))


DECLARATIONS = (
    NOTIFICATIONS,
    Endpoint(r"users/(?P<user_id>[^/]+)/notification_preferences",
             {"GET": Operation(preferences_get, PREFERENCES_READ),
              "PATCH": Operation(preferences_update, PREFERENCES_WRITE)}),
)
