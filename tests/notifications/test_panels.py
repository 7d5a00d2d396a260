"""The driver's Notifications panel and Notification preferences panel: the switched-off case, one
request each (none the second time), the summary part, a driver with nothing, a missing scope named,
an API fault, hostile titles and bodies as text, a notification's detail and the timeline source."""

from django.core.cache import cache
from django.urls import reverse

from evadmin.notifications.summary import notifications_part
from evadmin.notifications.timeline_source import SOURCE
from tests.conftest import sent
from tests.drivers.test_hostile_data import RAW_MARKUP
from tests.notifications.conftest import panel_url

HX = {"HTTP_HX_REQUEST": "true"}


def _api_gets(sandbox_api) -> list[dict]:
    return [entry for entry in sent(sandbox_api, "GET") if "notification" in entry["path"]]


def test_the_driver_page_costs_nothing_more_and_offers_both_panels_at_their_cost(pages, sandbox_api, case):
    sandbox_api.reset()
    html = pages("viewer").get(reverse("users:detail", args=[case["user_id"]])).content.decode()
    assert 'id="notifications"' in html and "Notification preferences" in html
    assert reverse("notifications:panel", args=[case["user_id"]]) in html
    assert not _api_gets(sandbox_api)


def test_the_notifications_panel_shows_what_was_sent_in_one_request_then_none(pages, sandbox_api, case):
    viewer = pages("viewer")
    sandbox_api.reset()
    assert SOURCE.peek(case["user_id"]) is None
    response = viewer.get(panel_url("panel", case["user_id"]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert response["HX-Trigger"] == "driver-panel-loaded"
    assert case["newest_title"] in html and "not read" in html and "actionable" in html and "service" in html
    assert html.index(case["newest_title"]) < html.index("Charging complete")  # newest first
    [read] = _api_gets(sandbox_api)
    assert read["path"] == "/v2/notifications" and "page_size=50" in read["query"]
    viewer.get(panel_url("panel", case["user_id"]), **HX)
    assert len(_api_gets(sandbox_api)) == 1  # the second look is cached
    entries = SOURCE.peek(case["user_id"])  # the timeline holds them now, at no request
    assert [entry.title for entry in entries][0] == f"Notification sent: {case['newest_title']}"
    detail = viewer.get(entries[0].url)
    assert detail.status_code == 200 and case["newest_title"] in detail.content.decode()
    assert len(_api_gets(sandbox_api)) == 1  # the detail came from the panel's read


def test_a_notifications_detail_not_held_is_one_request(pages, sandbox_api, case):
    viewer = pages("viewer")
    sandbox_api.reset()
    response = viewer.get(reverse("notifications:detail", args=[case["user_id"],
                                                                          case["newest_notification"]]))
    assert response.status_code == 200 and "Your car has been disconnected" in response.content.decode()
    assert [entry["path"] for entry in _api_gets(sandbox_api)] == [
        f"/v2/notifications/{case['newest_notification']}"]
    other = viewer.get(reverse("notifications:detail", args=[case["hostile_user_id"],
                                                                       case["newest_notification"]]))
    assert other.status_code == 404  # another driver's notification is not this driver's


def test_the_preferences_panel_and_the_summary_say_switched_off(pages, sandbox_api, case):
    viewer = pages("viewer")
    sandbox_api.reset()
    part = notifications_part(case["user_id"])
    assert not part.known and part.text == "not known yet: open the preferences panel (1 request)"
    response = viewer.get(panel_url("preferences", case["user_id"]), **HX)
    html = response.content.decode()
    assert response["HX-Trigger"] == "driver-panel-loaded"
    assert "Every notification is switched off" in html and html.count('class="badge warning">off') == 5
    assert "Charging issues" in html
    assert "Change the preferences" not in html  # a viewer may not change them
    assert [entry["path"] for entry in _api_gets(sandbox_api)] == [
        f"/v2/users/{case['user_id']}/notification_preferences"]
    part = notifications_part(case["user_id"])
    assert part.known and part.text == "switched off" and part.tone == "warning"
    assert "Change the preferences" in pages("support").get(panel_url("preferences", case["user_id"]),
                                                              **HX).content.decode()


def test_a_driver_with_nothing_is_told_in_words(pages, case):
    viewer, user_id = pages("viewer"), case["user_with_nothing"]
    html = viewer.get(panel_url("panel", user_id), **HX).content.decode()
    assert "No notifications have been sent to this driver." in html
    assert SOURCE.peek(user_id) == []
    viewer.get(panel_url("preferences", user_id), **HX)
    assert notifications_part(user_id).text.startswith("on")


def test_a_missing_scope_is_named_and_the_rest_of_the_page_works(pages, sandbox_api, api_settings, case):
    sandbox_api.create_client("no-prefs-desk", "no-prefs-secret", ["user:read", "tariff:read", "evse:read",
                                                                    "vehicle:read"])
    api_settings.EVADMIN_API_CLIENT_ID = "no-prefs-desk"
    api_settings.EVADMIN_API_CLIENT_SECRET = "no-prefs-secret"
    viewer = pages("viewer")
    response = viewer.get(panel_url("preferences", case["user_id"]), **HX)
    assert response.status_code == 200
    assert "lacks the scope notification_preferences:read" in response.content.decode()
    assert notifications_part(case["user_id"]).known is False  # the strip still says it is not known
    # The notifications need no scope (the spec names none), and the driver's page stands.
    assert case["newest_title"] in viewer.get(panel_url("panel", case["user_id"]), **HX).content.decode()
    assert viewer.get(reverse("users:detail", args=[case["user_id"]])).status_code == 200


def test_an_api_fault_says_so_and_offers_to_try_again(pages, sandbox_api, case, settings):
    settings.EVADMIN_API_MAX_RETRY_WAIT = 0.05
    viewer = pages("viewer")
    cache.clear()  # no copy of an earlier read to fall back on
    sandbox_api.faults(error_rate=1.0, error_status=503)
    response = viewer.get(panel_url("panel", case["user_id"]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Notifications can't be shown right now" in html
    assert "Try again" in html and response["HX-Trigger"] == "driver-panel-loaded"
    sandbox_api.reset()
    assert case["newest_title"] in viewer.get(panel_url("panel", case["user_id"]), **HX).content.decode()


def test_hostile_titles_and_bodies_render_as_text(pages, case):
    viewer, user_id = pages("viewer"), case["hostile_user_id"]
    html = viewer.get(panel_url("panel", user_id), **HX).content.decode()
    assert not any(markup in html for markup in RAW_MARKUP) and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;notf&#x27;)&lt;/script&gt;" in html
    assert "\u202e" in html  # the override is in the text, escaped, never markup
    for entry in SOURCE.peek(user_id):
        page = viewer.get(entry.url).content.decode()
        assert not any(markup in page for markup in RAW_MARKUP) and "<b>" not in page
    assert any("very long very long" in viewer.get(entry.url).content.decode() for entry in SOURCE.peek(user_id))
    stream = viewer.get(reverse("users:timeline", args=[user_id]), **HX).content.decode()
    assert "&lt;script&gt;alert(&#x27;notf&#x27;)&lt;/script&gt;" in stream  # the timeline's entry, as text
    assert not any(markup in stream for markup in RAW_MARKUP) and "<b>" not in stream


def test_the_timeline_loads_the_notifications_at_one_request_each_linked_to_its_detail(pages, sandbox_api, case):
    from tests.drivers.test_timeline import not_loaded, rows, timeline

    viewer = pages("viewer")
    sandbox_api.reset()
    assert not_loaded(timeline(viewer, case["user_id"]))["notifications"] == "1 request"
    html = timeline(viewer, case["user_id"], load="notifications")
    assert [entry["path"] for entry in _api_gets(sandbox_api)] == ["/v2/notifications"]
    links = [link for kind, _, link in rows(html) if kind == "notifications"]
    assert reverse("notifications:detail", args=[case["user_id"], case["newest_notification"]]) in links
    assert len(links) == len(case["notifications"]) and "notifications" not in not_loaded(html)
    assert f"Notification sent: {case['newest_title']}" in html
