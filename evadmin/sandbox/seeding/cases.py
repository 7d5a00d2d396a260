"""Support cases: drivers whose month tells a story a support agent must be able to read from the API.

Runs first of the seeders: picks its drivers deterministically (a vehicle, a charger, a tariff in
their own currency and an address: none of the account defects in the way), claims them in
`plan.case_users`, and builds their month of charging (nights.py) with the case's night planted
three nights ago, plus their devices' logs in full over the case's window (device_logs.py builders). Each case's ground
truth is stored as a Record of kind "seed_case" that GET /_sandbox/seed/cases serves.

Some facts live on the concrete rows (a vehicle's `integrated`, a driver's tariff): the case sets
them on the unsaved objects, which seed.py saves after every seeder has run.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from evadmin.sandbox import ids, prices
from evadmin.sandbox.models import Record
from evadmin.sandbox.seed_data import COUNTRIES
from evadmin.sandbox.seeding import HISTORY_DAYS, module_rng
from evadmin.sandbox.seeding import device_logs as logs
from evadmin.sandbox.seeding.charging import drivers_devices
from evadmin.sandbox.seeding.nights import Night, build_night, driver_of, night_window
from evadmin.sandbox.serializers import iso_datetime

SEED_CASE, SEED_CASE_PREFIX = "seed_case", "case"
AC = "AC - Typically home chargers"  # the spec's enum value for current_type
CASE_NIGHT = 3  # the planted night: the evening three days before the seeding's day
# The devices' logs cover the case's window: the planted night and the nights either side of it
# (from noon before the first to noon after the last), enough to compare with ordinary nights.
LOG_WINDOW_NIGHTS = 1
CASES = ("charger_offline_no_charge", "finished_after_ready_by", "charged_at_peak", "vehicle_integration_inactive",
         "energy_over_delivery", "poor_charger_connectivity", "healthy_control")
DESCRIPTIONS = {
    "charger_offline_no_charge": "No charge one night: the charger went offline (heartbeats stop after a "
                                 "StatusNotification Unavailable) while the vehicle reported being plugged in.",
    "finished_after_ready_by": "A slow charge from a low battery that was still delivering energy after the "
                               "ready-by time (assessment AMBER).",
    "charged_at_peak": "A boost started at the evening peak on a dynamic tariff: energy bought at peak prices.",
    "vehicle_integration_inactive": "The vehicle's integration is INACTIVE: the manufacturer answers 401 since "
                                    "the driver's token expired; the vehicle sends no more status.",
    "energy_over_delivery": "A sub-session reporting more energy than the battery could take: flag "
                            "ENERGY_OVER_DELIVERY and a RED assessment; recalculation caps it.",
    "poor_charger_connectivity": "A charger that drops off the network: low 30-day connection reliability.",
    "healthy_control": "A driver whose nights are all fine: the control case.",
}


def _eligible(user, vehicle) -> bool:
    country = COUNTRIES.get(user.country_code)
    return (user.tariff_id is not None and country is not None and user.tariff.currency == country.currency
            and user.latitude is not None and user.terms_consent_datetime is not None and user.evse_site_id is None
            and not vehicle.disabled)


def _pick(users, devices, rng) -> dict[str, object]:
    """{case: user}: the peak case needs a dynamic tariff, the others any eligible driver."""
    candidates = [user for user in users if user.id in devices and _eligible(user, devices[user.id][0])]
    rng.shuffle(candidates)
    picked: dict[str, object] = {}
    dynamic = [user for user in candidates if prices.is_dynamic(user.tariff)]
    if dynamic:
        picked["charged_at_peak"] = dynamic[0]
    rest = iter(user for user in candidates if user not in picked.values())
    for case in CASES:
        if case not in picked:
            user = next(rest, None)
            if user is not None:
                picked[case] = user
    return picked


class CaseBuilder:
    def __init__(self, case: str, user, vehicle, evse, plan, rng) -> None:
        self.case, self.plan, self.rng = case, plan, rng
        vehicle.smart_charging_enabled = True  # the cases are about smart charging
        rate = 3700 if case == "finished_after_ready_by" else 7400
        self.driver = driver_of(user, vehicle, evse, charge_rate_watts=rate)
        self.records: list[Record] = []
        self.today = self.driver.local(plan.now).date()
        self.case_day = self.today - timedelta(days=CASE_NIGHT)
        self.truth: dict = {"name": case, "description": DESCRIPTIONS[case], "user_id": user.id,
                            "vehicle_id": vehicle.id, "evse_id": evse.id}
        self.vehicle_silent_from: datetime | None = None
        self.offline: tuple[datetime, datetime] | None = None

    # --- nights ----------------------------------------------------------------------------
    def month(self) -> None:
        for offset in range(HISTORY_DAYS, 0, -1):
            day = self.today - timedelta(days=offset)
            plug_in, unplug, ready_by = night_window(self.driver, day, self.rng, evening=(18.0, 21.0))
            night = Night(plug_in=plug_in, unplug=unplug, ready_by=ready_by, start_soc=self.rng.randint(35, 60),
                          modes=[("SMART", plug_in, "EVSE_CONNECT")])
            if day == self.case_day:
                night = self.case_night(night, day)
                if night is None:
                    continue
            records, truths = build_night(self.driver, night, self.plan.now, self.rng)
            self.records += records
            if abs((day - self.case_day).days) <= LOG_WINDOW_NIGHTS:
                self.device_window(night, truths)
            if day == self.case_day:
                self.night_truth(night, records, truths)

    def case_night(self, night: Night, day) -> Night | None:
        driver = self.driver
        if self.case == "charger_offline_no_charge":
            offline_at = night.plug_in - timedelta(minutes=35)
            back_at = night.unplug + timedelta(minutes=50)
            self.offline = (offline_at, back_at)
            self.truth.update(night={"plugged_in_at": iso_datetime(night.plug_in), "unplugged_at":
                                     iso_datetime(night.unplug)},
                              offline={"from": iso_datetime(offline_at), "until": iso_datetime(back_at)})
            self.plugged_without_charger(night)
            return None
        if self.case == "finished_after_ready_by":
            night.plug_in = night.plug_in.replace(hour=22, minute=15)
            night.unplug = night.unplug.replace(hour=11, minute=30)
            night.start_soc = 8
            night.modes = [("SMART", night.plug_in, "EVSE_CONNECT")]
        elif self.case == "charged_at_peak":
            local = datetime(day.year, day.month, day.day, 16, 5, tzinfo=driver.zone)
            night.plug_in = local
            night.start_soc = 30
            night.modes = [("SMART", local, "EVSE_CONNECT"), ("BOOST", local + timedelta(minutes=15), "BOOST_START")]
        elif self.case == "energy_over_delivery":
            night.over_delivery = True
        return night

    def night_truth(self, night: Night, records, truths) -> None:
        session = records[0]
        main = truths[-1]
        sub = main.record
        charging = [(start, stop, wh) for (start, stop), wh in zip(main.periods, main.watt_hours, strict=True) if wh]
        truth = {"session_id": session.id, "sub_session_id": sub.id, "mode": sub.data["mode"],
                 "night": {"plugged_in_at": iso_datetime(night.plug_in), "unplugged_at": iso_datetime(night.unplug),
                           "ready_by": iso_datetime(night.ready_by)},
                 "energy_delivered_watt_hours": sub.data["energy_delivered_watt_hours"],
                 "flags": [flag["name"] for flag in sub.data["_flags"]],
                 "ratings": sub.data.get("_assessment", {}).get("ratings", {})}
        if self.case == "finished_after_ready_by":
            truth["charging_ended_at"] = iso_datetime(charging[-1][1])
        if self.case == "charged_at_peak":
            tariff = self.driver.tariff
            truth["tariff_id"] = tariff.id
            truth["peak_intervals"] = [
                {"started_at": iso_datetime(start), "energy_delivered_watt_hours": wh,
                 "price_minor_units": prices.price_at(tariff, start)}
                for start, _, wh in charging if prices.is_peak(tariff, start)]
        if self.case == "energy_over_delivery":
            truth["capacity_watt_hours"] = sub.data["_capacity_watt_hours"]
        self.truth.update(truth)

    # --- device logs -----------------------------------------------------------------------
    def device_window(self, night: Night, truths) -> None:
        """Status logs every 30 minutes while plugged in, OCPP status changes and meter values."""
        driver, rng = self.driver, self.rng
        evse, vehicle = driver.evse, driver.vehicle
        end = night.unplug or self.plan.now
        energy_at: dict[datetime, int] = {}
        for truth in truths:
            for (start, _), wh in zip(truth.periods, truth.watt_hours, strict=True):
                energy_at[prices.period_start(start)] = energy_at.get(prices.period_start(start), 0) + wh
        battery = vehicle.effective_battery_size_watt_hours
        charged, meter = battery * night.start_soc / 100, 1_000_000 + rng.randint(0, 50_000)
        self.ocpp(night.plug_in, "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                        "status": "Preparing"})
        moment, was_charging = night.plug_in, False
        while moment < end:
            wh = energy_at.get(prices.period_start(moment), 0)
            charging = wh > 0
            if charging != was_charging:
                self.ocpp(moment, "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                         "status": "Charging" if charging else "SuspendedEVSE"})
            rate = driver.charge_rate_watts if charging else 0
            soc = min(100, round(charged * 100 / battery))
            self.records.append(logs.evse_status_log(
                evse, moment, rng, is_plugged_in=True, is_charging=charging, charge_rate_watts=rate,
                meter_reading_watt_hours=int(meter), is_enabled=True, control_pilot_status="C" if charging else "B",
                signal_strength_rssi_dbm=-71, voltage_millivolts=230_000, mode="Charge" if charging else "Delay"))
            if charging:
                self.ocpp(moment, "MeterValues", {"connectorId": 1, "meterValue": [
                    {"timestamp": iso_datetime(moment), "sampledValue": [{"value": str(int(meter)),
                                                                          "measurand": "Energy.Active.Import.Register"}]}]})
            if self.vehicle_silent_from is None or moment < self.vehicle_silent_from:
                self.records.append(logs.vehicle_status_log(
                    vehicle, moment + timedelta(minutes=3), rng, state_of_charge_percentage=soc, is_charging=charging,
                    is_plugged_in=True, charge_rate_watts=rate, charge_level_watt_hours=int(charged),
                    target_charge_level_percentage=vehicle.maximum_charge_limit_percentage,
                    current_type=AC, is_complete=soc >= vehicle.maximum_charge_limit_percentage,
                    data_source="Manufacturer API",
                    state="PLUGGED_IN_CHARGING" if charging else "PLUGGED_IN_NOT_CHARGING"))
            charged += wh
            meter += wh
            was_charging = charging
            moment += timedelta(minutes=30)
        if night.unplug is not None:
            self.ocpp(night.unplug, "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                           "status": "Available"})
            self.records.append(logs.evse_status_log(evse, night.unplug, rng, is_plugged_in=False, is_charging=False,
                                                     charge_rate_watts=0, meter_reading_watt_hours=int(meter),
                                                     is_enabled=True, control_pilot_status="A", mode="Idle"))

    def plugged_without_charger(self, night: Night) -> None:
        """Case (a): the charger's last words, then silence; the car says it is plugged in all night."""
        driver, rng = self.driver, self.rng
        offline_at, back_at = self.offline
        self.records.append(logs.evse_status_log(driver.evse, offline_at - timedelta(minutes=1), rng,
                                                 is_plugged_in=False, is_charging=False, charge_rate_watts=0,
                                                 is_enabled=True, control_pilot_status="A", signal_strength_rssi_dbm=-97,
                                                 mode="Idle"))
        self.ocpp(offline_at, "StatusNotification", {"connectorId": 0, "errorCode": "OtherError",
                                                     "status": "Unavailable", "info": "Network connection lost"})
        # The platform notes the silence five minutes in, and every two hours after that.
        silent_for = timedelta(minutes=5)
        while offline_at + silent_for < back_at:
            minutes = int(silent_for.total_seconds() // 60)
            self.records.append(logs.evse_error_log(
                driver.evse, offline_at + silent_for, rng, status_code=504, error_code="HEARTBEAT_MISSED",
                error_type="OFFLINE", error_detail=f"No heartbeat from the charger for {minutes} minutes"))
            silent_for += timedelta(hours=2)
        moment = night.plug_in
        while moment < night.unplug:
            self.records.append(logs.vehicle_status_log(
                driver.vehicle, moment, rng, state_of_charge_percentage=night.start_soc, is_charging=False,
                is_plugged_in=True, charge_rate_watts=0, current_type=AC, is_complete=False,
                data_source="Manufacturer API", state="PLUGGED_IN_NOT_CHARGING"))
            moment += timedelta(minutes=30)
        self.ocpp(back_at, "BootNotification", {"chargePointVendor": "Sandbox", "chargePointModel": driver.evse.model_id})
        self.ocpp(back_at + timedelta(seconds=20), "StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                                                          "status": "Available"})

    def ocpp(self, at: datetime, action: str, payload: dict) -> None:
        message_id = str(uuid.UUID(int=self.rng.getrandbits(128)))
        response = {"status": "Accepted", "currentTime": iso_datetime(at), "interval": 1800} \
            if action == "BootNotification" else {"currentTime": iso_datetime(at)} if action == "Heartbeat" else {}
        self.records.append(logs.evse_ocpp_log(self.driver.evse, at, self.rng, direction="Received", action=action,
                                               payload=payload, message_id=message_id, response=response))

    def heartbeats(self) -> None:
        """Hourly heartbeats over the logs' window, except while the charger was offline (or dropping off)."""
        first = self.case_day - timedelta(days=LOG_WINDOW_NIGHTS)
        moment = datetime(first.year, first.month, first.day, 12, tzinfo=self.driver.zone)
        last = self.case_day + timedelta(days=LOG_WINDOW_NIGHTS + 1)
        end = min(self.plan.now, datetime(last.year, last.month, last.day, 12, tzinfo=self.driver.zone))
        while moment < end:
            offline = self.offline is not None and self.offline[0] <= moment < self.offline[1]
            flaky = self.case == "poor_charger_connectivity" and self.rng.random() < 0.55
            if not offline and not flaky:
                self.ocpp(moment + timedelta(seconds=self.rng.randint(0, 59)), "Heartbeat", {})
            moment += timedelta(hours=1)

    def extras(self) -> None:
        driver, rng, plan = self.driver, self.rng, self.plan
        reliability = 41 if self.case == "poor_charger_connectivity" else 99
        self.records.append(logs.evse_connectivity(
            driver.evse, plan.now - timedelta(minutes=20), rng, connection_reliability_30d=reliability,
            signal_strength_rssi_dbm=-91 if reliability < 50 else -64,
            lowest_signal_strength_rssi_dbm_7d=-104 if reliability < 50 else -70,
            highest_signal_strength_rssi_dbm_7d=-82 if reliability < 50 else -58, ip_address="10.20.30.40",
            iccid="8944500102198304826", firmware_version="4.2.1"))
        self.truth.setdefault("connection_reliability_30d", reliability)
        if self.case == "vehicle_integration_inactive":
            driver.vehicle.integrated = "INACTIVE"
            broke_at = plan.now - timedelta(days=10, hours=3)
            errors = 0
            moment = broke_at
            while moment < plan.now:
                self.records.append(logs.vehicle_error_log(
                    driver.vehicle, moment, rng, status_code=401, controller="MANUFACTURER_API",
                    error_code="UNAUTHORIZED", error_type="AUTHENTICATION",
                    request_id=str(uuid.UUID(int=rng.getrandbits(128))), command="GET_STATUS",
                    error_detail="401 Unauthorized from the manufacturer's API: the access token was revoked or "
                                 "expired; the driver must re-link the vehicle."))
                errors += 1
                moment += timedelta(hours=6)
            self.truth.update(integrated="INACTIVE", integration_broken_since=iso_datetime(broke_at),
                              error_status_code=401, error_logs=errors)

    def build(self) -> list[Record]:
        if self.case == "vehicle_integration_inactive":
            self.vehicle_silent_from = self.plan.now - timedelta(days=10, hours=3)
        self.month()
        self.heartbeats()
        self.extras()
        return self.records


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "cases")
    devices = drivers_devices(users, vehicles, evses)
    records = []
    for case, user in _pick(users, devices, rng).items():
        plan.case_users.add(user.id)
        vehicle, evse = devices[user.id]
        builder = CaseBuilder(case, user, vehicle, evse, plan, rng)
        records += builder.build()
        plan.case_truths[case] = builder.truth
        records.append(Record(id=ids.seeded_id(SEED_CASE_PREFIX, plan.now, rng), kind=SEED_CASE, user_id=user.id,
                              at=plan.now, data=builder.truth))
    return records


def seeded_cases() -> dict[str, dict]:
    """{case name: ground truth} of the data as seeded."""
    return {record.data["name"]: record.data for record in Record.objects.filter(kind=SEED_CASE).order_by("id")}
