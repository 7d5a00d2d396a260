"""The charging investigator in Chromium: each seeded support case of the sandbox, from the driver's
page to the evidence that explains it, as a support agent clicks through. The words expected come
from the case's ground truth (GET /_sandbox/seed/cases), in the driver's local time."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from evadmin.core.timezones import zone_named
from evadmin.evenergy.client import build_client
from evadmin.evenergy.collections import CHARGING_SUB_SESSIONS
from evadmin.evenergy.typed import parse_datetime

pytestmark = pytest.mark.browser


@pytest.fixture
def cases(api_settings, sandbox_api) -> dict:
    sandbox_api.reset(data=True)
    return sandbox_api.seed_cases()


def local(value: str, zone) -> datetime:
    return parse_datetime(value).astimezone(zone)


def driver_zone(case):
    """The zone the driver's sub-sessions carry (the sandbox's truth is in UTC)."""
    first = build_client().collection(CHARGING_SUB_SESSIONS).list(user=case["user_id"], page_size=1, expand=()).items[0]
    return zone_named(first.location["timezone"])


def open_sub_session_from_driver_page(browser_page, case):
    """The driver's page, its Charging panel (loaded lazily), then the case night's sub-session."""
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")
    charging = page.locator("#charging")
    expect(charging.locator("table.charging-sessions")).to_be_visible()
    charging.locator(f'a[href$="/charging/{case["sub_session_id"]}/"]').click()
    expect(page).to_have_url(re.compile(rf"/charging/{case['sub_session_id']}/$"))
    return page


def verdict(page, rule: str):
    return page.locator(f'#verdicts .verdict[data-rule="{rule}"]')


def test_the_offline_night_from_the_panel_to_the_charger_offline_verdict(signed_in_page, cases):
    case = cases["charger_offline_no_charge"]
    zone = driver_zone(case)
    plugged_in, offline_from = local(case["night"]["plugged_in_at"], zone), local(case["offline"]["from"], zone)
    offline_until = local(case["offline"]["until"], zone)
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")

    night_row = page.locator("#charging tr.no-session", has_text=f"{plugged_in:%a} {plugged_in.day} {plugged_in:%b}")
    night_row.scroll_into_view_if_needed()  # the check loads when revealed: one request
    expect(night_row).to_contain_text(f"The vehicle reported being plugged in from {plugged_in:%H:%M}")
    expect(night_row).to_contain_text("but no charging session started")
    night_row.get_by_role("link", name="Look into this night").click()

    expect(page).to_have_url(re.compile(rf"/charging/nights/{plugged_in:%Y-%m-%d}/"))
    offline = verdict(page, "charger_offline")
    expect(offline).to_contain_text(f"The charger was offline from {offline_from:%H:%M}")
    expect(offline).to_contain_text(f"to {offline_until:%H:%M}")
    expect(page.locator("#verdicts .verdict")).to_have_count(1)  # the cause, and nothing else

    # Each claim links to its evidence: the charger's OCPP log says the network went.
    offline.get_by_role("link", name=re.compile("^no heartbeat")).click()
    expect(page.locator("#log-evse_ocpp")).to_be_visible()
    expect(page.locator("#logs")).to_contain_text("Unavailable")
    expect(page.locator("#logs")).to_contain_text("Network connection lost")


def test_the_late_charge_names_the_ready_by_time_it_missed(signed_in_page, cases):
    case = cases["finished_after_ready_by"]
    zone = driver_zone(case)
    page = open_sub_session_from_driver_page(signed_in_page("support"), case)

    late = verdict(page, "finished_after_ready_by")
    ready_by, ended = local(case["night"]["ready_by"], zone), local(case["charging_ended_at"], zone)
    expect(late).to_contain_text(f"The charge ran until {ended:%H:%M}, after the ready-by time of {ready_by:%H:%M}")
    expect(page.locator("#verdicts .verdict")).to_have_count(1)
    expect(page.locator("#timeline svg")).to_be_visible()  # the chart the claims point at
    expect(page.locator("#assessment")).to_contain_text("AMBER")


def test_the_peak_charge_says_the_energy_was_bought_at_peak_during_a_boost(signed_in_page, cases):
    case = cases["charged_at_peak"]
    zone = driver_zone(case)
    page = open_sub_session_from_driver_page(signed_in_page("support"), case)

    peak = verdict(page, "charged_at_peak")
    first_peak = local(case["peak_intervals"][0]["started_at"], zone)
    expect(peak).to_contain_text("was bought at the day's peak price")
    expect(peak).to_contain_text(f"from {first_peak:%H:%M}")
    expect(peak).to_contain_text("during a boost")


def test_the_over_delivery_shows_a_red_assessment_and_its_flag(signed_in_page, cases):
    case = cases["energy_over_delivery"]
    page = open_sub_session_from_driver_page(signed_in_page("support_lead"), case)

    expect(page.locator(".page-heading")).to_contain_text("RED")
    over = verdict(page, "energy_over_delivery")
    expect(over).to_contain_text("more energy than the battery could take")
    expect(page.locator("#flags")).to_contain_text("Energy over delivery")
    # The fix the verdict suggests is offered to a support lead, as a dry run first.
    page.get_by_role("button", name="Recalculate energy use").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recalculate")


def test_a_healthy_night_gets_no_verdict(signed_in_page, cases):
    case = cases["healthy_control"]
    page = open_sub_session_from_driver_page(signed_in_page("viewer"), case)

    expect(page.locator("#timeline svg")).to_be_visible()
    expect(page.locator("#verdicts .verdict")).to_have_count(0)
    # Opening every log does not conjure one up.
    for source in ("evse_status", "evse_ocpp", "evse_errors", "vehicle_status", "vehicle_errors"):
        page.locator(f'button[value="{source}"]').click()
        expect(page.locator(f"#log-{source}")).to_be_visible()
    expect(page.locator("#verdicts .verdict")).to_have_count(0)


def test_the_inactive_integration_from_the_vehicle_panel_to_its_401s(signed_in_page, cases):
    case = cases["vehicle_integration_inactive"]
    zone = driver_zone(case)
    broken = local(case["integration_broken_since"], zone)
    browser_page = signed_in_page("support")
    page = browser_page.page
    browser_page.goto(f"/users/{case['user_id']}/")

    vehicle = page.locator(f"#vehicle-{case['vehicle_id']}")
    expect(vehicle).to_contain_text("INACTIVE: the manufacturer no longer answers: the driver must re-link it")
    expect(vehicle.get_by_role("switch")).to_be_disabled()  # no smart charging to switch without the integration
    vehicle.get_by_role("link", name="Error log (1 request)").click()
    log = page.locator(f"#vehicle-{case['vehicle_id']}-log-vehicle_errors")
    expect(log).to_contain_text(f"{case['error_logs']} errors from")
    expect(log.locator("tbody tr")).to_have_count(case["error_logs"])
    expect(page).to_have_url(f"{browser_page.base_url}/users/{case['user_id']}/")  # opened in its panel
    lost = vehicle.locator('.verdict[data-rule="vehicle_integration_lost"]')
    expect(lost).to_contain_text(f"The vehicle's integration has been inactive since {broken:%H:%M} on {broken.day} "
                                 f"{broken:%B}")
    expect(lost).to_contain_text("401 Unauthorized")
    expect(vehicle.locator(".verdict")).to_have_count(1)
    # The fix the verdict names is offered beside it.
    expect(vehicle.get_by_role("button", name="Send a vehicle reconnection link")).to_be_visible()


def test_the_poor_connectivity_charger_gets_its_verdict_and_a_healthy_one_none(signed_in_page, cases):
    poor, healthy = cases["poor_charger_connectivity"], cases["healthy_control"]
    browser_page = signed_in_page("viewer")
    page = browser_page.page

    browser_page.goto(f"/users/{poor['user_id']}/")
    charger = page.locator(f"#evse-{poor['evse_id']}")
    charger.get_by_role("link", name="Connectivity (1 request)").click()
    expect(charger).to_contain_text(f"{poor['connection_reliability_30d']}% of the time online")
    expect(charger).to_contain_text("This cost one API request.")
    expect(charger.locator('.verdict[data-rule="poor_charger_connectivity"]')).to_contain_text(
        f"online {poor['connection_reliability_30d']}% of the last 30 days")

    browser_page.goto(f"/users/{healthy['user_id']}/")
    charger = page.locator(f"#evse-{healthy['evse_id']}")
    charger.get_by_role("link", name="Connectivity (1 request)").click()
    expect(charger).to_contain_text(f"{healthy['connection_reliability_30d']}% of the time online")
    expect(charger.locator(".verdict")).to_have_count(0)
