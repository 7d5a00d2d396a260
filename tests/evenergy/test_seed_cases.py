"""Each seeded support case, read through the client as evadmin's pages will read it, matches its
ground truth (GET /_sandbox/seed/cases). Every exchange is checked against the spec (conftest.py)."""

from datetime import timedelta

import pytest

from evadmin.evenergy import collections as c
from evadmin.evenergy.collections import read_detail
from evadmin.evenergy.typed import parse_datetime


@pytest.fixture
def cases(sandbox_api) -> dict:
    return sandbox_api.seed_cases()


def walk(api, collection, **params) -> list:
    return [item for page in api.collection(collection).pages(**params) for item in page]


def test_a_night_without_charge_shows_the_charger_offline_and_the_car_waiting(api, cases):
    case = cases["charger_offline_no_charge"]
    night, offline = case["night"], case["offline"]
    plugged_in, unplugged = parse_datetime(night["plugged_in_at"]), parse_datetime(night["unplugged_at"])
    # While it was offline: from its last words up to (not including) its boot when it came back.
    went, came_back = parse_datetime(offline["from"]), parse_datetime(offline["until"]) - timedelta(seconds=1)

    that_night = walk(api, c.CHARGING_SUB_SESSIONS, vehicle_id=case["vehicle_id"], start__gt=plugged_in,
                      start__lt=unplugged, expand=())
    car = walk(api, c.VEHICLE_STATUS_LOGS, parent=case["vehicle_id"], sampled_at__gte=plugged_in,
               sampled_at__lte=unplugged)
    charger = walk(api, c.EVSE_STATUS_LOGS, parent=case["evse_id"], sampled_at__gte=went, sampled_at__lte=came_back)
    ocpp = walk(api, c.EVSE_OCPP_LOGS, parent=case["evse_id"], sampled_at__gte=went, sampled_at__lte=came_back,
                direction="RECEIVED")
    platform = walk(api, c.EVSE_ERROR_LOGS, parent=case["evse_id"], sampled_at__gte=went, sampled_at__lte=came_back)

    assert that_night == []
    assert car and all(log.is_plugged_in and not log.is_charging for log in car)
    assert charger == []  # nothing heard from the charger while it was offline
    assert [(log.action, log.payload.get("status")) for log in ocpp] == [("StatusNotification", "Unavailable")]
    assert ocpp[0].direction == "Received"
    assert platform and {log.error_code for log in platform} == {"HEARTBEAT_MISSED"}


def test_a_charge_that_ran_past_the_ready_by_time(api, cases):
    case = cases["finished_after_ready_by"]
    usage = read_detail(api, c.SUB_SESSION_ENERGY_USAGE, case["sub_session_id"], energy_delivered_watt_hours__gt=0)
    sub_session = api.collection(c.CHARGING_SUB_SESSIONS).get(case["sub_session_id"])

    ready_by = parse_datetime(case["night"]["ready_by"])
    late = [interval for interval in usage.intervals if interval.started_at >= ready_by]
    last = usage.intervals[-1]
    assert late and all(interval.total_energy_delivered_watt_hours > 0 for interval in late)
    assert last.started_at + timedelta(seconds=last.interval_seconds) == parse_datetime(case["charging_ended_at"])
    assert sub_session.assessment.ratings == case["ratings"]


def test_a_boost_at_the_evening_peak_is_priced_at_peak(api, cases):
    case = cases["charged_at_peak"]
    sub_session = api.collection(c.CHARGING_SUB_SESSIONS).get(case["sub_session_id"])
    plugged_in = parse_datetime(case["night"]["plugged_in_at"])
    that_day = walk(api, c.TARIFF_PRICES, parent=case["tariff_id"],
                    started_at__gte=plugged_in.replace(hour=0, minute=0, second=0, microsecond=0),
                    started_at__lte=parse_datetime(case["night"]["unplugged_at"]))

    def price_at(moment):  # the half-hour price in force at `moment`
        return next(price.price_minor_units for price in sorted(that_day, key=lambda p: p.started_at, reverse=True)
                    if price.started_at <= moment)

    assert sub_session.mode == case["mode"] == "BOOST"
    assert sub_session.tariff.id == case["tariff_id"]
    cheapest = min(price.price_minor_units for price in that_day)
    for peak in case["peak_intervals"]:
        assert price_at(parse_datetime(peak["started_at"])) == peak["price_minor_units"] > 2 * cheapest


def test_an_inactive_integration_shows_on_the_vehicle_and_in_its_error_logs(api, cases):
    case = cases["vehicle_integration_inactive"]
    broken_since = parse_datetime(case["integration_broken_since"])
    vehicle = api.collection(c.VEHICLES).get(case["vehicle_id"])
    errors = walk(api, c.VEHICLE_ERROR_LOGS, parent=case["vehicle_id"], logged_at__gte=broken_since)
    silence = walk(api, c.VEHICLE_STATUS_LOGS, parent=case["vehicle_id"], sampled_at__gte=broken_since)

    assert vehicle.integrated == "INACTIVE"
    assert len(errors) == case["error_logs"] and {error.status_code for error in errors} == {401}
    assert silence == []


def test_an_over_delivery_is_flagged_and_rated_red(api, cases):
    case = cases["energy_over_delivery"]
    sub_session = api.collection(c.CHARGING_SUB_SESSIONS).get(case["sub_session_id"])

    assert [flag.name for flag in sub_session.flags.flags] == case["flags"] == ["ENERGY_OVER_DELIVERY"]
    assert sub_session.assessment.overall == "RED" and sub_session.assessment.ratings == case["ratings"]
    assert sub_session.energy_delivered_watt_hours > case["capacity_watt_hours"]


def test_poor_connectivity_against_the_healthy_control(api, cases):
    poor, healthy = cases["poor_charger_connectivity"], cases["healthy_control"]
    poor_link = read_detail(api, c.EVSE_CONNECTIVITY, poor["evse_id"])
    healthy_link = read_detail(api, c.EVSE_CONNECTIVITY, healthy["evse_id"])
    healthy_month = walk(api, c.CHARGING_SUB_SESSIONS, vehicle_id=healthy["vehicle_id"])

    assert poor_link.connection_reliability_30d == poor["connection_reliability_30d"] < 50
    assert healthy_link.connection_reliability_30d == healthy["connection_reliability_30d"] >= 90
    assert len(healthy_month) >= 25
    assert all(sub.flags.flags == [] and sub.assessment.overall == "GREEN" for sub in healthy_month)
