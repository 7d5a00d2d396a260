"""The Grid carbon intensity and Tariff prices panels: the seeded case (data, cost, nothing the second
time), the summary part, a driver without a location or tariff (a sentence, no request), a missing
scope (named, the rest of the page works), hostile feed names as text."""

import pytest
from django.urls import reverse

from evadmin.carbon.summary import carbon_summary
from evadmin.core.templatetags.components import minor_units
from tests.carbon.conftest import HX, open_driver, panel_url
from tests.conftest import sent
from tests.drivers.test_hostile_data import RAW_MARKUP


def _carbon_gets(sandbox_api) -> list[dict]:
    return [entry for entry in sent(sandbox_api, "GET") if "carbon" in entry["path"]
            or entry["path"].startswith("/v2/charging_sub_sessions") or "/prices" in entry["path"]]


def test_the_driver_page_offers_both_panels_at_no_cost(pages, sandbox_api, case):
    html = open_driver(pages("viewer"), case["user_id"])
    assert 'id="carbon"' in html and "Grid carbon intensity now and for the next hours" in html
    assert "Tariff prices today and tomorrow" in html
    assert not _carbon_gets(sandbox_api)


def test_the_carbon_panel_shows_now_and_the_next_hours(pages, sandbox_api, case):
    viewer = pages("viewer")
    open_driver(viewer, case["user_id"])
    sandbox_api.reset()
    assert carbon_summary(case["user_id"]).text.endswith("(the location's figure)")  # held with the driver
    response = viewer.get(panel_url("panel", case["user_id"]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert response["HX-Trigger"] == "driver-panel-loaded"
    assert "UK National Grid" in html and "gCO₂/kWh" in html
    assert 'id="carbon-chart"' in html and 'data-chart="{&quot;labels&quot;' in html and "<script" not in html
    assert html.count('<tr') >= 24  # an hour back to 12 hours ahead, half-hourly
    assert '<span class="badge">now</span>' in html
    # The feed from the newest sub-session (its feed expanded), then the feed's intensities.
    paths = [entry["path"] for entry in _carbon_gets(sandbox_api)]
    assert paths == ["/v2/charging_sub_sessions", f"/v2/carbon_feeds/{case['carbon_feed_id']}/carbon_intensities"]
    viewer.get(panel_url("panel", case["user_id"]), **HX)
    assert len(_carbon_gets(sandbox_api)) == 2  # the second look is cached
    part = carbon_summary(case["user_id"])
    assert part.known and part.text.startswith("now ") and "gCO₂/kWh" in part.text
    assert any(word in part.text for word in ("falling", "rising", "steady"))


def test_the_prices_panel_shows_today_and_tomorrow_in_the_tariffs_zone(pages, sandbox_api, case):
    viewer = pages("viewer")
    open_driver(viewer, case["user_id"])
    sandbox_api.reset()
    response = viewer.get(panel_url("prices", case["user_id"]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "driver-panel-loaded"
    assert f"{minor_units(case['currency'])} per kWh" in html and case["timezone_name"] in html
    assert "Today," in html and "Tomorrow," in html and 'id="tariff-prices-chart"' in html
    assert html.count("<tr>") >= 2 * 46  # two days of half-hours (a short day has 46)
    [read] = _carbon_gets(sandbox_api)
    assert read["path"] == f"/v2/tariffs/{case['tariff_id']}/prices"
    viewer.get(panel_url("prices", case["user_id"]), **HX)
    assert len(_carbon_gets(sandbox_api)) == 1


def test_a_driver_without_a_location_or_tariff_is_told_in_words_at_no_request(pages, sandbox_api, case):
    viewer = pages("viewer")
    nowhere, no_tariff = case["user_without_location"], case["user_without_tariff"]
    if nowhere is None or no_tariff is None:
        pytest.fail("the seeded case names no driver without a location or without a tariff")
    for user_id in (nowhere, no_tariff):
        open_driver(viewer, user_id)
    sandbox_api.reset()
    carbon = viewer.get(panel_url("panel", nowhere), **HX).content.decode()
    prices = viewer.get(panel_url("prices", nowhere), **HX).content.decode()
    assert "This driver has no location" in carbon and "This driver has no tariff" in prices
    assert "This driver has no tariff" in viewer.get(panel_url("prices", no_tariff), **HX).content.decode()
    assert not sent(sandbox_api)
    assert carbon_summary(nowhere) is None


@pytest.mark.parametrize(("panel", "scope"), [("panel", "carbon:read"), ("prices", "tariff:prices:read")])
def test_a_missing_scope_is_named_and_the_rest_of_the_page_works(pages, sandbox_api, api_settings, case, panel,
                                                                 scope):
    others = {"carbon:read", "tariff:prices:read"} - {scope}
    sandbox_api.create_client("no-carbon-desk", "no-carbon-secret", ["user:read", "tariff:read", "evse:read",
                                                                      "vehicle:read", "charging_session:read", *others])
    api_settings.EVADMIN_API_CLIENT_ID = "no-carbon-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-carbon-secret"
    viewer = pages("viewer")
    assert open_driver(viewer, case["user_id"])
    response = viewer.get(panel_url(panel, case["user_id"]), **HX)
    assert response.status_code == 200
    assert f"lacks the scope {scope}" in response.content.decode(), response.content.decode()
    other, shows = ("prices", "Prices in") if panel == "panel" else ("panel", "UK National Grid")
    assert shows in viewer.get(panel_url(other, case["user_id"]), **HX).content.decode()  # the other panel works
    assert viewer.get(reverse("users:detail", args=[case["user_id"]])).status_code == 200


def test_hostile_feed_names_render_as_text(pages, case):
    if case["hostile_user_id"] is None:
        pytest.fail("the seeded case names no driver on the hostile feed")
    viewer = pages("viewer")
    open_driver(viewer, case["hostile_user_id"])
    html = viewer.get(panel_url("panel", case["hostile_user_id"]), **HX).content.decode()
    assert not any(markup in html for markup in RAW_MARKUP)
    assert "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;feed&#x27;)&lt;/script&gt;" in html
    assert "\u202e" in html  # the override is in the text, inside an escaped title


def test_the_page_itself_answers_without_htmx(pages, case):
    viewer = pages("viewer")
    page = viewer.get(panel_url("panel", case["user_id"]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert viewer.head(panel_url("prices", case["user_id"])).status_code == 200


def test_an_api_fault_is_said_in_the_panel_and_the_page_stands(pages, sandbox_api, case):
    viewer = pages("viewer")
    open_driver(viewer, case["user_id"])  # the driver is held: the panels' own reads meet the fault
    sandbox_api.faults(error_rate=1.0)
    for name, sentence in (("panel", "The grid carbon intensity can't be shown right now"),
                           ("prices", "The tariff prices can't be shown right now")):
        response = viewer.get(panel_url(name, case["user_id"]), **HX)
        assert response.status_code == 200 and sentence in response.content.decode()
    assert viewer.get(reverse("users:detail", args=[case["user_id"]])).status_code == 200
