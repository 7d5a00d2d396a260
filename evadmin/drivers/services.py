"""Writes to users through the API, each one checked, minimal, and recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_diff, audit_record
from evadmin.driver_directory.services import directory_upsert_user
from evadmin.drivers.selectors import USER_LIST
from evadmin.evenergy import errors
from evadmin.evenergy.client import UsersApi, evenergy_client
from evadmin.evenergy.payloads import CLEARED_ADDRESS, EMPTY_LOCATION, location_to_api, user_changes
from evadmin.evenergy.read_cache import read_cache_forget, read_cache_store
from evadmin.evenergy.resources import User


class EditConflict(Exception):
    """Someone changed the user between loading the form and saving it."""

    def __init__(self, *, current: User, submitted: dict[str, Any]) -> None:
        self.current = current
        self.submitted = submitted
        super().__init__(f"{current.id} changed since it was loaded")


class DuplicateEmail(Exception):
    """An account with this email already exists (the API itself would create a second one)."""

    def __init__(self, existing: list[User]) -> None:
        self.existing = existing
        super().__init__(", ".join(user.id for user in existing))


# The API may still create the account after evadmin stopped waiting; saving again is safe because
# user_create looks the email up first.
CREATE_UNCONFIRMED_MESSAGE = (
    "The ev.energy API did not answer in time, so evadmin cannot tell whether the account was created."
    " Wait a moment and save again: if it was created, evadmin will say so rather than create a second one."
)


def user_create(
    *, email: str, location: dict[str, Any] | None, actor, reason: str = "", request: HttpRequest | None = None
) -> User:
    client = evenergy_client()
    # The API has no idempotency key and no email uniqueness: look before creating.
    existing = client.users.find_by_email(email)
    if existing:
        raise DuplicateEmail(existing)
    payload = location_to_api(location) if location else None
    try:
        user = client.users.create(email=email, default_location=payload)
    except errors.TransportError as exc:
        if not exc.request_sent:
            raise
        # The request may have created the user before the connection failed: look, don't resend.
        created = client.users.find_by_email(email)
        if len(created) != 1:
            exc.user_message = CREATE_UNCONFIRMED_MESSAGE
            raise
        user = created[0]
    user = client.users.get(user.id, expand=UsersApi.FULL_EXPAND)
    _keep_locally(user)  # searches find the new account at once, not at the next sync
    audit_record(
        actor=actor, action=actions.USER_CREATE, target_user_id=user.id,
        before=None, after=user.editable_values(), reason=reason, request=request,
    )
    return user


def user_update(
    *,
    user_id: str,
    email: str,
    location: dict[str, Any],
    seen_fingerprint: str,
    actor,
    reason: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Save the edit unless someone else changed the user since `seen_fingerprint` was taken."""
    current = evenergy_client().users.get(user_id, expand=UsersApi.FULL_EXPAND)
    return _save_if_unchanged(
        current, email=email, location=location, seen_fingerprint=seen_fingerprint,
        actor=actor, reason=reason, request=request, action=actions.USER_UPDATE,
    )


def user_clear_address(
    *, user_id: str, seen_fingerprint: str, actor, reason: str = "", request: HttpRequest | None = None
) -> User:
    """Remove the address and coordinates, keeping tariff and EVSE site."""
    current = evenergy_client().users.get(user_id, expand=UsersApi.FULL_EXPAND)
    location = {**(current.editable_values()["default_location"] or EMPTY_LOCATION), **CLEARED_ADDRESS}
    return _save_if_unchanged(
        current, email=current.email, location=location, seen_fingerprint=seen_fingerprint,
        actor=actor, reason=reason, request=request, action=actions.USER_CLEAR_ADDRESS,
    )


def _save_if_unchanged(current: User, *, email, location, seen_fingerprint, actor, reason, request, action) -> User:
    # Lost-update guard: `current` was just read again; the form carried what the agent saw.
    if current.fingerprint != seen_fingerprint:
        raise EditConflict(current=current, submitted={"email": email, "default_location": location})
    changes = user_changes(current, email=email, location=location)
    if not changes:
        return current
    if "default_location" in changes:
        changes["default_location"] = location_to_api(changes["default_location"])
    updated = evenergy_client().users.update(current.id, changes=changes, expand=UsersApi.FULL_EXPAND)
    _keep_locally(updated)  # the API's answer is the new state: no extra request
    before, after = audit_diff(current.editable_values(), updated.editable_values())
    audit_record(
        actor=actor, action=action, target_user_id=current.id,
        before=before, after=after, reason=reason, request=request,
    )
    return updated


def _keep_locally(user: User) -> None:
    """What a write made is what the pages show next, without a request: the directory's copy, the
    driver's cached read, and (since the list shows them) a fresh API list."""
    directory_upsert_user(user)
    read_cache_store(scope=user.id, name="user", value=user)
    read_cache_forget(scope=USER_LIST)

