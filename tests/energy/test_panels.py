"""The driver's energy panels: the seeded case, one request each (none the second time), the summary
strip's part, a driver with nothing, a missing scope, API faults, and hostile text rendered as text."""

import html
import json
import re

import pytest
from django.urls import reverse

from evadmin.energy.summary import ago, energy_summary
from tests.conftest import sent
from tests.drivers.test_hostile_data import RAW_MARKUP
from tests.energy.conftest import HX, panel_url

PANELS = ("solar", "inverters", "batteries", "hem")
SCOPES = {"solar": "solar:read", "inverters": "inverter:read", "batteries": "home_battery:read",
          "hem": "home_energy:read"}
ENERGY_PATHS = ("/v2/solar_arrays", "/v2/inverters", "/v2/home_batteries", "/v2/hem_systems")


def _energy_gets(sandbox_api) -> list[dict]:
    return [entry for entry in sent(sandbox_api, "GET") if entry["path"].startswith(ENERGY_PATHS)]


def _open(viewer, name: str, user_id: str, hem_id: str | None = None) -> str:
    response = viewer.get(panel_url(name, user_id, hem_id), **HX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "driver-panel-loaded"  # the summary strip re-reads, at no request
    body = response.content.decode()
    assert "<html" not in body
    return body


def test_the_driver_page_costs_nothing_more_and_offers_each_panel_at_its_cost(pages, sandbox_api, case):
    page = pages("viewer").get(reverse("users:detail", args=[case["user_id"]])).content.decode()
    section = page[page.index('<section id="energy"'):]
    section = section[:section.index("</section>")]
    assert section.count("(1 request)") >= 8  # each of the 4 panels says its cost, summary and link
    for name in PANELS:
        assert f'hx-get="{panel_url(name, case["user_id"])}"' in section
    assert 'hx-trigger="toggle once from:closest details"' in section
    assert not _energy_gets(sandbox_api)
    assert energy_summary(case["user_id"]).known is False
    assert "(1 request each)" in energy_summary(case["user_id"]).text


def test_each_panel_shows_the_case_in_one_request_then_none(pages, sandbox_api, case):
    viewer, user_id = pages("viewer"), case["user_id"]
    sandbox_api.reset()
    solar = _open(viewer, "solar", user_id)
    assert "Solar array 4.2 kW" in solar and case["inverter_id"] in solar
    inverters = _open(viewer, "inverters", user_id)
    assert "Fronius Symo 5.0" in inverters and "Latest state" in inverters
    batteries = _open(viewer, "batteries", user_id)
    assert "Tesla Powerwall 2" in batteries
    assert f"{case['battery_state_of_charge_percentage']} %" in batteries
    assert f"{case['battery_charge_rate_watts']} W" in batteries
    assert case["battery_sampled_at"][:10] == re.search(r'<time datetime="([^"]+)"', batteries).group(1)[:10]
    hem = _open(viewer, "hem", user_id)
    assert case["hem_system_id"] in hem
    assert panel_url("live_power", user_id, case["hem_system_id"]) in hem
    assert panel_url("energy_stats", user_id, case["hem_system_id"]) in hem
    reads = _energy_gets(sandbox_api)
    assert [entry["path"] for entry in reads] == list(ENERGY_PATHS)  # one request each
    assert "expand=inverter" in reads[0]["query"]
    assert "expand=latest_status_log" in reads[2]["query"]  # the battery's latest state in the same request
    assert all(entry["user_header"] == user_id for entry in reads)
    for name in PANELS:
        _open(viewer, name, user_id)
    assert len(_energy_gets(sandbox_api)) == 4  # the second look is cached


def test_live_power_and_the_statistics_chart_one_request_each(pages, sandbox_api, case):
    viewer, user_id, hem_id = pages("viewer"), case["user_id"], case["hem_system_id"]
    sandbox_api.reset()
    live = _open(viewer, "live_power", user_id, hem_id)
    assert "Solar generation" in live and "Grid to home" in live and "<table" in live
    stats = _open(viewer, "energy_stats", user_id, hem_id)
    assert f'<canvas id="hem-stats-chart-{hem_id}"' in stats and "<script" not in stats  # no script: the canvas's data
    data = json.loads(html.unescape(re.search(r'data-chart="([^"]+)"', stats).group(1)))
    assert len(data["labels"]) == 48 and data["series"][0]["label"] == "Solar generation"
    assert any(value for value in data["series"][0]["data"])  # the sun shone at some point of the day
    assert "The numbers as a table" in stats and stats.count("<tr>") >= 49  # the same numbers, for everyone
    assert [entry["path"] for entry in _energy_gets(sandbox_api)] == [
        f"/v2/hem_systems/{hem_id}/live_power", f"/v2/hem_systems/{hem_id}/energy_stats"]
    assert "resolution=PT30M" in _energy_gets(sandbox_api)[1]["query"]
    _open(viewer, "energy_stats", user_id, hem_id)
    assert len(_energy_gets(sandbox_api)) == 2


def test_the_summary_strip_names_the_solar_array_and_the_battery_from_what_is_held(pages, sandbox_api, case):
    viewer, user_id = pages("viewer"), case["user_id"]
    _open(viewer, "solar", user_id)
    assert energy_summary(user_id).text.startswith("solar array 4.2 kW")
    _open(viewer, "batteries", user_id)
    sandbox_api.reset()
    part = energy_summary(user_id)
    assert part.known and part.label == "Energy devices"
    assert part.text == f"solar array 4.2 kW; home battery {case['battery_state_of_charge_percentage']} % (" + \
        part.text.rsplit(" (", 1)[1]
    assert part.text.endswith(" ago)")
    assert not sent(sandbox_api)  # the strip reads what evadmin holds
    strip = viewer.get(reverse("users:summary", args=[user_id]), **HX).content.decode()
    assert "solar array 4.2 kW" in strip and f"home battery {case['battery_state_of_charge_percentage']} %" in strip


def test_ago_in_words():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert [ago(now - delta, now) for delta in (timedelta(seconds=5), timedelta(minutes=25), timedelta(hours=2),
                                                 timedelta(days=3))] == ["just now", "25 min ago", "2 h ago",
                                                                          "3 days ago"]


def test_a_driver_with_nothing_is_told_in_words(pages, case):
    viewer, user_id = pages("viewer"), case["user_with_nothing"]
    assert "This driver has no solar arrays." in _open(viewer, "solar", user_id)
    assert "This driver has no inverters." in _open(viewer, "inverters", user_id)
    assert "This driver has no home batteries." in _open(viewer, "batteries", user_id)
    assert energy_summary(user_id).text == "none so far; not known yet: HEM systems (1 request each)"
    assert "This driver has no HEM systems." in _open(viewer, "hem", user_id)
    assert energy_summary(user_id).text == "none"


@pytest.mark.parametrize("panel", PANELS)
def test_a_missing_scope_is_named_and_the_rest_of_the_page_works(pages, sandbox_api, api_settings, case, panel):
    others = [scope for name, scope in SCOPES.items() if name != panel]
    sandbox_api.create_client("no-energy-desk", "no-energy-secret", ["user:read", "tariff:read", "evse:read",
                                                                      "vehicle:read", *others])
    api_settings.EVADMIN_API_CLIENT_ID = "no-energy-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-energy-secret"
    viewer = pages("viewer")
    shown = _open(viewer, panel, case["user_id"])
    assert f"lacks the scope {SCOPES[panel]}" in shown and "Try again" in shown
    other = next(name for name in PANELS if name != panel)
    assert "can't be shown" not in _open(viewer, other, case["user_id"])  # the other panels work
    assert viewer.get(reverse("users:detail", args=[case["user_id"]])).status_code == 200


@pytest.mark.parametrize("panel", [*PANELS, "live_power", "energy_stats"])
def test_an_api_fault_is_said_in_the_panel_and_try_again_works(pages, sandbox_api, case, panel):
    viewer, hem_id = pages("viewer"), case["hem_system_id"] if panel in ("live_power", "energy_stats") else None
    sandbox_api.faults(error_rate=1.0, error_status=500)
    shown = _open(viewer, panel, case["user_id"], hem_id)
    assert "can't be shown right now" in shown and "Try again" in shown
    sandbox_api.reset()
    assert "can't be shown right now" not in _open(viewer, panel, case["user_id"], hem_id)


def test_a_hem_system_id_that_is_not_one_is_a_404(pages, case):
    response = pages("viewer").get(panel_url("live_power", case["user_id"], "hems<script>"), **HX)
    assert response.status_code == 404


def test_hostile_text_renders_as_text(pages, case):
    viewer, user_id = pages("viewer"), case["hostile_user_id"]
    shown = [_open(viewer, name, user_id) for name in ("solar", "inverters", "batteries")]
    for text in shown:
        assert not any(markup in text for markup in RAW_MARKUP)
        assert "<b>" not in text
    solar, inverters, batteries = shown
    assert "&lt;script&gt;alert(&#x27;energy&#x27;)&lt;/script&gt;" in inverters
    assert "&lt;img src=x onerror=alert(1)&gt;" in inverters
    assert "\u202e" in batteries and "&lt;b&gt;Make&lt;/b&gt;" in batteries
    assert 'title="&lt;b&gt;Make&lt;/b&gt;' in batteries  # the whole (long) name on hover
