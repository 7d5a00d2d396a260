"""A sub-session's page: at most three requests before any log, each log panel one (none once read),
names not ids, the driver's local time, the flags, ratings and reasons in words, the fix links."""

import re

from evadmin.evenergy.collections import CHARGING_SUB_SESSIONS
from evadmin.evenergy.read_cache import read_cache_forget
from tests.charging.conftest import api_gets, case_zone, moment, text_of


def page_of(client, case, **params):
    response = client.get(f"/users/{case['user_id']}/charging/{case['sub_session_id']}/", params)
    assert response.status_code == 200
    return response.content.decode()


def logs_of(client, case, **params):
    response = client.get(f"/users/{case['user_id']}/charging/logs/", {"sub_session": case["sub_session_id"], **params},
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_costs_at_most_three_requests_then_none(pages, sandbox_api, cases):
    case = cases["energy_over_delivery"]
    agent = pages("viewer")
    sandbox_api.reset()
    html = page_of(agent, case)
    paths = [read["path"] for read in api_gets(sandbox_api)]
    assert len(paths) <= 3
    assert paths[0] == f"/v2/charging_sub_sessions/{case['sub_session_id']}"
    assert f"/v2/charging_sub_sessions/{case['sub_session_id']}/schedule_plans" in paths
    assert any(path.endswith("/prices") for path in paths)
    expand = api_gets(sandbox_api)[0]["query"]
    for part in ("energy_usage", "schedules", "debug_metadata", "vehicle.trim.model.make", "evse.model.make"):
        assert f"expand={part}" in expand
    assert f"This page cost {len(paths)} API request" in html

    page_of(agent, case)
    assert len(api_gets(sandbox_api)) == len(paths)


def test_each_log_panel_costs_one_request_and_says_so(pages, sandbox_api, cases):
    case = cases["energy_over_delivery"]
    agent = pages("viewer")
    html = page_of(agent, case)
    for label in ("Charger status log", "Charger OCPP log", "Charger error log", "Charger command log",
                  "Vehicle status log", "Vehicle error log", "Vehicle command log", "Dispatcher log"):
        assert f"{label} · 1 request" in html
    sandbox_api.reset()
    ocpp = logs_of(agent, case, add="evse_ocpp")
    assert [read["path"] for read in api_gets(sandbox_api)] == [f"/v2/evses/{case['evse_id']}/ocpp_logs"]
    assert "page_size=100" in api_gets(sandbox_api)[0]["query"] and "sampled_at__gte" in api_gets(sandbox_api)[0]["query"]
    assert "<html" not in ocpp and 'id="verdicts" aria-label="Verdicts" hx-swap-oob="true"' in ocpp
    assert "read just now: 1 request" in ocpp and "Charger OCPP log · 1 request" not in ocpp

    both = logs_of(agent, case, logs="evse_ocpp", add="dispatcher")
    paths = [read["path"] for read in api_gets(sandbox_api)]
    assert paths[1:] == ["/v2/dispatcher_logs"]
    assert "Command sent to the evse" in both and "MeterValues" in both

    logs_of(agent, case, logs="evse_ocpp,dispatcher")
    page_of(agent, case, logs="evse_ocpp,dispatcher")  # the page itself, from the cache
    assert len(api_gets(sandbox_api)) == 2


def test_adding_a_log_after_the_cache_time_costs_only_that_log(pages, sandbox_api, cases):
    """Past the cache time, a log button still costs the one request it says: what the page read is
    taken as evadmin holds it (its age shown), not read again."""
    case = cases["finished_after_ready_by"]
    agent = pages("viewer")
    page_of(agent, case)
    logs_of(agent, case, add="evse_status")
    read_cache_forget(scope=case["user_id"])  # every fresh read of the driver is now stale
    sandbox_api.reset()
    html = logs_of(agent, case, logs="evse_status", add="vehicle_status")
    assert [read["path"] for read in api_gets(sandbox_api)] == [f"/v2/vehicles/{case['vehicle_id']}/status_logs"]
    assert "read just now: 1 request" in html and "ago: no request" in html


def test_names_not_ids_and_words_not_codes(pages, cases, direct_api):
    case = cases["energy_over_delivery"]
    html = page_of(pages("viewer"), case)
    text = text_of(html)
    sub = direct_api.collection(CHARGING_SUB_SESSIONS).get(
        case["sub_session_id"], user=case["user_id"], expand=("vehicle.trim.model.make", "evse.model.make"))
    assert sub.vehicle.make and f"{sub.vehicle.make} {sub.vehicle.model}" in text
    assert sub.evse.make and f"{sub.evse.make} {sub.evse.model}" in text
    assert case["vehicle_id"] not in html and case["evse_id"] not in html
    assert not re.search(r"\b(vhcl|evse)[0-9A-Z]{26}\b", text)
    assert "Energy over delivery: caused by charge measurement oscillation" in text
    assert "Overall: RED" in text and "Energy delivered against the battery's room: RED" in text
    assert "Started because the vehicle was plugged into the charger" in text
    assert 'id="flags"' in html and 'id="assessment"' in html and 'id="reasons"' in html and 'id="timeline"' in html


def test_times_in_the_drivers_zone_with_utc_on_hover(pages, cases, direct_api):
    case = cases["finished_after_ready_by"]
    zone = case_zone(direct_api, case)
    html = page_of(pages("viewer"), case)
    ready_by = moment(case["night"]["ready_by"])
    local = ready_by.astimezone(zone)
    assert f'title="{ready_by:%Y-%m-%d %H:%M} UTC">{local.day} {local:%b %H:%M}</time>' in html
    assert getattr(zone, "key", "UTC") in html


def test_the_chart_draws_the_energy_the_ready_by_time_and_the_prices(pages, cases):
    case = cases["finished_after_ready_by"]
    html = page_of(pages("viewer"), case)
    chart = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in chart and 'class="energy-bar"' in chart and 'class="price-line"' in chart
    assert 'class="schedule-line"' in chart and 'class="marker-ready_by"' in chart
    assert ">Plugged in</text>" in chart and ">Unplugged</text>" in chart
    assert "The figures per half-hour" in chart and " Wh</td>" in chart


def test_fix_links_for_staff_who_may_apply_them(pages, cases):
    case = cases["energy_over_delivery"]
    lead = page_of(pages("support_lead"), case)
    assert f"/fixes/recalculate/?target={case['sub_session_id']}" in lead
    viewer = page_of(pages("viewer"), case)
    assert "/fixes/" not in viewer
