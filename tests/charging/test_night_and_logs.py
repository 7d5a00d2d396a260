"""A night without a session and the log timeline: three logs up front, interleaved on one time axis,
filterable by source and by text; permissions; hostile API text escaped."""

import re
from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string

from evadmin.charging import evidence as sources
from evadmin.charging.evidence import Evidence
from evadmin.charging.logs import LOG_SOURCES, merged_entries
from evadmin.evenergy.devices import OcppLog
from tests.charging.conftest import api_gets, case_zone, moment, text_of, times_in


@pytest.fixture
def offline_night(cases, direct_api):
    case = cases["charger_offline_no_charge"]
    zone = case_zone(direct_api, case)
    night = moment(case["night"]["plugged_in_at"]).astimezone(zone).date()
    return case, zone, f"/users/{case['user_id']}/charging/nights/{night.isoformat()}/"


def timeline_rows(html):
    table = html.split('class="striped log-timeline"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-source="([a-z_]+)">(.*?)</tr>', table, flags=re.S)


def test_the_night_reads_three_logs_up_front_and_shows_the_charger_going_offline(pages, sandbox_api, offline_night):
    case, zone, url = offline_night
    agent = pages("viewer")
    agent.get(f"/users/{case['user_id']}/devices/", HTTP_HX_REQUEST="true")  # the driver's page read the devices
    sandbox_api.reset()
    html = agent.get(url, {"tz": zone.key}).content.decode()
    paths = sorted(read["path"] for read in api_gets(sandbox_api))
    assert paths == sorted([f"/v2/evses/{case['evse_id']}/status_logs", f"/v2/evses/{case['evse_id']}/ocpp_logs",
                            f"/v2/vehicles/{case['vehicle_id']}/status_logs"])
    text = text_of(html)
    assert "three requests" in text and "it cost 3 API requests" in text
    assert "StatusNotification Unavailable (OtherError; Network connection lost)" in text
    assert "plugged in, not charging" in text and "-97 dBm" in text
    went = moment(case["offline"]["from"]).astimezone(zone)
    assert f"{went.day} {went:%b %H:%M}:" in text  # the OCPP entry's local time (seconds shown too)
    assert "Charger error log · 1 request" in html and "Dispatcher log" not in html  # no sub-session: no dispatcher

    agent.get(url, {"tz": zone.key})
    assert len(api_gets(sandbox_api)) == 3


def test_the_timeline_interleaves_the_sources_oldest_first(pages, offline_night):
    case, zone, url = offline_night
    html = pages("viewer").get(url, {"tz": zone.key}).content.decode()
    rows = timeline_rows(html)
    assert {source for source, _ in rows} == {sources.EVSE_STATUS, sources.EVSE_OCPP, sources.VEHICLE_STATUS}
    moments = [times_in(cells)[0] for _, cells in rows]
    assert moments == sorted(moments)
    order = [source for source, _ in rows]
    assert order != sorted(order, key=list(LOG_SOURCES).index)  # interleaved, not one block per source


def test_the_timeline_filters_by_source_and_by_text(pages, sandbox_api, offline_night):
    case, zone, url = offline_night
    agent = pages("viewer")
    agent.get(url, {"tz": zone.key})
    sandbox_api.reset()
    params = {"night": url.rstrip("/").rsplit("/", 1)[1], "tz": zone.key, "filtered": "1",
              "logs": ["evse_status", "evse_ocpp", "vehicle_status"]}
    only_ocpp = agent.get(f"/users/{case['user_id']}/charging/logs/", {**params, "show": "evse_ocpp"},
                          HTTP_HX_REQUEST="true").content.decode()
    assert {source for source, _ in timeline_rows(only_ocpp)} == {sources.EVSE_OCPP}
    unavailable = agent.get(f"/users/{case['user_id']}/charging/logs/",
                            {**params, "show": ["evse_ocpp", "vehicle_status"], "q": "unavailable"},
                            HTTP_HX_REQUEST="true").content.decode()
    rows = timeline_rows(unavailable)
    assert len(rows) == 1 and "Network connection lost" in rows[0][1]
    assert api_gets(sandbox_api) == []  # filtering reads nothing


def test_a_bad_night_or_sub_session_id_is_not_found(pages, cases):
    agent = pages("viewer")
    user_id = cases["healthy_control"]["user_id"]
    assert agent.get(f"/users/{user_id}/charging/nights/yesterday/").status_code == 404
    assert agent.get(f"/users/{user_id}/charging/not-an-id/").status_code == 404
    assert agent.get(f"/users/{user_id}/charging/logs/").status_code == 404


def test_staff_without_view_users_cannot_see_charging(pages, cases):
    case = cases["healthy_control"]
    no_role = pages(None)
    for path in ("", f"{case['sub_session_id']}/", "nights/2026-01-01/"):
        assert no_role.get(f"/users/{case['user_id']}/charging/{path}").status_code == 403


def test_hostile_api_text_is_escaped():
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    log = OcppLog.from_api({"sampled_at": "2026-03-10T20:00:00Z", "direction": "Received",
                            "action": hostile, "payload": {"status": hostile, "info": hostile}})
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    evidence = Evidence(window_start=start, window_end=start.replace(day=11), zone=UTC,
                        logs={sources.EVSE_OCPP: [log]})
    html = render_to_string("charging/logs.html", {
        "account_id": "user01HSH04KDEWF6Z4DB2J77J74K5", "evidence": evidence, "zone": UTC, "zone_name": "UTC",
        "night": start.date(), "sources": [], "loaded": [sources.EVSE_OCPP], "text": hostile,
        "entries": merged_entries(evidence.logs, shown=[sources.EVSE_OCPP])})
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
