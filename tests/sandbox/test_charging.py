"""Charging sessions, sub-sessions and their parts, boost, recalculation, dispatcher logs and tariff
prices in the sandbox, over real HTTP; every exchange is checked against the spec (Api)."""

import json

import pytest

from tests.sandbox.helpers import Api, all_pages, problem
from tests.sandbox.test_webhooks import Receiver

PARTS = ("energy_usage", "flags", "debug_metadata", "schedules", "schedule_plans", "assessment")


def cases(sandbox_api) -> dict:
    return sandbox_api.seed_cases()


def all_items(api, path, **params) -> list:
    return all_pages(api, path, params=params)[0]


def test_sessions_narrow_to_the_driver_and_expand(api, sandbox_api):
    healthy = cases(sandbox_api)["healthy_control"]
    header = {"EvEnergy-User": healthy["user_id"]}
    sessions = api.get("/charging_sessions", headers=header,
                       params={"page_size": 100, "expand": ["vehicle", "evse", "sub_sessions"]}).json()
    assert len(sessions) >= 25
    for session in sessions:
        assert session["vehicle"]["id"] == healthy["vehicle_id"] and session["evse"]["id"] == healthy["evse_id"]
        assert session["sub_sessions"] and all(sub["start"] >= session["start"] for sub in session["sub_sessions"])
    one = api.get(f"/charging_sessions/{sessions[0]['id']}", headers=header).json()
    assert one["sub_sessions"][0].startswith("http")
    other = api.get("/users", params={"page_size": 1}).json()[0]["id"]
    assert problem(api.get(f"/charging_sessions/{sessions[0]['id']}", headers={"EvEnergy-User": other}), 404)


def test_sub_session_filters_and_cursor_pages(api, sandbox_api):
    healthy = cases(sandbox_api)["healthy_control"]
    subs = all_items(api, "/charging_sub_sessions", vehicle_id=healthy["vehicle_id"], page_size=7)
    assert len(subs) >= 25 and len({sub["id"] for sub in subs}) == len(subs)
    assert [sub["id"] for sub in subs] == sorted((sub["id"] for sub in subs), reverse=True)  # newest first
    middle = subs[len(subs) // 2]["start"]
    later = all_items(api, "/charging_sub_sessions", vehicle_id=healthy["vehicle_id"], start__gt=middle, page_size=100)
    assert later and all(sub["start"] > middle for sub in later)
    assert len(later) < len(subs)
    big = api.get("/charging_sub_sessions", params={"user_id": healthy["user_id"],
                                                    "energy_delivered_watt_hours__gte": 10000}).json()
    assert all(sub["energy_delivered_watt_hours"] >= 10000 for sub in big)
    assert all(sub["mode"] == "BOOST" for sub in api.get("/charging_sub_sessions", params={"mode": "BOOST"}).json())
    running = api.get("/charging_sub_sessions", params={"is_finished": "false", "page_size": 100}).json()
    assert running and all(sub["end"] is None for sub in running)
    assert problem(api.get("/charging_sub_sessions", params={"mode": "FAST"}, check_request=False), 400)


def test_sub_session_expands_every_part_in_one_request(api, sandbox_api):
    truth = cases(sandbox_api)["energy_over_delivery"]
    expand = ["flags", "assessment", "energy_usage", "schedules", "debug_metadata", "tariff.supplier",
              "vehicle.latest_status_log", "evse.latest_status_log"]
    sub = api.get(f"/charging_sub_sessions/{truth['sub_session_id']}", params={"expand": expand}).json()
    assert [flag["name"] for flag in sub["flags"]["flags"]] == ["ENERGY_OVER_DELIVERY"]
    assert sub["assessment"]["ratings"]["overall"] == "RED"
    assert sum(item["total_energy_delivered_watt_hours"] for item in sub["energy_usage"]["intervals"]) == \
        sub["energy_delivered_watt_hours"]
    assert sub["tariff"]["supplier"]["id"] and sub["vehicle"]["latest_status_log"]["sampled_at"]
    assert sub["evse"]["latest_status_log"]["sampled_at"]
    assert sub["debug_metadata"]["finish_reason"] == "EVSE_DISCONNECT"
    for part in PARTS:
        alone = api.get(f"/charging_sub_sessions/{truth['sub_session_id']}/{part}").json()
        assert alone["charging_sub_session"].endswith(truth["sub_session_id"])
        if part in sub:
            assert alone == {**sub[part]}


def test_a_running_sub_session_and_its_parts(api):
    expand = ["flags", "assessment", "energy_usage", "schedules", "debug_metadata", "tariff", "vehicle", "evse"]
    running = api.get("/charging_sub_sessions", params={"is_finished": "false", "expand": expand}).json()
    assert running
    for sub in running:
        assert sub["end"] is None and sub["debug_metadata"]["finish_reason"] is None
        intervals = sub["energy_usage"]["intervals"]
        assert all(sub["start"] <= interval["started_at"] for interval in intervals)
        assert sum(interval["total_energy_delivered_watt_hours"] for interval in intervals) == \
            sub["energy_delivered_watt_hours"]


def test_energy_usage_intervals_lie_inside_and_cost_agrees_with_prices(api, sandbox_api):
    truth = cases(sandbox_api)["charged_at_peak"]
    sub = api.get(f"/charging_sub_sessions/{truth['sub_session_id']}").json()
    usage = api.get(f"/charging_sub_sessions/{truth['sub_session_id']}/energy_usage").json()
    assert usage["intervals"][0]["started_at"] == sub["start"]
    prices = {price["started_at"]: price["price_minor_units"] for price in api.get(
        f"/tariffs/{truth['tariff_id']}/prices", params={"started_at__gte": truth["night"]["plugged_in_at"][:11] + "00:00:00Z",
                                                           "started_at__lte": sub["end"], "page_size": 100}).json()}
    cost = 0
    for interval in usage["intervals"]:
        period = interval["started_at"][:14] + ("00" if interval["started_at"][14:16] < "30" else "30") + ":00Z"
        assert int(interval["energy_delivered_by_price"]["price"]) == prices[period]
        cost += interval["total_energy_delivered_watt_hours"] * prices[period] / 1000
    assert sub["cost"] == round(cost)
    charging = api.get(f"/charging_sub_sessions/{truth['sub_session_id']}/energy_usage",
                       params={"energy_delivered_watt_hours__gt": 0, "merge_consecutive_intervals": "true"}).json()
    assert len(charging["intervals"]) == 1  # a boost charges in one go
    assert charging["intervals"][0]["total_energy_delivered_watt_hours"] == sub["energy_delivered_watt_hours"]


def test_schedules_plans_and_dispatcher_logs(api, sandbox_api):
    truth = cases(sandbox_api)["healthy_control"]
    sub_id = truth["sub_session_id"]
    plans = api.get(f"/charging_sub_sessions/{sub_id}/schedule_plans", params={"expand": "price_data"}).json()
    plan = plans["schedule_plans"][0]
    assert plan["ready_by_time"] == truth["night"]["ready_by"] and plan["price_data"]
    schedules = api.get(f"/charging_sub_sessions/{sub_id}/schedules",
                        params={"schedule_plan_id": plan["id"]}).json()["schedules"]
    assert schedules and all(item["schedule_type"] == "SMART" for item in schedules)
    assert api.get(f"/charging_sub_sessions/{sub_id}/schedule_plans",
                   params={"created_at__gte": "2100-01-01T00:00:00Z"}).json()["schedule_plans"] == []
    logs = api.get("/dispatcher_logs", params={"charging_sub_session_id": sub_id}).json()
    assert logs and [log["logged_at"] for log in logs] == sorted((log["logged_at"] for log in logs), reverse=True)
    first = logs[-1]["logged_at"]
    assert api.get("/dispatcher_logs", params={"charging_sub_session_id": sub_id,
                                                "logged_at__lte": first}).json() == logs[-1:]
    assert problem(api.get("/dispatcher_logs", check_request=False), 400)


def test_only_the_most_recent_schedule_per_period_by_default(api):
    for sub in api.get("/charging_sub_sessions", params={"mode": "SMART", "is_finished": "true",
                                                         "page_size": 100}).json():
        plans = api.get(f"{sub['url']}/schedule_plans").json()["schedule_plans"]
        if len(plans) == 2:
            break
    else:
        pytest.fail("no re-planned sub-session in the first page")
    latest = api.get(f"{sub['url']}/schedules").json()["schedules"]
    every = api.get(f"{sub['url']}/schedules", params={"only_most_recently_created": "false"}).json()["schedules"]
    starts = [item["started_at"] for item in latest]
    assert len(starts) == len(set(starts)) and len(every) > len(latest)
    newer = {item["started_at"] for item in every if item["created_at"] == plans[1]["created_at"]}
    assert all(item["created_at"] == plans[1]["created_at"] for item in latest if item["started_at"] in newer)


def test_sessions_page_by_cursor(api):
    first = api.get("/charging_sessions", params={"page_size": 5})
    second = api.get(first.links["next"]["url"])
    back = api.get(second.links["previous"]["url"])
    assert len(first.json()) == len(second.json()) == 5
    assert [session["id"] for session in back.json()] == [session["id"] for session in first.json()]
    assert first.json()[-1]["id"] > second.json()[0]["id"]  # newest first


def test_debug_parts_and_prices_need_their_scopes(sandbox_api):
    sandbox_api.create_client("desk-charging", "desk-secret", ["charging_session:read", "tariff:read"])
    reader = Api(sandbox_api, sandbox_api.token("desk-charging", "desk-secret"))
    truth = cases(sandbox_api)["healthy_control"]
    sub_id = truth["sub_session_id"]
    assert reader.get(f"/charging_sub_sessions/{sub_id}/flags").status_code == 200
    assert reader.get(f"/charging_sub_sessions/{sub_id}/schedules").status_code == 200
    for part in ("debug_metadata", "assessment", "schedule_plans"):
        assert "debug:read" in problem(reader.get(f"/charging_sub_sessions/{sub_id}/{part}"), 403)["detail"]
    assert "debug:read" in problem(reader.get(f"/charging_sub_sessions/{sub_id}",
                                              params={"expand": "assessment"}), 403)["detail"]
    assert "debug:read" in problem(reader.get("/dispatcher_logs", params={"charging_sub_session_id": sub_id}),
                                   403)["detail"]
    tariff = reader.get("/tariffs").json()[0]["id"]
    assert "tariff:prices:read" in problem(reader.get(f"/tariffs/{tariff}/prices"), 403)["detail"]
    assert "charging_session:write" in problem(reader.call("POST", f"/charging_sessions/{truth['session_id']}/"
                                                                   "boost_start"), 403)["detail"]


def test_tariff_prices_page_by_number_and_match_the_detail(api, sandbox_api):
    tariff_id = cases(sandbox_api)["charged_at_peak"]["tariff_id"]
    first = api.get(f"/tariffs/{tariff_id}/prices", params={"page_size": 10})
    second = api.get(first.links["next"]["url"])
    assert [price["started_at"] for price in first.json() + second.json()] == sorted(
        (price["started_at"] for price in first.json() + second.json()), reverse=True)
    detail = api.get(f"/tariffs/{tariff_id}", params={"expand": "prices"}).json()
    day = detail["prices"][-1]["started_at"]
    same = api.get(f"/tariffs/{tariff_id}/prices", params={"started_at__gte": day, "page_size": 100,
                                                            "started_at__lte": detail["prices"][0]["started_at"]})
    assert same.json() == detail["prices"] and len(detail["prices"]) == 48
    assert max(price["price_minor_units"] for price in detail["prices"]) > \
        min(price["price_minor_units"] for price in detail["prices"])  # a dynamic tariff: peak and night


def _running_smart_session(api):
    for sub in api.get("/charging_sub_sessions", params={"is_finished": "false", "mode": "SMART",
                                                         "page_size": 100}).json():
        vehicle = api.get(sub["vehicle"]).json()
        if vehicle["smart_charging_enabled"]:
            return sub
    pytest.fail("the seed has no running smart sub-session")


def test_boost_start_then_end_changes_the_sub_sessions(api, writes, sandbox_api):
    receiver = Receiver()
    sandbox_api.webhook_endpoint(receiver.url)
    sub = _running_smart_session(api)
    user_id = api.get(sub["vehicle"]).json()["user"].rsplit("/", 1)[-1]
    sessions = api.get("/charging_sessions", params={"page_size": 100, "expand": "sub_sessions"},
                       headers={"EvEnergy-User": user_id}).json()
    session_id = next(session["id"] for session in sessions
                      if any(item["id"] == sub["id"] for item in session["sub_sessions"]))
    assert "not boosting" in problem(api.call("POST", f"/charging_sessions/{session_id}/boost_end"), 409)["detail"]
    boosted = api.call("POST", f"/charging_sessions/{session_id}/boost_start").json()
    assert len(boosted["sub_sessions"]) == 2
    new_id = boosted["sub_sessions"][0].rsplit("/", 1)[-1]
    assert api.get(f"/charging_sub_sessions/{new_id}").json()["mode"] == "BOOST"
    ended = api.get(f"/charging_sub_sessions/{sub['id']}").json()
    assert ended["end"] is not None
    try:  # the switch is announced: the smart sub-session ended, the boost one created
        events = {(body["type"], body["data"]["id"], body["data"]["mode"])
                  for body in (json.loads(hook["body"]) for hook in receiver.wait_for(2))}
    finally:
        receiver.close()
    assert events == {("charging_sub_session.ended", sub["id"], "SMART"),
                      ("charging_sub_session.created", new_id, "BOOST")}
    assert "already boosting" in problem(api.call("POST", f"/charging_sessions/{session_id}/boost_start"), 409)["detail"]
    back = api.call("POST", f"/charging_sessions/{session_id}/boost_end").json()
    assert len(back["sub_sessions"]) == 3
    assert api.get(back["sub_sessions"][0]).json()["mode"] == "SMART"


def test_boost_on_an_ended_session_or_without_smart_charging_is_409(api, sandbox_api):
    truth = cases(sandbox_api)["healthy_control"]
    assert "ended" in problem(api.call("POST", f"/charging_sessions/{truth['session_id']}/boost_start"), 409)["detail"]
    unmanaged = api.get("/charging_sub_sessions", params={"mode": "UNMANAGED_HOME", "page_size": 100}).json()
    vehicle = next(vehicle for vehicle in (api.get(sub["vehicle"]).json() for sub in unmanaged)
                   if not vehicle["smart_charging_enabled"])
    user_id = vehicle["user"].rsplit("/", 1)[-1]
    session = api.get("/charging_sessions", headers={"EvEnergy-User": user_id}).json()[0]
    for action in ("boost_start", "boost_end"):
        detail = problem(api.call("POST", f"/charging_sessions/{session['id']}/{action}"), 409)["detail"]
        assert detail == f"Smart charging is turned off for vehicle {vehicle['id']}."


def test_recalculate_dry_run_changes_nothing_and_a_real_run_caps(api, writes, sandbox_api):
    truth = cases(sandbox_api)["energy_over_delivery"]
    path = f"/charging_sub_sessions/{truth['sub_session_id']}"
    before = api.get(path).json()
    dry = api.call("POST", f"{path}/recalculate_energy_usages", json={"dry_run": True}).json()
    assert dry == {"status": "dry_run_completed", "previous_energy_delivered_watt_hours":
                   before["energy_delivered_watt_hours"], "new_energy_delivered_watt_hours": truth["capacity_watt_hours"]}
    assert api.get(path).json() == before
    done = api.call("POST", f"{path}/recalculate_energy_usages", json={}).json()
    assert done["status"] == "recalculation_triggered"
    assert api.get(path).json()["energy_delivered_watt_hours"] == truth["capacity_watt_hours"]
    assert api.get(f"{path}/debug_metadata").json()["is_energy_delivered_capped"] is True


def test_user_id_me_is_the_driver_named_by_the_header(api, sandbox_api):
    healthy = cases(sandbox_api)["healthy_control"]
    mine = api.get("/charging_sub_sessions", params={"user_id": "me", "page_size": 100},
                   headers={"EvEnergy-User": healthy["user_id"]}).json()
    theirs = api.get("/charging_sub_sessions", params={"user_id": healthy["user_id"], "page_size": 100}).json()
    assert mine and [sub["id"] for sub in mine] == [sub["id"] for sub in theirs]
    body = problem(api.get("/charging_sub_sessions", params={"user_id": "me"}), 400)
    assert list(body["field_errors"]) == ["user_id"]


def test_disconnecting_a_vehicle_ends_its_running_sub_session_and_says_so_by_webhook(api, writes, sandbox_api):
    receiver = Receiver()
    sandbox_api.webhook_endpoint(receiver.url)
    sub = next(sub for sub in api.get("/charging_sub_sessions", params={"is_finished": "false",
                                                                        "page_size": 100}).json()
               if api.get(sub["vehicle"]).json()["integrated"] == "ACTIVE")
    disconnected = api.call("POST", f"{sub['vehicle']}/disconnect").json()
    ended = api.get(f"/charging_sub_sessions/{sub['id']}").json()
    try:
        [hook] = receiver.wait_for(1)
    finally:
        receiver.close()
    body = json.loads(hook["body"])
    assert disconnected["integrated"] == "INACTIVE" and ended["end"] is not None
    assert (body["type"], body["data"]["id"], body["data"]["end"]) == ("charging_sub_session.ended", sub["id"],
                                                                        ended["end"])
    debug = api.get(f"/charging_sub_sessions/{sub['id']}/debug_metadata").json()
    assert debug["finish_reason"] == "REMOVE_INTEGRATION"
