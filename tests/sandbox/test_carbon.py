"""The sandbox's carbon feeds and intensities, grid feeds and levels over real HTTP, as the spec has
them: lists sorted by name and cursor-paged, intensities an object newest first reaching hours ahead,
levels number-paged, the scopes, and a driver's feed named by their sub-sessions (the spec's only link).

Every exchange is checked against the spec by `Api`.
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.sandbox.helpers import Api, all_pages, problem

CASE = "carbon_and_tariff"


@pytest.fixture
def case(sandbox_api):
    return sandbox_api.seed_cases()[CASE]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_feeds_are_listed_by_name_paged_and_retrieved(api):
    feeds, pages = all_pages(api, "/carbon_feeds", params={"page_size": 3})
    assert pages >= 3 and len(feeds) == 8
    names = [feed["name"].lower() for feed in feeds]
    assert names == sorted(names)
    uk = next(feed for feed in feeds if feed["name"] == "UK National Grid")
    assert api.get(f"/carbon_feeds/{uk['id']}").json() == uk
    grid, _ = all_pages(api, "/grid_feeds")
    assert {feed["reference_code"] for feed in grid} == {"CAISO_PEAK", "UK_DFS", "DE_CONGESTION"}
    assert api.get(f"/grid_feeds/{grid[0]['id']}").json() == grid[0]
    problem(api.get("/carbon_feeds/cabf" + "0" * 26), 404)
    problem(api.get("/grid_feeds/grfd" + "0" * 26), 404)


def test_a_drivers_feed_is_named_by_their_sub_sessions(api, case):
    subs = api.get("/charging_sub_sessions", params={"user_id": case["user_id"], "page_size": 1,
                                                     "expand": ["carbon_feed", "grid_feeds"]}).json()
    assert subs[0]["carbon_feed"]["id"] == case["carbon_feed_id"]
    assert subs[0]["carbon_feed"]["name"] == "UK National Grid"
    assert [feed["reference_code"] for feed in subs[0]["grid_feeds"]] == ["UK_DFS"]
    plain = api.get("/charging_sub_sessions", params={"user_id": case["user_id"], "page_size": 1}).json()
    assert plain[0]["carbon_feed"].endswith(f"/carbon_feeds/{case['carbon_feed_id']}")


def test_intensities_reach_hours_ahead_newest_first_and_page_by_cursor(api, case):
    now = datetime.now(UTC)
    path = f"/carbon_feeds/{case['carbon_feed_id']}/carbon_intensities"
    answer = api.get(path, params={"started_at__gte": _iso(now - timedelta(hours=1)),
                                   "started_at__lte": _iso(now + timedelta(hours=12)), "page_size": 100,
                                   "expand": "carbon_feed"})
    body = answer.json()
    # expand=carbon_feed is declared, but the schema types the field a URI only.
    assert body["carbon_feed"].endswith(case["carbon_feed_id"]) and body["url"].endswith("/carbon_intensities")
    starts = [item["started_at"] for item in body["carbon_intensities"]]
    assert starts == sorted(starts, reverse=True) and len(starts) in (25, 26)
    assert starts[0] > _iso(now + timedelta(hours=11))  # the forecast
    assert all(item["interval_seconds"] == 1800 and item["co2_intensity_grams_per_kilowatt_hour"] > 0
               for item in body["carbon_intensities"])
    assert answer.links["next"]["url"] == "about:blank"
    first = api.get(path, params={"page_size": 10})
    second = api.get(first.links["next"]["url"])
    both = [item["started_at"] for item in first.json()["carbon_intensities"] + second.json()["carbon_intensities"]]
    assert len(both) == 20 and both == sorted(both, reverse=True) and len(set(both)) == 20
    back = api.get(second.links["previous"]["url"]).json()["carbon_intensities"]
    assert [item["started_at"] for item in back] == both[:10]
    problem(api.get(path, params={"page_after": "nope"}, check_request=False), 400)
    problem(api.get(path, params={"started_at__gte": "yesterday"}, check_request=False), 400)


def test_levels_page_by_number_within_bounds(api):
    feed = api.get("/grid_feeds").json()[0]
    now = datetime.now(UTC)
    path = f"/grid_feeds/{feed['id']}/levels"
    levels = api.get(path, params={"started_at__gte": _iso(now), "started_at__lte": _iso(now + timedelta(days=1))})
    values = levels.json()
    assert 7 <= len(values) <= 8 and all(1 <= level["value"] <= 100 for level in values)
    first = api.get(path, params={"page_size": 5})
    second = api.get(first.links["next"]["url"])
    assert first.json()[-1]["started_at"] > second.json()[0]["started_at"]
    problem(api.get(path, params={"page": 100000}), 404)


def test_each_part_needs_its_scope(sandbox_api, case):
    sandbox_api.create_client("desk-carbon", "desk-secret", ["user:read", "tariff:read"])
    reader = Api(sandbox_api, sandbox_api.token("desk-carbon", "desk-secret"))
    assert "carbon:read" in problem(reader.get("/carbon_feeds"), 403)["detail"]
    assert "carbon:read" in problem(reader.get(f"/carbon_feeds/{case['carbon_feed_id']}/carbon_intensities"),
                                    403)["detail"]
    assert "grid:read" in problem(reader.get("/grid_feeds"), 403)["detail"]


def test_the_case_points_at_drivers_with_a_feed_without_a_location_or_tariff(api, case):
    assert case["tariff_id"] and case["currency"] and case["timezone_name"]
    if case["hostile_user_id"]:
        subs = api.get("/charging_sub_sessions", params={"user_id": case["hostile_user_id"], "page_size": 1,
                                                         "expand": "carbon_feed"}).json()
        assert subs[0]["carbon_feed"]["name"] == case["hostile_feed_name"]
