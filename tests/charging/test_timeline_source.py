"""Charging in the driver's timeline: each sub-session of the newest page, and each night of the week
without one (the offline-charger night), which leads to the night's page and its verdict."""

from tests.charging.test_night_and_logs import offline_night  # noqa: F401  (a fixture, used by name)
from tests.drivers.test_timeline import rows, timeline


def test_the_night_without_a_session_is_in_the_stream_and_leads_to_why(pages, offline_night):  # noqa: F811
    case, zone, night_url = offline_night
    viewer = pages("viewer")
    html = timeline(viewer, case["user_id"], load="charging")
    nights = [link for kind, _, link in rows(html) if kind == "charging" and "/charging/nights/" in link]
    assert night_url in nights
    night = viewer.get(night_url, {"tz": zone.key}).content.decode()
    assert "Network connection lost" in night  # the night's page shows the charger going offline


def test_a_driver_charging_every_night_has_no_such_entry(pages, cases):
    html = timeline(pages("viewer"), cases["healthy_control"]["user_id"], load="charging")
    assert [kind for kind, _, _ in rows(html)]  # sub-sessions there
    assert "No charging session on the night of" not in html
