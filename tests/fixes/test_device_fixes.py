"""The vehicle and charger fixes, applied through the page against the sandbox: what the page says, what
the API holds after, what the audit trail records; a reason on every one, a confirmation before a
disconnect, the API's validation on the form's fields, and a reconnection link kept out of the record."""

import logging

import pytest

from evadmin.audit import actions
from evadmin.evenergy import collections as c
from evadmin.fixes.registry import EVSE, FIXES, SUB_SESSION, VEHICLE
from tests.conftest import sent
from tests.fixes.conftest import fix_url, recorded, writes_sent


def target_of(name, driver) -> str:
    kind = FIXES[name].target
    return {VEHICLE: driver.vehicle_id, EVSE: driver.evse_id, SUB_SESSION: driver.sub_session_id}.get(kind, "")


@pytest.mark.parametrize("name", list(FIXES))
def test_every_fix_needs_a_reason_and_sends_nothing_without_one(pages, sandbox_api, healthy, name):
    lead = pages("support_lead")
    url = fix_url(healthy.user_id, name, target_of(name, healthy))
    page = lead.get(url).content.decode()
    assert "Reason or ticket reference" in page
    sandbox_api.reset()
    response = lead.post(url, {"reason": "", "confirm": "on", "limit": "80", "enabled": "off",
                               "email": "driver@example.com"})
    assert response.status_code == 400
    assert "Nothing was done" in response.content.decode() and "This field is required." in response.content.decode()
    assert writes_sent(sandbox_api) == []


def test_the_page_names_the_device_not_its_id(pages, healthy, direct_api):
    vehicle = direct_api.collection(c.VEHICLES).get(healthy.vehicle_id)
    page = pages("support").get(fix_url(healthy.user_id, "charge_limit", healthy.vehicle_id)).content.decode()
    assert f"{vehicle.make} {vehicle.model}" in page
    assert healthy.vehicle_id not in page.replace(f"?target={healthy.vehicle_id}", "")  # only in the form's URL


def test_a_disconnect_asks_for_confirmation_then_is_recorded(pages, sandbox_api, healthy, direct_api):
    lead = pages("support_lead")
    url = fix_url(healthy.user_id, "vehicle_disconnect", healthy.vehicle_id)
    assert "cannot be undone" in lead.get(url).content.decode()
    sandbox_api.reset()
    unconfirmed = lead.post(url, {"reason": "Ticket 4411: driver sold the car"})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm" in unconfirmed.content.decode()
    assert "Ticket 4411: driver sold the car" in unconfirmed.content.decode()  # what was typed is kept
    assert writes_sent(sandbox_api) == []

    done = lead.post(url, {"reason": "Ticket 4411: driver sold the car", "confirm": "on"}, follow=True)
    assert "Disconnected the integration" in done.content.decode() and "INACTIVE" in done.content.decode()
    assert len(writes_sent(sandbox_api)) == 1
    assert direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).integrated == "INACTIVE"
    [event] = recorded(actions.VEHICLE_DISCONNECT)
    assert event.before["integrated"] == "ACTIVE" and event.after["integrated"] == "INACTIVE"
    assert event.reason == "Ticket 4411: driver sold the car" and event.target_user_id == healthy.user_id


def test_smart_charging_is_switched_and_recorded(pages, sandbox_api, healthy, direct_api):
    support = pages("support")
    url = fix_url(healthy.user_id, "smart_charging", healthy.vehicle_id)
    assert direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).smart_charging_enabled is True
    done = support.post(url, {"reason": "Driver asked", "enabled": "off"}, follow=True)
    assert "Smart charging is now off" in done.content.decode()
    assert direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).smart_charging_enabled is False
    [event] = recorded(actions.VEHICLE_UPDATE)
    assert event.before["smart_charging_enabled"] is True and event.after["smart_charging_enabled"] is False
    assert event.reason == "Driver asked"
    # The driver's cached device list shows the API's answer: the next page costs nothing and is true.
    sandbox_api.reset()
    panel = support.get(f"/users/{healthy.user_id}/devices/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and writes_sent(sandbox_api) == [] and sandbox_api.api_requests() == []


def test_a_charge_limit_is_changed_and_its_bounds_land_on_the_field(pages, sandbox_api, healthy, direct_api):
    support = pages("support")
    url = fix_url(healthy.user_id, "charge_limit", healthy.vehicle_id)
    before = direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).maximum_charge_limit_percentage
    sandbox_api.reset()
    too_low = support.post(url, {"reason": "Ticket 9", "limit": "49"})
    assert too_low.status_code == 400 and "greater than or equal to 50" in too_low.content.decode()
    assert writes_sent(sandbox_api) == []
    wanted = 85 if before != 85 else 90
    done = support.post(url, {"reason": "Ticket 9", "limit": str(wanted)}, follow=True)
    assert f"set to {wanted}% (was {before}%)" in done.content.decode()
    assert direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).maximum_charge_limit_percentage == wanted
    [event] = recorded(actions.VEHICLE_UPDATE)
    assert event.before["maximum_charge_limit_percentage"] == before
    assert event.after["maximum_charge_limit_percentage"] == wanted


def test_a_vehicle_reconnection_link_is_shown_once_and_not_recorded(pages, sandbox_api, cases, caplog):
    case = cases["vehicle_integration_inactive"]
    support = pages("support")
    caplog.set_level(logging.DEBUG)
    response = support.post(fix_url(case["user_id"], "vehicle_reconnect", case["vehicle_id"]),
                            {"reason": "Ticket 77: token expired"})
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    [answer] = [entry for entry in sent(sandbox_api, "POST") if entry["path"].endswith("/reconnect")]
    link = next(word for word in page.split('"') if word.startswith("https://app.example.com/vehicle-onboarding/"))
    assert "Copy it now" in page and "Expires" in page
    [event] = recorded(actions.VEHICLE_RECONNECT_LINK)
    assert event.after["link_made"] is True and event.after["link_expires_at"]
    assert link not in str(event.before) + str(event.after) + event.reason
    assert link not in caplog.text
    assert answer["status"] == 201


def test_a_charger_reconnection_link_is_shown(pages, sandbox_api, healthy):
    response = pages("support").post(fix_url(healthy.user_id, "evse_reconnect", healthy.evse_id),
                                     {"reason": "Charger offline since Tuesday"})
    assert "https://app.example.com/evse-onboarding/" in response.content.decode()
    [event] = recorded(actions.EVSE_RECONNECT_LINK)
    assert event.after == {"evse": healthy.evse_id, "link_made": True, "link_expires_at": None}
