"""Boost and energy recalculation through the page, against the sandbox: the open session found in one
request, the API's 409 as a sentence saying what to do, and a recalculation that is always a dry run
first, changing nothing until confirmed."""

import json

from evadmin.audit import actions
from evadmin.evenergy import collections as c
from evadmin.fixes.selectors import energy
from tests.conftest import sent
from tests.fixes.conftest import fix_url, recorded, writes_sent


def running_mode(direct_api, driver) -> str:
    [session] = direct_api.collection(c.CHARGING_SESSIONS).list(user=driver.user_id, page_size=1,
                                                                 expand=("sub_sessions",)).items
    return next(sub.mode for sub in session.sub_sessions if sub.end is None)


def test_a_boost_starts_and_ends_on_the_open_session(pages, sandbox_api, plugged_in, direct_api):
    support = pages("support")
    sandbox_api.reset()
    started = support.post(fix_url(plugged_in.user_id, "boost_start"), {"reason": "Needs the car by 6"}, follow=True)
    assert "Boost started" in started.content.decode()
    boost_calls = [entry for entry in sandbox_api.api_requests() if "charging_sessions" in entry["path"]]
    assert [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in boost_calls] == [
        ("GET", "charging_sessions"), ("POST", "boost_start")]  # the open session in one request, then the write
    assert running_mode(direct_api, plugged_in) == "BOOST"
    [event] = recorded(actions.CHARGING_BOOST_START)
    assert event.before == {"charging_session": plugged_in.session_id, "mode": "SMART"}
    assert event.after == {"charging_session": plugged_in.session_id, "mode": "BOOST"}
    assert event.reason == "Needs the car by 6"

    ended = support.post(fix_url(plugged_in.user_id, "boost_end"), {"reason": "Driver changed their mind"},
                         follow=True)
    assert "Boost ended" in ended.content.decode()
    assert running_mode(direct_api, plugged_in) == "SMART"
    [event] = recorded(actions.CHARGING_BOOST_END)
    assert (event.before["mode"], event.after["mode"]) == ("BOOST", "SMART")


def test_a_boost_with_smart_charging_off_says_to_switch_it_on_first(pages, sandbox_api, plugged_in, direct_api):
    direct_api.collection(c.VEHICLES).update(plugged_in.vehicle_id, {"smart_charging_enabled": False},
                                             check="test setup")
    sandbox_api.reset()
    response = pages("support").post(fix_url(plugged_in.user_id, "boost_start"), {"reason": "Ticket 12"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Smart charging is off for this vehicle: switch it on first (Switch smart charging), then boost." in page
    assert fix_url(plugged_in.user_id, "smart_charging", plugged_in.vehicle_id) in page  # the way to do it
    assert 'value="Ticket 12"' in page  # what the agent typed is kept
    assert len(sent(sandbox_api, "POST")) == 1  # sent once, refused, not retried
    assert recorded(actions.CHARGING_BOOST_START) == []  # nothing happened


def test_a_boost_without_an_open_session_says_so_and_sends_nothing(pages, sandbox_api, healthy):
    sandbox_api.reset()
    response = pages("support").post(fix_url(healthy.user_id, "boost_start"), {"reason": "Ticket 13"})
    assert response.status_code == 409
    assert "No charging session is open for this driver" in response.content.decode()
    assert writes_sent(sandbox_api) == []


def test_a_recalculation_is_a_dry_run_first_and_applied_only_on_confirmation(
        pages, sandbox_api, cases, over_delivery, direct_api):
    truth = cases["energy_over_delivery"]
    lead = pages("support_lead")
    url = fix_url(over_delivery.user_id, "recalculate", over_delivery.sub_session_id)
    form = lead.get(url).content.decode()
    assert energy(truth["energy_delivered_watt_hours"]) in form and "ENERGY_OVER_DELIVERY" in form

    sandbox_api.reset()
    dry_run = lead.post(url, {"reason": "Ticket 21: over-delivery"}).content.decode()
    [sent_dry_run] = sent(sandbox_api, "POST")
    assert json.loads(sent_dry_run["body"]) == {"dry_run": True, "cap_overages": True}
    assert "Dry run: nothing has changed yet" in dry_run and "cannot be undone" in dry_run
    # The figures shown are the API's: what was delivered, and the battery's capacity it is capped at.
    assert energy(truth["energy_delivered_watt_hours"]) in dry_run and energy(truth["capacity_watt_hours"]) in dry_run
    unchanged = direct_api.collection(c.CHARGING_SUB_SESSIONS).get(over_delivery.sub_session_id, expand=())
    assert unchanged.energy_delivered_watt_hours == truth["energy_delivered_watt_hours"]
    assert recorded(actions.SUB_SESSION_RECALCULATE) == []

    applied = lead.post(url, {"reason": "Ticket 21: over-delivery", "confirmed": "True"}, follow=True)
    assert "Energy use recalculated" in applied.content.decode()
    assert json.loads(sent(sandbox_api, "POST")[-1]["body"]) == {"dry_run": False, "cap_overages": True}
    after = direct_api.collection(c.CHARGING_SUB_SESSIONS).get(over_delivery.sub_session_id, expand=())
    assert after.energy_delivered_watt_hours == truth["capacity_watt_hours"]
    [event] = recorded(actions.SUB_SESSION_RECALCULATE)
    assert event.before["energy_delivered_watt_hours"] == truth["energy_delivered_watt_hours"]
    assert event.after["energy_delivered_watt_hours"] == truth["capacity_watt_hours"]
    assert event.reason == "Ticket 21: over-delivery"
