"""Each seeded support case, read from the sandbox as the pages read it, gets the verdict that names
its cause, with the times of the case's ground truth in the driver's local time; the healthy control
and ordinary nights get none; a rule whose evidence was not read says nothing."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from evadmin.charging.evidence import EVSE_OCPP, LOG_SOURCES, VEHICLE_STATUS
from evadmin.charging.verdicts import Verdict, verdicts_for
from evadmin.evenergy import collections as c
from evadmin.evenergy.typed import parse_datetime
from tests.charging.verdicts.evidence import (
    charger_panel_evidence,
    night_evidence,
    sub_session_evidence,
    vehicle_panel_evidence,
)

ANCHOR = re.compile(r"^(timeline|flags|assessment|reasons|connectivity|log-(?P<source>\w+)|vehicle-vhcl\w+|evse-evse\w+)$")
ORDINARY_NIGHTS = 8


def local(moment: str, zone: tzinfo) -> datetime:
    return parse_datetime(moment).astimezone(zone)


def hh_mm(moment: str, zone: tzinfo) -> str:
    return f"{local(moment, zone):%H:%M}"


def on_day(moment: str, zone: tzinfo) -> str:
    at = local(moment, zone)
    return f"{at:%H:%M} on {at.day} {at:%B}"


def kwh(watt_hours: int) -> str:
    return f"{watt_hours / 1000:.1f} kWh"


def assert_linked(verdicts: list[Verdict]) -> None:
    """Every claim points at evidence on the page; a log claim's query opens that log."""
    for verdict in verdicts:
        assert verdict.claims, verdict
        for claim in verdict.claims:
            match = ANCHOR.match(claim.anchor)
            assert match, claim
            if match["source"]:
                assert match["source"] in LOG_SOURCES
                opened = claim.query.removeprefix("logs=").split(",")
                assert claim.query.startswith("logs=") and match["source"] in opened
                assert set(opened) <= set(LOG_SOURCES)


def only(verdicts: list[Verdict], rule: str) -> Verdict:
    assert [verdict.rule for verdict in verdicts] == [rule], [verdict.summary for verdict in verdicts]
    assert_linked(verdicts)
    return verdicts[0]


def test_the_offline_night_says_when_the_charger_was_offline_while_the_car_waited(api, cases):
    case = cases["charger_offline_no_charge"]
    evidence = night_evidence(api, user_id=case["user_id"], vehicle_id=case["vehicle_id"], evse_id=case["evse_id"],
                              plugged_in_at=case["night"]["plugged_in_at"])
    zone = evidence.zone

    verdict = only(verdicts_for(evidence), "charger_offline")

    went, back = on_day(case["offline"]["from"], zone), on_day(case["offline"]["until"], zone)
    if local(case["offline"]["from"], zone).date() == local(case["offline"]["until"], zone).date():
        went, back = hh_mm(case["offline"]["from"], zone), hh_mm(case["offline"]["until"], zone)
    assert verdict.summary == (f"The charger was offline from {went} to {back} (no status logs; OCPP shows no "
                               "heartbeat), while the vehicle reported being plugged in.")
    by_anchor = {claim.anchor: claim for claim in verdict.claims}
    assert by_anchor["log-evse_ocpp"].query == "logs=evse_ocpp,evse_status"
    assert "StatusNotification Unavailable" in by_anchor["log-evse_ocpp"].text
    assert "HEARTBEAT_MISSED" in by_anchor["log-evse_errors"].text
    assert "plugged in" in by_anchor["log-vehicle_status"].text


def test_a_rule_whose_evidence_was_not_read_does_not_run(api, cases):
    case = cases["charger_offline_no_charge"]
    evidence = night_evidence(api, user_id=case["user_id"], vehicle_id=case["vehicle_id"], evse_id=case["evse_id"],
                              plugged_in_at=case["night"]["plugged_in_at"])

    del evidence.logs[VEHICLE_STATUS]  # only adds to the verdict: it still stands, without the car
    assert only(verdicts_for(evidence), "charger_offline").summary.endswith("OCPP shows no heartbeat).")
    del evidence.logs[EVSE_OCPP]  # needed: without the OCPP log nothing is said
    assert verdicts_for(evidence) == []


def test_a_charge_past_the_ready_by_time_says_until_when(api, cases):
    case = cases["finished_after_ready_by"]
    evidence = sub_session_evidence(api, user_id=case["user_id"], sub_session_id=case["sub_session_id"])
    zone = evidence.zone

    verdict = only(verdicts_for(evidence), "finished_after_ready_by")

    ended, ready_by = hh_mm(case["charging_ended_at"], zone), hh_mm(case["night"]["ready_by"], zone)
    assert verdict.summary.startswith(f"The charge ran until {ended}, after the ready-by time of {ready_by}: ")
    assert {claim.anchor for claim in verdict.claims} == {"timeline", "assessment"}


def test_a_boost_at_peak_says_how_much_energy_was_bought_at_peak(api, cases):
    case = cases["charged_at_peak"]
    evidence = sub_session_evidence(api, user_id=case["user_id"], sub_session_id=case["sub_session_id"])
    zone = evidence.zone

    verdict = only(verdicts_for(evidence), "charged_at_peak")

    peak = case["peak_intervals"]
    at_peak = sum(interval["energy_delivered_watt_hours"] for interval in peak)
    share = round(at_peak * 100 / case["energy_delivered_watt_hours"])
    assert verdict.summary.startswith(f"{share}% of the energy ({kwh(at_peak)} of "
                                      f"{kwh(case['energy_delivered_watt_hours'])}) was bought at the day's peak "
                                      f"price, from {hh_mm(peak[0]['started_at'], zone)} to ")
    assert "during a boost (BOOST mode)" in verdict.summary
    prices = sorted(interval["price_minor_units"] for interval in peak)
    currency = evidence.sub_session.currency
    assert f"at {prices[0] / 100:.2f} {currency}–{prices[-1] / 100:.2f} {currency} a kWh" in verdict.claims[0].text


def test_an_inactive_integration_says_since_when_and_what_to_do(api, cases):
    case = cases["vehicle_integration_inactive"]
    panel = vehicle_panel_evidence(api, user_id=case["user_id"], vehicle_id=case["vehicle_id"])

    verdict = only(verdicts_for(panel), "vehicle_integration_lost")

    assert verdict.summary == (
        f"The vehicle's integration has been inactive since {on_day(case['integration_broken_since'], panel.zone)}: "
        "the manufacturer answers 401 Unauthorized; the driver must re-link the vehicle (send a reconnection link).")
    errors = next(claim for claim in verdict.claims if claim.anchor == "log-vehicle_errors")
    assert errors.text.startswith(f"{case['error_logs']} errors from the manufacturer's API")
    assert f"vehicle-{case['vehicle_id']}" in {claim.anchor for claim in verdict.claims}


def test_a_night_of_the_inactive_vehicle_says_at_least_since_the_errors_it_read(api, cases):
    """The night's window does not reach back to when the errors began: the verdict does not pretend it does."""
    case = cases["vehicle_integration_inactive"]
    evidence = sub_session_evidence(api, user_id=case["user_id"], sub_session_id=case["sub_session_id"])

    verdict = only(verdicts_for(evidence), "vehicle_integration_lost")

    assert "has been inactive at least since" in verdict.summary
    assert parse_datetime(case["integration_broken_since"]) < evidence.window_start


def test_an_over_delivery_says_how_much_and_suggests_the_recalculation(api, cases):
    case = cases["energy_over_delivery"]
    evidence = sub_session_evidence(api, user_id=case["user_id"], sub_session_id=case["sub_session_id"])

    verdict = only(verdicts_for(evidence), "energy_over_delivery")

    assert verdict.summary.startswith(f"The sub-session reported more energy than the battery could take "
                                      f"({kwh(case['energy_delivered_watt_hours'])} for a ")
    assert f"with room for {kwh(case['capacity_watt_hours'])}" in verdict.summary
    assert "Recalculate its energy use (a dry run first" in verdict.summary
    assert [claim.anchor for claim in verdict.claims] == ["flags", "assessment"]
    assert case["flags"][0] in verdict.claims[0].text


def test_poor_connectivity_gives_the_reliability_and_the_weak_signal(api, cases):
    case = cases["poor_charger_connectivity"]
    panel = charger_panel_evidence(api, user_id=case["user_id"], evse_id=case["evse_id"])
    night = sub_session_evidence(api, user_id=case["user_id"], sub_session_id=case["sub_session_id"])

    verdict = only(verdicts_for(panel), "poor_charger_connectivity")

    assert verdict.summary.startswith(f"The charger's connection is unreliable: online "
                                      f"{case['connection_reliability_30d']}% of the last 30 days, on a weak signal")
    # Its night charged as it should: the only thing to say is the connection's.
    assert only(verdicts_for(night), "poor_charger_connectivity") == verdict


def test_the_healthy_control_gets_no_verdict_anywhere(api, cases):
    case = cases["healthy_control"]
    user_id = case["user_id"]

    assert verdicts_for(sub_session_evidence(api, user_id=user_id, sub_session_id=case["sub_session_id"])) == []
    assert verdicts_for(night_evidence(api, user_id=user_id, vehicle_id=case["vehicle_id"], evse_id=case["evse_id"],
                                       plugged_in_at=case["night"]["plugged_in_at"])) == []
    assert verdicts_for(vehicle_panel_evidence(api, user_id=user_id, vehicle_id=case["vehicle_id"])) == []
    assert verdicts_for(charger_panel_evidence(api, user_id=user_id, evse_id=case["evse_id"])) == []


def test_the_healthy_controls_whole_month_gets_no_verdict(api, cases):
    """Every night of the month, from the sub-session's own figures, prices and ready-by time."""
    case = cases["healthy_control"]
    month = api.collection(c.CHARGING_SUB_SESSIONS).list(user=case["user_id"], page_size=100, expand=(),
                                                         vehicle_id=case["vehicle_id"], is_finished=True)
    assert len(month.items) >= 25

    for sub_session in month.items:
        evidence = sub_session_evidence(api, user_id=case["user_id"], sub_session_id=sub_session.id, sources=())
        assert verdicts_for(evidence) == [], sub_session.id


def test_ordinary_nights_of_other_drivers_get_no_verdict(api, cases):
    """The API's own fine nights (rated GREEN, no flag), all modes, of drivers outside the cases whose
    devices are healthy: a charger reliably online and an active vehicle integration (a driver whose
    devices are not gets that device's verdict on every page, rightly)."""
    case_drivers = {case["user_id"] for case in cases.values()}
    recent = api.collection(c.CHARGING_SUB_SESSIONS).list(page_size=100, is_finished=True)
    checked, drivers = 0, set()
    for sub_session in recent.items:
        driver = sub_session.vehicle.related_id("user") if sub_session.vehicle else None
        fine = sub_session.assessment and sub_session.assessment.overall == "GREEN" and not sub_session.flags.flags
        if driver is None or driver in case_drivers or driver in drivers or not fine:
            continue
        evidence = sub_session_evidence(api, user_id=driver, sub_session_id=sub_session.id)
        healthy = (evidence.vehicle.integrated == "ACTIVE" and evidence.connectivity is not None
                   and evidence.connectivity.connection_reliability_30d >= 90)
        if not healthy:
            continue
        assert verdicts_for(evidence) == [], sub_session.id
        drivers.add(driver)
        checked += 1
        if checked == ORDINARY_NIGHTS:
            break
    assert checked == ORDINARY_NIGHTS
