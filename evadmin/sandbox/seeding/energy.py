"""Energy devices: solar arrays, inverters, home batteries with a day of status logs, and HEM systems;
the support case "solar_and_home_battery".

Each device is a Record of its driver. An inverter keeps its model (`data._model`, make inside) and its
latest status (`data._latest`: the spec's InverterStatusLog; the sandbox serves no inverter logs); a solar
array names its inverter (`data._inverter`); a home battery keeps its model, and its status logs are
Records parented by it (kind "home_battery_status_log", `at` = sampled_at). A HEM system keeps the solar
capacity and battery size its flows are drawn from (`data._capacity_watts`, `data._battery_wh`): its live
power and energy statistics are computed on request from `flows_at`, the same for any range asked.

Most drivers have no energy device; about one in eight has some. The case's driver has a 4.2 kW solar array
on an inverter, a 13.5 kWh home battery with a day of status logs every 15 minutes, and a HEM system.
One driver's models carry hostile names (HTML, very long text, U+202E), as elsewhere.
"""

from __future__ import annotations

import math
import zlib
from datetime import datetime, timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import module_rng
from evadmin.sandbox.seeding.cases import SEED_CASE, SEED_CASE_PREFIX
from evadmin.sandbox.serializers import iso_datetime

SOLAR_ARRAY, SOLAR_ARRAY_PREFIX = "solar_array", "solr"
INVERTER, INVERTER_PREFIX = "inverter", "invt"
HOME_BATTERY, HOME_BATTERY_PREFIX = "home_battery", "hoba"
BATTERY_LOG, BATTERY_LOG_PREFIX = "home_battery_status_log", "hbsl"
HEM_SYSTEM, HEM_SYSTEM_PREFIX = "hem_system", "hems"
CASE = "solar_and_home_battery"
RTL = "\u202e"
SLOT = timedelta(minutes=30)
MAX_CHARGE_WATTS = 2500


def _catalogue_id(prefix: str, number: int) -> str:
    return prefix + ids.ulid_at(1_700_000_000_000 + number, number)


def _model(prefix: str, make_prefix: str, number: int, make: str, name: str) -> dict:
    return {"id": _catalogue_id(prefix, number), "name": name, "onboarding_url": None,
            "make": {"id": _catalogue_id(make_prefix, number), "name": make, "icon": None}}


INVERTER_MODELS = (_model("imod", "imak", 1, "Fronius", "Symo 5.0"), _model("imod", "imak", 2, "SolarEdge", "SE4000H"),
                   _model("imod", "imak", 3, "GivEnergy", "Hybrid 3.6"))
BATTERY_MODELS = (_model("bmod", "bmak", 1, "Tesla", "Powerwall 2"), _model("bmod", "bmak", 2, "GivEnergy", "9.5 kWh"),
                  _model("bmod", "bmak", 3, "Sonnen", "eco 10"))
HOSTILE_NAME = "<script>alert('energy')</script><b>Solar</b> " + RTL + "rettrevni " + "very long " * 40
HOSTILE_INVERTER_MODEL = _model("imod", "imak", 9, f"<img src=x onerror=alert(1)>{RTL}ekam", HOSTILE_NAME)
HOSTILE_BATTERY_MODEL = _model("bmod", "bmak", 9, f"<b>Make</b>{RTL}yrettab", HOSTILE_NAME)


def _noise(seed: int, text: str) -> float:
    """A number in [0, 1) drawn from the seed and the text: the same on every request."""
    return (zlib.crc32(f"{seed}:{text}".encode()) % 10_000) / 10_000


def flows_at(seed: int, capacity_watts: int, battery_wh: int, moment: datetime) -> dict[str, int]:
    """A home's power flows (watts) at `moment`: solar by the hour and the day's weather, the home's use
    in the mornings and evenings, the battery taking surplus solar and giving it back in the evening."""
    hour = moment.hour + moment.minute / 60
    weather = 0.35 + 0.65 * _noise(seed, moment.date().isoformat())
    generation = int(capacity_watts * weather * max(0.0, math.sin(math.pi * (hour - 6) / 12))) if 6 < hour < 18 else 0
    consumption = 350 + (1400 if 17 <= hour < 22 else 0) + (500 if 7 <= hour < 9 else 0)
    consumption += int(200 * _noise(seed, moment.isoformat()))
    solar_to_home = min(generation, consumption)
    surplus = generation - solar_to_home
    charge = min(surplus, MAX_CHARGE_WATTS) if battery_wh else 0
    discharge = min(consumption - solar_to_home, MAX_CHARGE_WATTS) if battery_wh and 16 <= hour < 23 else 0
    solar_to_battery = charge
    solar_to_grid = surplus - solar_to_battery
    battery_to_home = discharge
    grid_to_home = consumption - solar_to_home - battery_to_home
    return {"generation": generation, "consumption": consumption, "import": grid_to_home, "export": solar_to_grid,
            "charge": charge, "discharge": discharge, "solar_to_home": solar_to_home,
            "solar_to_battery": solar_to_battery, "solar_to_grid": solar_to_grid, "battery_to_home": battery_to_home,
            "battery_to_grid": 0, "grid_to_home": grid_to_home, "grid_to_battery": 0}


def state_of_charge_at(seed: int, capacity_watts: int, battery_wh: int, moment: datetime) -> int | None:
    """The battery's charge (%) at `moment`: from 20 % at 06:00, its half-hours of charge and discharge since."""
    if not battery_wh:
        return None
    day_start = moment.replace(hour=6, minute=0, second=0, microsecond=0)
    if moment < day_start:
        day_start -= timedelta(days=1)
    stored = battery_wh * 0.2
    slot = day_start
    while slot + SLOT <= moment:
        flows = flows_at(seed, capacity_watts, battery_wh, slot)
        stored = min(battery_wh, max(battery_wh * 0.1, stored + (flows["charge"] - flows["discharge"]) / 2))
        slot += SLOT
    return round(100 * stored / battery_wh)


class EnergyWriter:
    def __init__(self, rng, now: datetime, seed: int) -> None:
        self.rng, self.now, self.seed = rng, now, seed
        self.records: list[Record] = []

    def _record(self, kind: str, prefix: str, user_id: str, at: datetime, data: dict, parent_id: str = "") -> Record:
        record = Record(id=ids.seeded_id(prefix, at, self.rng), kind=kind, user_id=user_id, parent_id=parent_id,
                        at=at, data=data)
        self.records.append(record)
        return record

    def inverter(self, user_id: str, since: datetime, model: dict, capacity_watts: int) -> Record:
        flows = flows_at(self.seed, capacity_watts, 0, self.now)
        watts = flows["generation"]
        latest = {"sampled_at": iso_datetime(self.now - timedelta(minutes=5)),
                  "logged_at": iso_datetime(self.now - timedelta(minutes=4)), "solar_power_watts": watts,
                  "status": "PRODUCING" if watts > 0 else "IDLE"}
        return self._record(INVERTER, INVERTER_PREFIX, user_id, since, {
            "created_at": iso_datetime(since), "onboarding_url": None, "_model": model, "_latest": latest})

    def solar_array(self, user_id: str, since: datetime, capacity_watts: int, inverter: Record | None) -> Record:
        remaining = sum(flows_at(self.seed, capacity_watts, 0, self.now + SLOT * index)["generation"]
                        for index in range(48) if (self.now + SLOT * index).date() == self.now.date()) // 2
        forecast = {"solar_watt_hours_until_midnight": remaining, "percent_vehicle_battery_charge_until_midnight": None,
                    "last_updated_at": iso_datetime(self.now - timedelta(minutes=20))}
        return self._record(SOLAR_ARRAY, SOLAR_ARRAY_PREFIX, user_id, since, {
            "capacity_watts": capacity_watts, "forecast": forecast,
            "_inverter": inverter.id if inverter is not None else None})

    def home_battery(self, user_id: str, since: datetime, model: dict, capacity_watts: int, battery_wh: int,
                     every: timedelta) -> tuple[Record, list[Record]]:
        battery = self._record(HOME_BATTERY, HOME_BATTERY_PREFIX, user_id, since, {
            "created_at": iso_datetime(since), "_model": model})
        logs = []
        moment = self.now - timedelta(days=1)
        while moment <= self.now:
            flows = flows_at(self.seed, capacity_watts, battery_wh, moment)
            rate = flows["charge"] - flows["discharge"]
            status = "CHARGING" if rate > 0 else "DISCHARGING" if rate < 0 else "IDLE"
            logs.append(self._record(BATTERY_LOG, BATTERY_LOG_PREFIX, user_id, moment, {
                "sampled_at": iso_datetime(moment), "capacity_watt_hours": battery_wh,
                "state_of_charge_percentage": state_of_charge_at(self.seed, capacity_watts, battery_wh, moment),
                "charge_rate_watts": rate, "discharge_limit_percentage": 10, "status": status,
                "operation_mode": "SELF_RELIANCE"}, parent_id=battery.id))
            moment += every
        return battery, logs

    def hem_system(self, user_id: str, since: datetime, capacity_watts: int, battery_wh: int) -> Record:
        return self._record(HEM_SYSTEM, HEM_SYSTEM_PREFIX, user_id, since, {
            "created_at": iso_datetime(since), "_capacity_watts": capacity_watts, "_battery_wh": battery_wh})

    def household(self, user_id: str, *, solar: bool, battery: bool, hem: bool, inverter_model: dict,
                  battery_model: dict, every: timedelta = timedelta(hours=1), capacity: int | None = None,
                  days: int | None = None) -> dict:
        rng = self.rng
        since = self.now - timedelta(days=days or rng.randint(40, 700))
        capacity = (capacity or rng.choice((2800, 3600, 4200, 5000, 6400))) if solar else 0
        battery_wh = rng.choice((9500, 10000, 13500)) if battery else 0
        found: dict = {}
        if solar:
            found["inverter"] = self.inverter(user_id, since, inverter_model, capacity)
            found["solar_array"] = self.solar_array(user_id, since, capacity, found["inverter"])
        if battery:
            found["home_battery"], found["logs"] = self.home_battery(user_id, since + timedelta(days=3), battery_model,
                                                                     capacity, battery_wh, every)
        if hem:
            found["hem_system"] = self.hem_system(user_id, since + timedelta(days=3), capacity, battery_wh)
        return found


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "energy")
    writer = EnergyWriter(rng, plan.now, seed)
    ordinary = [user for user in users if user.id not in plan.case_users]
    if not ordinary:
        return writer.records
    case_user, *others = ordinary
    plan.case_users.add(case_user.id)
    case = writer.household(case_user.id, solar=True, battery=True, hem=True, inverter_model=INVERTER_MODELS[0],
                            battery_model=BATTERY_MODELS[0], every=timedelta(minutes=15), capacity=4200,
                            days=800)  # the oldest: its solar array lists first (ids are ULIDs of their time)
    solar_record, latest = case["solar_array"], case["logs"][-1]
    hostile, *rest = others or [case_user]
    if hostile is not case_user:
        writer.household(hostile.id, solar=True, battery=True, hem=False, inverter_model=HOSTILE_INVERTER_MODEL,
                         battery_model=HOSTILE_BATTERY_MODEL)
    with_devices = []
    for user in rest:
        if rng.random() < 0.125:
            solar, battery = rng.random() < 0.8, rng.random() < 0.5
            writer.household(user.id, solar=solar, battery=battery, hem=(solar or battery) and rng.random() < 0.5,
                             inverter_model=rng.choice(INVERTER_MODELS), battery_model=rng.choice(BATTERY_MODELS))
            with_devices.append(user.id)
    nothing = next((user for user in reversed(rest) if user.id not in with_devices), None)
    writer.records.append(Record(
        id=ids.seeded_id(SEED_CASE_PREFIX, plan.now, rng), kind=SEED_CASE, user_id=case_user.id, at=plan.now,
        data={"name": CASE, "user_id": case_user.id,
              "description": "A driver with a 4.2 kW solar array on an inverter, a home battery reporting its state "
                             "every 15 minutes for the last day, and a HEM system with live power and energy "
                             "statistics.",
              "solar_array_id": solar_record.id, "capacity_watts": 4200, "inverter_id": case["inverter"].id,
              "inverter_model": INVERTER_MODELS[0]["name"], "home_battery_id": case["home_battery"].id,
              "battery_model": BATTERY_MODELS[0]["name"], "status_log_count": len(case["logs"]),
              "battery_state_of_charge_percentage": latest.data["state_of_charge_percentage"],
              "battery_charge_rate_watts": latest.data["charge_rate_watts"],
              "battery_sampled_at": latest.data["sampled_at"], "hem_system_id": case["hem_system"].id,
              "hostile_user_id": hostile.id if hostile is not case_user else None,
              "user_with_nothing": nothing.id if nothing is not None else None}))
    return writer.records
