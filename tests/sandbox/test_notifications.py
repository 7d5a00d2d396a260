"""The sandbox's notifications over real HTTP: a driver's list (EvEnergy-User) newest first and paged,
one notification, marking it read (the spec's wrapped answer), the driver's preferences (scoped, a
partial PATCH, unknown groups refused) and the seeded "notifications switched off" case.

Every exchange is checked against the spec by `Api`.
"""

import pytest

from evadmin.sandbox.seeding.notifications import GROUPS
from tests.sandbox.helpers import Api, problem

CASE = "notifications_switched_off"


@pytest.fixture
def case(sandbox_api):
    return sandbox_api.seed_cases()[CASE]


def test_a_drivers_notifications_newest_first_and_paged(api, case):
    driver = {"EvEnergy-User": case["user_id"]}
    listed = api.get("/notifications", headers=driver)
    assert listed.status_code == 200, listed.text
    items = listed.json()
    assert [item["id"] for item in items] == list(reversed(case["notifications"]))
    assert items[0]["short_text_title"] == case["newest_title"] and "read_at" not in items[0]
    assert all(item["read_at"] for item in items[1:])
    first = api.get("/notifications", headers=driver, params={"page_size": 1})
    assert len(first.json()) == 1 and 'rel="next"' in first.headers["Link"]
    second = api.get("/notifications", headers=driver, params={"page_size": 1, "page_after": items[0]["id"]})
    assert [item["id"] for item in second.json()] == [items[1]["id"]]
    problem(api.get("/notifications", headers=driver, params={"page_size": 0}, check_request=False), 400)


def test_categories_vary_across_drivers(api):
    categories = {item["category"] for item in api.get("/notifications", params={"page_size": 100}).json()}
    assert len(categories) >= 3


def test_one_notification_and_marking_it_read(api, case, sandbox_api):
    newest = case["newest_notification"]
    found = api.get(f"/notifications/{newest}", headers={"EvEnergy-User": case["user_id"]})
    assert found.json()["id"] == newest
    problem(api.get(f"/notifications/{newest}", headers={"EvEnergy-User": case["hostile_user_id"]}), 404)
    problem(api.get("/notifications/notf00000000000000000000000000"), 404)
    marked = api.call("PATCH", f"/notifications/{newest}", json={"read_at": "2026-12-01T10:00:00Z"})
    assert marked.status_code == 200 and marked.json()["Notification"]["read_at"] == "2026-12-01T10:00:00Z"
    problem(api.call("PATCH", f"/notifications/{newest}", json={"read_at": "yesterday"}, check_request=False), 400)
    sandbox_api.reset(data=True)  # the case's newest notification is unread again


def test_preferences_read_and_change_only_the_named_groups(api, case, sandbox_api):
    user_id = case["user_id"]
    read = api.get(f"/users/{user_id}/notification_preferences").json()
    assert read["groups"] == {group: False for group in GROUPS}
    assert read["url"].endswith(f"/users/{user_id}/notification_preferences")
    changed = api.call("PATCH", f"/users/{user_id}/notification_preferences",
                       json={"groups": {"charging_issues": True}})
    assert changed.json()["groups"] == {**{group: False for group in GROUPS}, "charging_issues": True}
    assert api.call("PATCH", f"/users/{user_id}/notification_preferences", json={}).json() == changed.json()
    unknown = problem(api.call("PATCH", f"/users/{user_id}/notification_preferences",
                               json={"groups": {"charging_flower": True}}, check_request=False), 400)
    assert unknown["field_errors"]["groups"] == ["Unknown notification group: 'charging_flower'."]
    problem(api.get("/users/user00000000000000000000000000/notification_preferences"), 404)
    sandbox_api.reset(data=True)


def test_preferences_need_their_scopes(sandbox_api, case):
    sandbox_api.create_client("no-prefs", "no-prefs-secret", ["user:read"])
    api = Api(sandbox_api, sandbox_api.token("no-prefs", "no-prefs-secret"))
    body = problem(api.get(f"/users/{case['user_id']}/notification_preferences"), 403)
    assert "notification_preferences:read" in body["detail"]
    assert api.get("/notifications", headers={"EvEnergy-User": case["user_id"]}).status_code == 200  # any token


def test_the_hostile_driver_s_texts_are_served_as_stored(api, case):
    items = api.get("/notifications", headers={"EvEnergy-User": case["hostile_user_id"]}).json()
    assert any("<script>" in item["short_text_title"] for item in items)
    assert any("\u202e" in item["short_text_body"] and len(item["detail_page_body"]) > 1000 for item in items)
    assert api.get("/notifications", headers={"EvEnergy-User": case["user_with_nothing"]}).json() == []
