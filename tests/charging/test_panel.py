"""The driver's Charging panel: one request a page, filters and paging, and the nights without a session."""

import re
from datetime import timedelta

from evadmin.charging.selectors import GAP_CHECKS_PER_PAGE, PANEL_PAGE_SIZE
from tests.charging.conftest import api_gets, case_zone, moment, text_of


def panel(client, user_id, **params):
    response = client.get(f"/users/{user_id}/charging/", params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def sub_session_ids(html):
    return re.findall(r'/charging/(csub[0-9A-Z]{26})/', html)


def test_a_page_costs_one_request_then_none_within_the_cache_time(pages, sandbox_api, cases):
    case = cases["healthy_control"]
    agent = pages("viewer")
    sandbox_api.reset()
    html = panel(agent, case["user_id"])
    reads = api_gets(sandbox_api)
    assert len(reads) == 1 and reads[0]["path"] == "/v2/charging_sub_sessions"
    assert reads[0]["user_header"] == case["user_id"]
    assert "<html" not in html and "One API request a page" in html
    assert case["sub_session_id"] in sub_session_ids(html)
    assert len(sub_session_ids(html)) == PANEL_PAGE_SIZE

    again = panel(agent, case["user_id"])
    assert len(api_gets(sandbox_api)) == 1
    assert "opening it again costs no request" in again


def test_the_driver_page_loads_the_panel_lazily(pages, cases):
    case = cases["healthy_control"]
    html = pages("viewer").get(f"/users/{case['user_id']}/").content.decode()
    url = f"/users/{case['user_id']}/charging/"
    assert f'hx-get="{url}"' in html and f'href="{url}"' in html and ">Charging</h2>" in html


def test_rows_show_times_in_the_drivers_zone_with_utc_on_hover(pages, cases, direct_api):
    case = cases["finished_after_ready_by"]
    zone = case_zone(direct_api, case)
    html = panel(pages("viewer"), case["user_id"])
    plugged_in = moment(case["night"]["plugged_in_at"])
    local = plugged_in.astimezone(zone)
    assert (f'title="{plugged_in:%Y-%m-%d %H:%M} UTC">{local.day} {local:%b %H:%M}</time>') in html
    assert "on the sub-session&#x27;s page" in html or "on the sub-session's page" in html  # no ready-by read yet
    assert "AMBER" in html and "kWh" in html


def test_the_ready_by_time_shows_once_a_sub_session_page_has_read_it(pages, cases, direct_api):
    case = cases["finished_after_ready_by"]
    agent = pages("viewer")
    agent.get(f"/users/{case['user_id']}/charging/{case['sub_session_id']}/")
    html = panel(agent, case["user_id"])
    ready_by = moment(case["night"]["ready_by"])
    assert f'datetime="{ready_by:%Y-%m-%dT%H:%M:%S}Z"' in html


def test_filters_by_mode_and_by_days(pages, sandbox_api, cases, direct_api):
    case = cases["charged_at_peak"]
    agent = pages("viewer")
    boosts = panel(agent, case["user_id"], mode="BOOST")
    assert sub_session_ids(boosts) and "Smart" not in re.sub(r"<select.*?</select>", "", boosts, flags=re.S)
    assert "No charging session" not in boosts  # nights without a boost are not nights without a charge

    zone = case_zone(direct_api, case)
    day = moment(case["night"]["plugged_in_at"]).astimezone(zone).date()
    sandbox_api.reset()
    that_day = panel(agent, case["user_id"], start_from=day.isoformat(), start_to=day.isoformat())
    query = api_gets(sandbox_api)[0]["query"]
    assert "start__gt=" in query and "start__lt=" in query
    ids = sub_session_ids(that_day)
    assert case["sub_session_id"] in ids and len(ids) == 2  # the smart start and the boost


def test_pages_move_by_cursor_each_one_request(pages, sandbox_api, cases):
    case = cases["healthy_control"]
    agent = pages("viewer")
    first = panel(agent, case["user_id"])
    after = re.search(r'href="([^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    sandbox_api.reset()
    second = agent.get(after, HTTP_HX_REQUEST="true").content.decode()
    assert len(api_gets(sandbox_api)) == 1
    assert sub_session_ids(second) and not set(sub_session_ids(first)) & set(sub_session_ids(second))


def test_a_night_without_a_session_is_shown_and_checked_for_one_request(pages, sandbox_api, cases, direct_api):
    case = cases["charger_offline_no_charge"]
    zone = case_zone(direct_api, case)
    plugged_in, unplugged = moment(case["night"]["plugged_in_at"]), moment(case["night"]["unplugged_at"])
    night = plugged_in.astimezone(zone).date()
    agent = pages("viewer")
    html = panel(agent, case["user_id"])
    assert "No charging session" in html
    checks = re.findall(r'hx-get="([^"]*/nights/[0-9-]+/check/[^"]*)" hx-trigger="revealed"', html)
    assert 1 <= len(checks) <= GAP_CHECKS_PER_PAGE and "(1 request)" in html
    check = next(url for url in checks if f"/nights/{night.isoformat()}/" in url).replace("&amp;", "&")
    agent.get(f"/users/{case['user_id']}/devices/", HTTP_HX_REQUEST="true")  # the driver's page loads them too

    sandbox_api.reset()
    answer = agent.get(check, HTTP_HX_REQUEST="true").content.decode()
    reads = api_gets(sandbox_api)
    assert [read["path"] for read in reads] == [f"/v2/vehicles/{case['vehicle_id']}/status_logs"]
    # The car reports every half-hour from plug-in until it is unplugged.
    last = plugged_in + timedelta(minutes=30) * ((unplugged - plugged_in - timedelta(seconds=1)) // timedelta(minutes=30))
    assert (f"The vehicle reported being plugged in from {plugged_in.astimezone(zone):%H:%M} to "
            f"{last.astimezone(zone):%H:%M} but no charging session started" in text_of(answer))
    assert f"/nights/{night.isoformat()}/" in answer

    agent.get(check, HTTP_HX_REQUEST="true")
    assert len(api_gets(sandbox_api)) == 1  # read once


def test_a_night_check_reads_only_the_drivers_own_vehicle(pages, cases):
    """The status logs are not scoped to a driver: another driver's vehicle id in the link is refused."""
    mine, theirs = cases["healthy_control"], cases["charged_at_peak"]
    response = pages("viewer").get(f"/users/{mine['user_id']}/charging/nights/2020-01-01/check/",
                                   {"vehicle": theirs["vehicle_id"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404


def test_an_ordinary_night_check_says_when_the_vehicle_was_not_plugged_in(pages, cases):
    case = cases["healthy_control"]
    # A night long before the seeded month: nothing reported.
    html = pages("viewer").get(f"/users/{case['user_id']}/charging/nights/2020-01-01/check/",
                               {"vehicle": case["vehicle_id"], "tz": "Europe/London"},
                               HTTP_HX_REQUEST="true").content.decode()
    assert "The vehicle did not report being plugged in" in html
