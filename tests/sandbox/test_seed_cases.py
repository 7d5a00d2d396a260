"""The seeded support cases: each one is visible through the API as its ground truth says."""

import json
import sqlite3

import pytest
import requests

from tests import spec
from tests.sandbox.test_sandbox_api import Api


@pytest.fixture
def api(sandbox_api):
    spec.require_spec()
    return Api(sandbox_api, sandbox_api.token())

EXPECTED = {"charger_offline_no_charge", "finished_after_ready_by", "charged_at_peak", "vehicle_integration_inactive",
            "energy_over_delivery", "poor_charger_connectivity", "healthy_control"}


def seeded_cases(sandbox_api) -> dict:
    return requests.get(sandbox_api.url("/_sandbox/seed/cases"), timeout=10).json()


def test_every_case_is_planted_on_its_own_driver(sandbox_api):
    cases = seeded_cases(sandbox_api)
    assert set(cases) == EXPECTED
    assert len({case["user_id"] for case in cases.values()}) == len(cases)
    for name, case in cases.items():
        assert case["name"] == name and case["description"]


def records_of(sandbox_api, kind: str, device_id: str, start: str, end: str) -> list[dict]:
    """Device logs as stored, read from the sandbox's database: the device log endpoints are
    declared on another branch (collections/devices.py); switch to them once it lands."""
    with sqlite3.connect(f"file:{sandbox_api.db_path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM sandbox_record WHERE kind = ? AND parent_id = ? ORDER BY at",
                          (kind, device_id)).fetchall()
    logs = [json.loads(row[0]) for row in rows]
    return [log for log in logs if start <= (log.get("sampled_at") or log.get("logged_at") or start) < end]


def _subs(api, case, **params):
    return api.get("/charging_sub_sessions", params={"vehicle_id": case["vehicle_id"], "page_size": 100,
                                                     **params}).json()


def test_offline_charger_night_has_no_charge_and_the_logs_show_why(api, sandbox_api):
    case = seeded_cases(sandbox_api)["charger_offline_no_charge"]
    night = case["night"]
    assert _subs(api, case, start__gt=night["plugged_in_at"], start__lt=night["unplugged_at"]) == []
    assert _subs(api, case, end__gt=night["plugged_in_at"], start__lt=night["plugged_in_at"]) == []
    vehicle_logs = records_of(sandbox_api, "vehicle_status_log", case["vehicle_id"], night["plugged_in_at"],
                              night["unplugged_at"])
    assert vehicle_logs and all(log["is_plugged_in"] and not log["is_charging"] for log in vehicle_logs)
    evse_logs = records_of(sandbox_api, "evse_status_log", case["evse_id"], case["offline"]["from"],
                           case["offline"]["until"])
    assert evse_logs == []
    ocpp = records_of(sandbox_api, "evse_ocpp_log", case["evse_id"], case["offline"]["from"], case["offline"]["until"])
    assert [log["action"] for log in ocpp] == ["StatusNotification"]
    assert ocpp[0]["payload"]["status"] == "Unavailable"


def test_late_finish_delivered_after_ready_by(api, sandbox_api):
    case = seeded_cases(sandbox_api)["finished_after_ready_by"]
    usage = api.get(f"/charging_sub_sessions/{case['sub_session_id']}/energy_usage",
                    params={"energy_delivered_watt_hours__gt": 0, "merge_consecutive_intervals": "true"}).json()
    last = usage["intervals"][-1]
    assert last["started_at"] < case["night"]["ready_by"] < case["charging_ended_at"]
    session = api.get(f"/charging_sessions/{case['session_id']}").json()
    assert session["start"] == case["night"]["plugged_in_at"]
    assert case["ratings"]["overall"] == "AMBER"
    assessment = api.get(f"/charging_sub_sessions/{case['sub_session_id']}/assessment").json()
    assert assessment["ratings"] == case["ratings"]


def test_peak_charge_is_priced_at_peak(api, sandbox_api):
    case = seeded_cases(sandbox_api)["charged_at_peak"]
    assert case["peak_intervals"] and case["mode"] == "BOOST"
    usage = api.get(f"/charging_sub_sessions/{case['sub_session_id']}/energy_usage").json()
    by_start = {item["started_at"]: item for item in usage["intervals"]}
    prices = api.get(f"/tariffs/{case['tariff_id']}/prices", params={"page_size": 100,
                                                                     "started_at__gte": case["night"]["plugged_in_at"]
                                                                     [:11] + "00:00:00Z"}).json()
    cheapest = min(price["price_minor_units"] for price in prices)
    for peak in case["peak_intervals"]:
        assert by_start[peak["started_at"]]["total_energy_delivered_watt_hours"] == peak["energy_delivered_watt_hours"]
        assert int(by_start[peak["started_at"]]["energy_delivered_by_price"]["price"]) == peak["price_minor_units"]
        assert peak["price_minor_units"] > cheapest * 2


def test_inactive_integration_shows_on_the_vehicle_and_in_its_errors(api, sandbox_api):
    case = seeded_cases(sandbox_api)["vehicle_integration_inactive"]
    assert api.get(f"/vehicles/{case['vehicle_id']}").json()["integrated"] == "INACTIVE"
    errors = records_of(sandbox_api, "vehicle_error_log", case["vehicle_id"], case["integration_broken_since"], "9")
    assert len(errors) == case["error_logs"] and {error["status_code"] for error in errors} == {401}
    silent = records_of(sandbox_api, "vehicle_status_log", case["vehicle_id"], case["integration_broken_since"], "9")
    assert silent == []


def test_over_delivery_is_flagged_and_rated_red(api, sandbox_api):
    case = seeded_cases(sandbox_api)["energy_over_delivery"]
    path = f"/charging_sub_sessions/{case['sub_session_id']}"
    assert [flag["name"] for flag in api.get(f"{path}/flags").json()["flags"]] == case["flags"] == \
        ["ENERGY_OVER_DELIVERY"]
    assessment = api.get(f"{path}/assessment").json()
    assert assessment["ratings"] == case["ratings"] and assessment["ratings"]["overall"] == "RED"
    assert api.get(path).json()["energy_delivered_watt_hours"] > case["capacity_watt_hours"]


def test_connectivity_and_the_healthy_control(api, sandbox_api):
    cases = seeded_cases(sandbox_api)
    poor, healthy = cases["poor_charger_connectivity"], cases["healthy_control"]
    assert poor["connection_reliability_30d"] < 50 <= healthy["connection_reliability_30d"]
    stored = records_of(sandbox_api, "evse_connectivity", poor["evse_id"], "0", "9")
    assert [row["connection_reliability_30d"] for row in stored] == [poor["connection_reliability_30d"]]
    subs = _subs(api, healthy, expand=["flags", "assessment"])
    assert len(subs) >= 25
    assert all(sub["flags"]["flags"] == [] and sub["assessment"]["ratings"]["overall"] == "GREEN" for sub in subs)
