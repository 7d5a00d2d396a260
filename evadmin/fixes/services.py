"""The fixes an agent applies to a driver, each one a decision on record.

Every service reads the state before (through the read cache where the pages have just read it,
else one request), sends its write once (the API has no idempotency keys: never retried), records an
audit event with before, after and the agent's reason, and refreshes the cached reads it changed.
A lost answer (`errors.OutcomeUnknown`) is recorded as outcome unknown and re-raised: the page says
"may have happened" and what to check. A 409 becomes `FixRefused`, a sentence saying what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest

from evadmin.audit import actions
from evadmin.audit.services import audit_record
from evadmin.drivers.selectors import user_get, user_vehicle_written
from evadmin.evenergy import errors
from evadmin.evenergy.charging import EnergyRecalculation
from evadmin.evenergy.client import evenergy_client
from evadmin.evenergy.collections import (
    BOOST_END,
    BOOST_START,
    EVSE_RECONNECT,
    PASSWORD_RESET,
    RECALCULATE_ENERGY_USAGES,
    VEHICLE_DISCONNECT,
    VEHICLE_ONBOARDING_LINK,
    VEHICLE_RECONNECT,
    VEHICLES,
    call,
    perform,
)
from evadmin.evenergy.devices import ReconnectionLink
from evadmin.evenergy.read_cache import read_cache_forget
from evadmin.evenergy.resources import Vehicle
from evadmin.fixes import selectors

T = TypeVar("T")

BOOST, SMART = "BOOST", "SMART"
NO_OPEN_SESSION = ("No charging session is open for this driver, so there is nothing to boost: ask them to plug "
                   "the vehicle in, then try again.")
NOTHING_TO_END = "No charging session is open for this driver, so there is no boost to end."

# The API's 409s, by what their detail says (its problem type is a plain "conflict"), as what to do.
CONFLICT_SENTENCES = (
    ("Smart charging is turned off", "Smart charging is off for this vehicle: switch it on first (Switch smart "
                                     "charging), then boost.", "smart_charging"),
    ("already boosting", "The session is already boosting: there is nothing to start. End the boost if the "
                         "driver wants smart charging back.", "boost_end"),
    ("no in-progress smart charging", "The session is not smart charging right now, so there is nothing to "
                                      "boost: check the driver's charging sessions.", ""),
    ("has ended", "The charging session has ended (the vehicle was unplugged): ask the driver to plug in, then "
                  "try again.", ""),
    ("not boosting", "The session is not boosting: there is no boost to end.", ""),
)


class FixRefused(Exception):
    """The API refused the fix for the state things are in (nothing was changed): `message` says what
    to do; `next_fix` names the fix that would clear the way, `next_target` its target."""

    def __init__(self, message: str, *, next_fix: str = "", next_target: str = "") -> None:
        self.message, self.next_fix, self.next_target = message, next_fix, next_target
        super().__init__(message)


def refused_for(conflict: errors.Conflict, *, vehicle_id: str = "") -> FixRefused:
    for fragment, sentence, next_fix in CONFLICT_SENTENCES:
        if fragment.lower() in conflict.detail.lower():
            return FixRefused(sentence, next_fix=next_fix, next_target=vehicle_id if next_fix == "smart_charging"
                              else "")
    return FixRefused(f"The ev.energy API refused this for the state things are in now: "
                      f"{conflict.detail or conflict.title or 'a conflict'}. Reload the driver's page and check.")


def _sent_once(*, action: str, user_id: str, before: dict, send: Callable[[], T], actor, reason: str,
               request: HttpRequest | None, vehicle_id: str = "") -> T:
    """Send the write once; a lost answer is recorded as outcome unknown (and re-raised), a 409 is a
    FixRefused. The caller records the event of a write that happened (it knows the after)."""
    try:
        return send()
    except errors.OutcomeUnknown as exc:
        audit_record(actor=actor, action=action, target_user_id=user_id, before=before,
                     after={"outcome": "unknown", "check": exc.check}, reason=reason, request=request)
        read_cache_forget(scope=user_id)  # the check reloads the driver's pages: they must ask the API again
        raise
    except errors.Conflict as exc:
        read_cache_forget(scope=user_id)  # the API knows a state evadmin's pages did not show
        raise refused_for(exc, vehicle_id=vehicle_id) from exc


# --- Boost -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoostOutcome:
    session_id: str
    mode_before: str | None
    mode_after: str


def charging_session_boost_start(*, user_id: str, actor, reason: str,
                                 request: HttpRequest | None = None) -> BoostOutcome:
    """Boost the driver's open session: it charges now, whatever the price."""
    return _boost(user_id=user_id, to_mode=BOOST, actor=actor, reason=reason, request=request)


def charging_session_boost_end(*, user_id: str, actor, reason: str,
                               request: HttpRequest | None = None) -> BoostOutcome:
    """End the boost: the open session goes back to smart charging."""
    return _boost(user_id=user_id, to_mode=SMART, actor=actor, reason=reason, request=request)


def _boost(*, user_id: str, to_mode: str, actor, reason: str, request: HttpRequest | None) -> BoostOutcome:
    session = selectors.driver_open_session(user_id=user_id)
    if session is None:
        raise FixRefused(NO_OPEN_SESSION if to_mode == BOOST else NOTHING_TO_END)
    running = next((sub for sub in session.sub_sessions if sub.end is None), None)
    before = {"charging_session": session.id, "mode": running.mode if running else None}
    declaration, action = ((BOOST_START, actions.CHARGING_BOOST_START) if to_mode == BOOST
                           else (BOOST_END, actions.CHARGING_BOOST_END))
    client = evenergy_client()
    _sent_once(action=action, user_id=user_id, before=before, actor=actor, reason=reason, request=request,
               vehicle_id=session.related_id("vehicle") or "",
               send=lambda: perform(client, declaration, session.id))
    # The 200 is the API's word that the session switched mode (it ended the old sub-session and
    # started one in the new mode).
    after = {"charging_session": session.id, "mode": to_mode}
    audit_record(actor=actor, action=action, target_user_id=user_id, before=before, after=after, reason=reason,
                 request=request)
    read_cache_forget(scope=user_id)  # the driver's sessions changed
    return BoostOutcome(session.id, before["mode"], to_mode)


# --- Reconnection links ----------------------------------------------------------------------

def vehicle_reconnect_link(*, user_id: str, vehicle_id: str, actor, reason: str,
                           request: HttpRequest | None = None) -> ReconnectionLink:
    """A link for the driver to re-link the vehicle with its maker. The link is a credential: it is
    returned to be shown once, and only that one was made (and its expiry) is recorded."""
    vehicle = selectors.driver_vehicle(user_id=user_id, vehicle_id=vehicle_id)
    client = evenergy_client()
    return _reconnection_link(
        action=actions.VEHICLE_RECONNECT_LINK, user_id=user_id,
        before={"vehicle": vehicle.id, "integrated": vehicle.integrated},
        send=lambda: perform(client, VEHICLE_RECONNECT, vehicle.id), actor=actor, reason=reason, request=request)


def evse_reconnect_link(*, user_id: str, evse_id: str, actor, reason: str,
                        request: HttpRequest | None = None) -> ReconnectionLink:
    evse = selectors.driver_evse(user_id=user_id, evse_id=evse_id)
    client = evenergy_client()
    return _reconnection_link(
        action=actions.EVSE_RECONNECT_LINK, user_id=user_id, before={"evse": evse.id},
        send=lambda: perform(client, EVSE_RECONNECT, evse.id), actor=actor, reason=reason, request=request)


def _reconnection_link(*, action: str, user_id: str, before: dict, send, actor, reason: str,
                       request: HttpRequest | None) -> ReconnectionLink:
    link = _sent_once(action=action, user_id=user_id, before=before, send=send, actor=actor, reason=reason,
                      request=request)
    # Nothing evadmin reads changes until the driver follows the link: no cached read to refresh.
    audit_record(actor=actor, action=action, target_user_id=user_id, before=before,
                 after={**before, "link_made": True, "link_expires_at": link.expires_at}, reason=reason,
                 request=request)
    return link


# --- Vehicle settings and integration --------------------------------------------------------

def vehicle_disconnect(*, user_id: str, vehicle_id: str, actor, reason: str,
                       request: HttpRequest | None = None) -> Vehicle:
    """End the vehicle's integration at the driver's request: it cannot be undone from here (the
    driver links it again themselves); its open charging sessions end."""
    vehicle = selectors.driver_vehicle(user_id=user_id, vehicle_id=vehicle_id)
    before = {"vehicle": vehicle.id, "integrated": vehicle.integrated}
    client = evenergy_client()
    updated = _sent_once(action=actions.VEHICLE_DISCONNECT, user_id=user_id, before=before, actor=actor,
                         reason=reason, request=request, send=lambda: perform(client, VEHICLE_DISCONNECT, vehicle.id))
    audit_record(actor=actor, action=actions.VEHICLE_DISCONNECT, target_user_id=user_id, before=before,
                 after={"vehicle": vehicle.id, "integrated": updated.integrated}, reason=reason, request=request)
    read_cache_forget(scope=user_id)  # the vehicle and its sessions changed
    return updated


def vehicle_set_smart_charging(*, user_id: str, vehicle_id: str, enabled: bool, actor, reason: str,
                               request: HttpRequest | None = None) -> Vehicle:
    return _vehicle_update(user_id=user_id, vehicle_id=vehicle_id, field="smart_charging_enabled", value=enabled,
                           actor=actor, reason=reason, request=request)


def vehicle_set_charge_limit(*, user_id: str, vehicle_id: str, limit: int, actor, reason: str,
                             request: HttpRequest | None = None) -> Vehicle:
    """The most the vehicle is charged to, 50..100 % (the API refuses anything else)."""
    return _vehicle_update(user_id=user_id, vehicle_id=vehicle_id, field="maximum_charge_limit_percentage",
                           value=limit, actor=actor, reason=reason, request=request)


def _vehicle_update(*, user_id: str, vehicle_id: str, field: str, value: Any, actor, reason: str,
                    request: HttpRequest | None) -> Vehicle:
    vehicle = selectors.driver_vehicle(user_id=user_id, vehicle_id=vehicle_id)
    before = {"vehicle": vehicle.id, field: getattr(vehicle, field)}
    client = evenergy_client()
    shown = ("on" if value else "off") if isinstance(value, bool) else f"{value}"
    check = f"Reload the driver's vehicles: {field.replace('_', ' ')} reads {shown} if the change was made."
    updated = _sent_once(action=actions.VEHICLE_UPDATE, user_id=user_id, before=before, actor=actor, reason=reason,
                         request=request, send=lambda: client.collection(VEHICLES).update(
                             vehicle.id, {field: value}, check=check))
    audit_record(actor=actor, action=actions.VEHICLE_UPDATE, target_user_id=user_id, before=before,
                 after={"vehicle": vehicle.id, field: getattr(updated, field)}, reason=reason, request=request)
    user_vehicle_written(user_id=user_id, vehicle=updated)
    return updated


# --- Messages to the driver ------------------------------------------------------------------

def vehicle_onboarding_link_send(*, user_id: str, email: str, make_id: str, actor, reason: str,
                                 request: HttpRequest | None = None) -> str:
    """Email the driver a link to onboard a vehicle of this make (sent as the driver). Returns the
    make's name."""
    makes = {make.id: make for make in selectors.vehicle_makes()}
    make = makes.get(make_id)
    make_name = (make.display_name or make.name) if make else make_id
    after = {"sent_to": email, "make": make_name}
    client = evenergy_client()
    _sent_once(action=actions.VEHICLE_ONBOARDING_LINK, user_id=user_id, before={}, actor=actor, reason=reason,
               request=request, send=lambda: call(client, VEHICLE_ONBOARDING_LINK, user=user_id,
                                                  json={"email": email, "make": make_id}))
    audit_record(actor=actor, action=actions.VEHICLE_ONBOARDING_LINK, target_user_id=user_id, before=None,
                 after=after, reason=reason, request=request)
    return make_name


def user_password_reset(*, user_id: str, actor, reason: str, request: HttpRequest | None = None) -> str:
    """Send the driver a password reset email, to the address on their account. Returns it."""
    read = user_get(user_id=user_id)  # the address on the account now, never an old copy's
    if read.unavailable:
        raise read.unavailable
    email = read.value.email
    client = evenergy_client()
    _sent_once(action=actions.USER_PASSWORD_RESET, user_id=user_id, before={}, actor=actor, reason=reason,
               request=request, send=lambda: call(client, PASSWORD_RESET, json={"email": email}))
    audit_record(actor=actor, action=actions.USER_PASSWORD_RESET, target_user_id=user_id, before=None,
                 after={"sent_to": email}, reason=reason, request=request)
    return email


# --- Energy recalculation --------------------------------------------------------------------

@dataclass(frozen=True)
class Recalculation:
    previous_watt_hours: int | None
    new_watt_hours: int | None
    applied: bool

    @property
    def changes_anything(self) -> bool:
        return self.previous_watt_hours != self.new_watt_hours


def sub_session_recalculation_preview(*, user_id: str, sub_session_id: str) -> Recalculation:
    """The dry run (`dry_run: true`): what a recalculation would change, changing nothing. Not on
    record: nothing happens until the agent confirms."""
    sub_session = selectors.driver_sub_session(user_id=user_id, sub_session_id=sub_session_id)
    answer = perform(evenergy_client(), RECALCULATE_ENERGY_USAGES, sub_session.id,
                     json={"dry_run": True, "cap_overages": True})
    return _recalculation(answer, applied=False)


def sub_session_recalculate(*, user_id: str, sub_session_id: str, actor, reason: str,
                            request: HttpRequest | None = None) -> Recalculation:
    """Apply the recalculation (after the agent saw its dry run); over-delivery is capped at what the
    battery could take (`cap_overages`)."""
    sub_session = selectors.driver_sub_session(user_id=user_id, sub_session_id=sub_session_id)
    before = {"charging_sub_session": sub_session.id,
              "energy_delivered_watt_hours": sub_session.energy_delivered_watt_hours}
    client = evenergy_client()
    answer = _sent_once(action=actions.SUB_SESSION_RECALCULATE, user_id=user_id, before=before, actor=actor,
                        reason=reason, request=request,
                        send=lambda: perform(client, RECALCULATE_ENERGY_USAGES, sub_session.id,
                                             json={"dry_run": False, "cap_overages": True}))
    result = _recalculation(answer, applied=True)
    audit_record(actor=actor, action=actions.SUB_SESSION_RECALCULATE, target_user_id=user_id,
                 before={**before, "energy_delivered_watt_hours": result.previous_watt_hours},
                 after={"charging_sub_session": sub_session.id,
                        "energy_delivered_watt_hours": result.new_watt_hours}, reason=reason, request=request)
    read_cache_forget(scope=user_id)  # the sub-session's figures changed
    return result


def _recalculation(answer: EnergyRecalculation, *, applied: bool) -> Recalculation:
    return Recalculation(answer.previous_energy_delivered_watt_hours, answer.new_energy_delivered_watt_hours,
                         applied)
