"""The driver's Rebates panel and Subscription and payout method panels: the seeded case, one request
each (none the second time), the summary parts, a driver with nothing, a missing scope, hostile text,
and account numbers never shown whole."""

import pytest
from django.urls import reverse

from evadmin.rebates.summary import rebates_summary, subscription_summary
from tests.conftest import sent
from tests.drivers.test_hostile_data import RAW_MARKUP
from tests.rebates.conftest import panel_url

HX = {"HTTP_HX_REQUEST": "true"}


def _api_gets(sandbox_api) -> list[dict]:
    return [entry for entry in sent(sandbox_api, "GET") if not entry["path"].startswith("/v2/users/user")
            or entry["path"].endswith("/payout_method")]


def test_the_driver_page_costs_nothing_more_and_offers_each_panel_at_its_cost(pages, sandbox_api, case):
    html = pages("viewer").get(reverse("users:detail", args=[case["user_id"]])).content.decode()
    assert 'id="rebates"' in html and "Subscription and payout method" in html
    assert html.count("(1 request)") >= 3
    assert not [entry for entry in sent(sandbox_api) if "rebate" in entry["path"] or "subscription" in entry["path"]
                or "payout" in entry["path"]]


def test_the_rebates_panel_shows_the_stuck_case_in_one_request_then_none(pages, sandbox_api, case):
    viewer = pages("viewer")
    sandbox_api.reset()
    assert rebates_summary(case["user_id"]).known is False
    response = viewer.get(panel_url("panel", case["user_id"]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert response["HX-Trigger"] == "driver-panel-loaded"  # the summary strip re-reads, at no request
    assert "Vehicle Enrollment" in html and "submitted: in evidence review" in html
    assert "Before it can be submitted: upload: Charger photo." in html  # what is missing, in words
    assert "Level 2 charger rebate" in html and ".pdf" in html  # the evidence files
    [read] = _api_gets(sandbox_api)
    assert read["path"] == "/v2/user_rebates" and "expand=rebate_type.required_evidence" in read["query"]
    viewer.get(panel_url("panel", case["user_id"]), **HX)
    assert len(_api_gets(sandbox_api)) == 1  # the second look is cached
    part = rebates_summary(case["user_id"])
    assert part.known and part.tone == "warning" and part.text.startswith("1 in evidence review, started ")
    assert "2 in progress, 1 missing evidence" in part.text


def test_subscription_and_payout_panels_one_request_each_and_never_a_whole_account_number(pages, sandbox_api, case):
    viewer = pages("viewer")
    sandbox_api.reset()
    assert subscription_summary(case["user_id"]).known is False
    subscription = viewer.get(panel_url("subscription", case["user_id"]), **HX).content.decode()
    payout = viewer.get(panel_url("payout", case["user_id"]), **HX).content.decode()
    assert case["subscription_offering"] in subscription
    assert "Bill credits" in payout and f"•••• {case['payout_last4']}" in payout
    assert "(account number, last 4 at most)" in payout  # what the receiver is, in words
    assert case["payout_account_number"] not in payout
    assert [entry["path"] for entry in _api_gets(sandbox_api)] == [
        "/v2/subscriptions", f"/v2/users/{case['user_id']}/payout_method"]
    viewer.get(panel_url("subscription", case["user_id"]), **HX)
    viewer.get(panel_url("payout", case["user_id"]), **HX)
    assert len(_api_gets(sandbox_api)) == 2
    assert subscription_summary(case["user_id"]).text == "ev.energy Plus (subscribed)"


def test_a_driver_with_nothing_is_told_in_words(pages, case):
    viewer, user_id = pages("viewer"), case["user_with_nothing"]
    assert "This driver has no rebate applications." in viewer.get(panel_url("panel", user_id), **HX).content.decode()
    assert "This driver has no subscription." in viewer.get(panel_url("subscription", user_id), **HX).content.decode()
    assert "has not set up a payout method" in viewer.get(panel_url("payout", user_id), **HX).content.decode()
    assert rebates_summary(user_id).text == "no applications"
    assert subscription_summary(user_id).text == "none"


@pytest.mark.parametrize(("panel", "scope"), [("subscription", "subscription:read"),
                                              ("payout", "payout_method:read")])
def test_a_missing_scope_is_named_and_the_rest_of_the_page_works(pages, sandbox_api, api_settings, case, panel,
                                                                 scope):
    sandbox_api.create_client("no-rebates-desk", "no-rebates-secret", ["user:read", "tariff:read", "evse:read",
                                                                        "vehicle:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "no-rebates-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-rebates-secret"
    viewer = pages("viewer")
    response = viewer.get(panel_url(panel, case["user_id"]), **HX)
    assert response.status_code == 200
    assert f"lacks the scope {scope}" in response.content.decode()
    # The rebates need no scope (the spec names none), and the driver's page stands.
    assert "Vehicle Enrollment" in viewer.get(panel_url("panel", case["user_id"]), **HX).content.decode()
    assert viewer.get(reverse("users:detail", args=[case["user_id"]])).status_code == 200


def test_hostile_text_renders_as_text(pages, case):
    viewer, user_id = pages("viewer"), case["hostile_user_id"]
    shown = [viewer.get(panel_url(name, user_id), **HX).content.decode() for name in ("panel", "subscription",
                                                                                       "payout")]
    for html in shown:
        assert not any(markup in html for markup in RAW_MARKUP)
        assert "<b>" not in html
    rebates, subscription, payout = shown
    assert "&lt;script&gt;alert(&#x27;rebate&#x27;)&lt;/script&gt;" in rebates
    assert "invoice\u202efdp.exe" in rebates  # the override is in the text, inside an escaped title
    assert 'title="invoice\u202efdp.exe' in rebates  # the whole (long) name on hover
    assert "&lt;b&gt;Premium&lt;/b&gt;" in subscription
    assert "moc.elpmaxe" not in payout  # never more than the last 4 of the receiver
