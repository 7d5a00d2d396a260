"""A lost answer, for every fix: the write reached the API (or may have) and only a gateway's 504 came
back. The page says it "may have happened" and what to check (the fix's own words), the write was sent
once and never again, the audit trail records it as outcome unknown, and what the agent typed is kept.

The answer is lost with the sandbox's scripted fault for the write's method only, so the reads before
the write (the form's GET, the target's reads on POST) are untouched and the client's `write` turns the
504 into `errors.OutcomeUnknown`."""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape

import pytest
from django.utils.html import escape

from evadmin.audit import actions
from evadmin.evenergy import collections as c
from evadmin.evenergy.client import reset_evenergy_client
from evadmin.evenergy.collections import perform
from evadmin.fixes.registry import FIXES
from tests.conftest import sent
from tests.fixes.conftest import Driver, fix_url, recorded, writes_sent

LOST = 504  # a gateway's answer: the write may have been passed on (client.MAYBE_PASSED_ON_STATUSES)


@dataclass(frozen=True)
class LostAnswer:
    """How to apply one fix and what its lost answer must say and record."""

    driver: str  # the fixture naming the driver the fix is applied to (tests/fixes/conftest.py)
    action: str  # the audit event the fix records
    method: str  # the write's method: the only one the fault is scripted for
    path: Callable[[Driver], str]  # the write's API path (under /v2)
    check: str  # what the agent is told to check before trying again
    target: Callable[[Driver], str] = lambda driver: ""
    data: dict = field(default_factory=dict)  # the form's fields besides the reason


def _vehicle(driver: Driver) -> str:
    return driver.vehicle_id


CASES: dict[str, LostAnswer] = {
    "boost_start": LostAnswer(
        "plugged_in", actions.CHARGING_BOOST_START, "POST",
        lambda d: c.BOOST_START.path.format(id=d.session_id), c.BOOST_START.check),
    "boost_end": LostAnswer(
        "boosting", actions.CHARGING_BOOST_END, "POST",
        lambda d: c.BOOST_END.path.format(id=d.session_id), c.BOOST_END.check),
    "vehicle_reconnect": LostAnswer(
        "healthy", actions.VEHICLE_RECONNECT_LINK, "POST",
        lambda d: c.VEHICLE_RECONNECT.path.format(id=d.vehicle_id), c.VEHICLE_RECONNECT.check, target=_vehicle),
    "evse_reconnect": LostAnswer(
        "healthy", actions.EVSE_RECONNECT_LINK, "POST",
        lambda d: c.EVSE_RECONNECT.path.format(id=d.evse_id), c.EVSE_RECONNECT.check,
        target=lambda d: d.evse_id),
    "vehicle_disconnect": LostAnswer(
        "healthy", actions.VEHICLE_DISCONNECT, "POST",
        lambda d: c.VEHICLE_DISCONNECT.path.format(id=d.vehicle_id), c.VEHICLE_DISCONNECT.check,
        target=_vehicle, data={"confirm": "on"}),
    # The vehicle settings are a PATCH of the vehicle; their check is the service's, naming the value sent.
    "smart_charging": LostAnswer(
        "healthy", actions.VEHICLE_UPDATE, "PATCH", lambda d: c.VEHICLES.object_path(d.vehicle_id, None),
        "Reload the driver's vehicles: smart charging enabled reads off if the change was made.",
        target=_vehicle, data={"enabled": "off"}),
    "charge_limit": LostAnswer(
        "healthy", actions.VEHICLE_UPDATE, "PATCH", lambda d: c.VEHICLES.object_path(d.vehicle_id, None),
        "Reload the driver's vehicles: maximum charge limit percentage reads 85 if the change was made.",
        target=_vehicle, data={"limit": "85"}),
    "onboarding_link": LostAnswer(
        "healthy", actions.VEHICLE_ONBOARDING_LINK, "POST", lambda d: c.VEHICLE_ONBOARDING_LINK.path,
        c.VEHICLE_ONBOARDING_LINK.check),  # + the address on the account and a make, read below
    "recalculate": LostAnswer(
        "over_delivery", actions.SUB_SESSION_RECALCULATE, "POST",
        lambda d: c.RECALCULATE_ENERGY_USAGES.path.format(id=d.sub_session_id), c.RECALCULATE_ENERGY_USAGES.check,
        target=lambda d: d.sub_session_id),
    "password_reset": LostAnswer(
        "healthy", actions.USER_PASSWORD_RESET, "POST", lambda d: c.PASSWORD_RESET.path, c.PASSWORD_RESET.check),
}


@pytest.fixture
def boosting(plugged_in, direct_api) -> Driver:
    """The plugged-in driver, boosting now (started behind evadmin's back): a boost to end."""
    perform(direct_api, c.BOOST_START, plugged_in.session_id)
    return plugged_in


def running_mode(direct_api, driver: Driver) -> str:
    [session] = direct_api.collection(c.CHARGING_SESSIONS).list(user=driver.user_id, page_size=1,
                                                                 expand=("sub_sessions",)).items
    assert session.id == driver.session_id
    return next(sub.mode for sub in session.sub_sessions if sub.end is None)


def lose_the_answer(sandbox_api, method: str) -> None:
    """The request log starts empty, and the next write of `method` is answered 504 (reads pass by)."""
    sandbox_api.reset()
    sandbox_api.faults(fail_next=[{"status": LOST, "method": method}])


def test_every_fix_has_its_lost_answer_case():
    assert set(CASES) == set(FIXES), "a fix without a lost-answer case here, or a case for no fix"


@pytest.mark.parametrize("name", list(FIXES))
def test_a_lost_answer_may_have_happened_is_recorded_and_not_sent_again(
        request, name, pages, sandbox_api, direct_api):
    case = CASES[name]  # a KeyError here: a new fix needs its case above
    driver: Driver = request.getfixturevalue(case.driver)
    lead = pages("support_lead")  # holds every fix's permission
    url = fix_url(driver.user_id, name, case.target(driver))
    reason = f"Ticket 31: {name}"
    data = {"reason": reason, **case.data}
    if name == "onboarding_link":
        data["email"] = direct_api.users.get(driver.user_id).email
        data["make"] = next(make.id for make in direct_api.collection(c.VEHICLE_MAKES).list(page_size=100))

    assert lead.get(url).status_code == 200  # the form: its reads are made (and cached) before the write
    if name == "recalculate":  # the dry run first, answered; then its Apply, whose answer is lost
        dry_run = lead.post(url, data)
        assert dry_run.status_code == 200 and "Dry run: nothing has changed yet" in dry_run.content.decode()
        data["confirmed"] = "True"
    lose_the_answer(sandbox_api, case.method)

    response = lead.post(url, data)
    page = response.content.decode()
    assert response.status_code == 503, page  # not a success, nor a redirect to the driver saying it was done
    assert f"{escape(FIXES[name].label)}: it may have happened." in page and "has not sent it again" in page
    assert f"Check first: {escape(case.check)}" in page  # the fix's own words on what to check
    assert f'value="{reason}"' in page  # what the agent typed is kept

    # Sent once, answered 504, never again: no other write at all.
    [write] = [entry for entry in sent(sandbox_api, case.method) if entry["path"].endswith(case.path(driver))]
    assert write["status"] == LOST
    assert writes_sent(sandbox_api) == [write]

    [event] = recorded(case.action)
    assert event.after == {"outcome": "unknown", "check": case.check}
    assert event.reason == reason and event.target_user_id == driver.user_id


def test_whether_a_lost_boost_happened_is_left_to_the_agent(pages, sandbox_api, plugged_in, direct_api):
    """The API never got to boost (the gateway answered 504 in its place) and evadmin did not try again:
    the session still smart charges, and the page sends the agent to look rather than saying so."""
    support = pages("support")
    url = fix_url(plugged_in.user_id, "boost_start")
    assert support.get(url).status_code == 200
    lose_the_answer(sandbox_api, "POST")
    page = support.post(url, {"reason": "Ticket 32"}).content.decode()
    assert "it may have happened" in page and "Boost started" not in page
    assert running_mode(direct_api, plugged_in) == "SMART"  # not done, and not redone behind the agent's back
    assert [entry["path"].rsplit("/", 1)[-1] for entry in writes_sent(sandbox_api)] == ["boost_start"]
    assert sandbox_api.faults()["fail_next"] == []  # the one scripted loss was used, by that one write


def form_fields(page: str) -> dict:
    """The fields the page's fix form would send as it stands (what one click on its button posts)."""
    form = page[page.rindex('<form method="post"'):]
    form = form[:form.index("</form>")]
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attributes.get("type") == "checkbox" and " checked" not in tag:
            continue
        if "name" in attributes and attributes["name"] != "csrfmiddlewaretoken":
            fields[attributes["name"]] = unescape(attributes.get("value", "on"))
    return fields


def test_after_a_lost_recalculation_the_pages_button_runs_a_dry_run_not_the_apply(
        pages, sandbox_api, over_delivery):
    lead = pages("support_lead")
    url = fix_url(over_delivery.user_id, "recalculate", over_delivery.sub_session_id)
    assert lead.get(url).status_code == 200
    assert lead.post(url, {"reason": "Ticket 33"}).status_code == 200  # the dry run
    lose_the_answer(sandbox_api, "POST")
    page = lead.post(url, {"reason": "Ticket 33", "confirmed": "True"}).content.decode()
    assert "it may have happened" in page and "Run the dry run" in page
    lead.post(url, form_fields(page))  # the agent presses the button the page offers
    [_lost, next_one] = sent(sandbox_api, "POST")
    assert json.loads(next_one["body"])["dry_run"] is True  # what the button says: nothing applied unseen


def test_after_a_lost_answer_that_happened_reloading_the_driver_shows_it(
        pages, sandbox_api, healthy, direct_api, api_settings):
    """The check sends the agent to the driver's page: it must ask the API again, not show the cached
    copy from before the write (which would say the change was not made, inviting a second one)."""
    support = pages("support")
    devices = f"/users/{healthy.user_id}/devices/"
    before = direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).maximum_charge_limit_percentage
    wanted = 77 if before != 77 else 78
    assert f'value="{before}"' in support.get(devices, HTTP_HX_REQUEST="true").content.decode()  # cached
    url = fix_url(healthy.user_id, "charge_limit", healthy.vehicle_id)
    assert support.get(url).status_code == 200
    # The answer is lost after the API made the change: evadmin stops waiting, the sandbox finishes it.
    api_settings.EVADMIN_API_TIMEOUT = 0.5
    reset_evenergy_client()
    sandbox_api.reset()
    sandbox_api.faults(hang_next=1, hang_seconds=1.5)
    page = support.post(url, {"reason": "Ticket 34", "limit": str(wanted)}).content.decode()
    assert "it may have happened" in page
    time.sleep(1.7)
    assert direct_api.collection(c.VEHICLES).get(healthy.vehicle_id).maximum_charge_limit_percentage == wanted
    # The check: "Reload the driver's vehicles: maximum charge limit percentage reads <wanted> if the change was made."
    assert f'value="{wanted}"' in support.get(devices, HTTP_HX_REQUEST="true").content.decode()
