"""The seeded support cases: each one is visible through the API as its ground truth says."""

from tests.sandbox.helpers import all_pages

EXPECTED = {"charger_offline_no_charge", "finished_after_ready_by", "charged_at_peak", "vehicle_integration_inactive",
            "energy_over_delivery", "poor_charger_connectivity", "healthy_control"}
TICKET_CASES = {"ticket_offline_charger_night", "ticket_without_driver", "ticket_high_priority_uncategorised"}
REBATE_CASES = {"rebate_stuck_in_evidence_review"}  # issue 17 (tests/sandbox/test_rebates.py)
PROGRAM_CASES = {"program_eligible_not_enrolled"}  # issue 17 (tests/sandbox/test_programs.py)
ENERGY_CASES = {"solar_and_home_battery"}  # issue 17 (tests/sandbox/test_energy.py)
NOTIFICATION_CASES = {"notifications_switched_off"}  # issue 17 (tests/sandbox/test_notifications.py)
CARBON_CASES = {"carbon_and_tariff"}  # issue 17 (tests/sandbox/test_carbon.py): points at drivers, claims none


def seeded_cases(sandbox_api) -> dict:
    return sandbox_api.seed_cases()


def test_every_case_is_planted_on_its_own_driver(sandbox_api):
    cases = seeded_cases(sandbox_api)
    assert set(cases) == (EXPECTED | TICKET_CASES | REBATE_CASES | PROGRAM_CASES | ENERGY_CASES | NOTIFICATION_CASES
                          | CARBON_CASES)
    owned = EXPECTED | REBATE_CASES | PROGRAM_CASES | ENERGY_CASES | NOTIFICATION_CASES
    charging = [case for name, case in cases.items() if name in owned]
    assert len({case["user_id"] for case in charging}) == len(charging)
    for name, case in cases.items():
        assert case["name"] == name and case["description"]


LOG_PATHS = {"vehicle_status_log": "/vehicles/{}/status_logs", "vehicle_error_log": "/vehicles/{}/error_logs",
             "evse_status_log": "/evses/{}/status_logs", "evse_ocpp_log": "/evses/{}/ocpp_logs"}


def records_of(api, kind: str, device_id: str, start: str, end: str) -> list[dict]:
    """A device's logs of this kind from `start` up to (not including) `end`, through the API."""
    logs, _pages = all_pages(api, LOG_PATHS[kind].format(device_id), params={"page_size": 100})
    return sorted((log for log in logs if start <= (log.get("sampled_at") or log.get("logged_at")) < end),
                  key=lambda log: log.get("sampled_at") or log.get("logged_at"))


def _subs(api, case, **params):
    return api.get("/charging_sub_sessions", params={"vehicle_id": case["vehicle_id"], "page_size": 100,
                                                     **params}).json()


def test_offline_charger_night_has_no_charge_and_the_logs_show_why(api, sandbox_api):
    case = seeded_cases(sandbox_api)["charger_offline_no_charge"]
    night = case["night"]
    assert _subs(api, case, start__gt=night["plugged_in_at"], start__lt=night["unplugged_at"]) == []
    assert _subs(api, case, end__gt=night["plugged_in_at"], start__lt=night["plugged_in_at"]) == []
    vehicle_logs = records_of(api, "vehicle_status_log", case["vehicle_id"], night["plugged_in_at"],
                              night["unplugged_at"])
    assert vehicle_logs and all(log["is_plugged_in"] and not log["is_charging"] for log in vehicle_logs)
    evse_logs = records_of(api, "evse_status_log", case["evse_id"], case["offline"]["from"],
                           case["offline"]["until"])
    assert evse_logs == []
    ocpp = records_of(api, "evse_ocpp_log", case["evse_id"], case["offline"]["from"], case["offline"]["until"])
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
    errors = records_of(api, "vehicle_error_log", case["vehicle_id"], case["integration_broken_since"], "9")
    assert len(errors) == case["error_logs"] and {error["status_code"] for error in errors} == {401}
    silent = records_of(api, "vehicle_status_log", case["vehicle_id"], case["integration_broken_since"], "9")
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
    served = api.get(f"/evses/{poor['evse_id']}/connectivity").json()
    assert served["connection_reliability_30d"] == poor["connection_reliability_30d"]
    subs = _subs(api, healthy, expand=["flags", "assessment"])
    assert len(subs) >= 25
    assert all(sub["flags"]["flags"] == [] and sub["assessment"]["ratings"]["overall"] == "GREEN" for sub in subs)
