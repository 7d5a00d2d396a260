"""A month of home charging for every driver with a vehicle and a charger (the cases' drivers aside).

Most nights the driver plugs in between 17:30 and 22:30 local time and unplugs next morning; the
ready-by time is 07:00. Mostly one SMART sub-session; some nights a BOOST after a while, some a
switch to unmanaged charging (smart charging turned off mid-session); drivers of vehicles with
smart charging off charge UNMANAGED_HOME. About one night in six there is no charge, and some
drivers are plugged in right now (a session in progress, for boosting).
"""

from __future__ import annotations

from datetime import timedelta

from evadmin.sandbox.seeding import HISTORY_DAYS, module_rng
from evadmin.sandbox.seeding.nights import Night, build_night, driver_of, night_window

NO_CHARGE_RATE = 0.17
BOOST_RATE = 0.07
SMART_OFF_RATE = 0.03
REPLAN_RATE = 0.2
PLUGGED_IN_NOW_RATE = 0.15


def drivers_devices(users, vehicles, evses) -> dict[str, tuple]:
    """{user id: (first vehicle, first charger)} for drivers having both."""
    first_vehicle, first_evse = {}, {}
    for vehicle in vehicles:
        first_vehicle.setdefault(vehicle.user_id, vehicle)
    for evse in evses:
        first_evse.setdefault(evse.user_id, evse)
    return {user.id: (first_vehicle[user.id], first_evse[user.id]) for user in users
            if user.id in first_vehicle and user.id in first_evse}


def night_plan(driver, day, now, rng) -> Night | None:
    """A usual night for this driver on `day` (a local date), or None when they did not charge."""
    if rng.random() < NO_CHARGE_RATE:
        return None
    plug_in, unplug, ready_by = night_window(driver, day, rng)
    if plug_in >= now:
        return None
    if unplug > now:
        unplug = None  # still plugged in
    night = Night(plug_in=plug_in, unplug=unplug, ready_by=ready_by, start_soc=rng.randint(20, 65),
                  replan=rng.random() < REPLAN_RATE)
    if not driver.vehicle.smart_charging_enabled:
        night.modes = [("UNMANAGED_HOME", plug_in, "EVSE_CONNECT")]
        return night
    night.modes = [("SMART", plug_in, "EVSE_CONNECT")]
    draw = rng.random()
    switch_at = plug_in + timedelta(minutes=rng.randint(15, 75))
    if draw < BOOST_RATE and (unplug is None or switch_at < unplug) and switch_at < now:
        night.modes.append(("BOOST", switch_at, "BOOST_START"))
    elif draw < BOOST_RATE + SMART_OFF_RATE and (unplug is None or switch_at < unplug) and switch_at < now:
        night.modes.append(("UNMANAGED_HOME", switch_at, "SMART_CHARGE_DISABLED"))
    return night


def plugged_in_now(driver, now, rng) -> Night:
    """A session started a few hours ago and still running (SMART): what boost_start acts on."""
    plug_in = now - timedelta(minutes=rng.randint(30, 300))
    local_ready = driver.local(now + timedelta(hours=8)).replace(hour=7, minute=0, second=0, microsecond=0)
    ready_by = local_ready if local_ready > now else local_ready + timedelta(days=1)
    return Night(plug_in=plug_in, unplug=None, ready_by=ready_by, start_soc=rng.randint(20, 65),
                 modes=[("SMART" if driver.vehicle.smart_charging_enabled else "UNMANAGED_HOME", plug_in,
                         "EVSE_CONNECT")])


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "charging")
    devices = drivers_devices(users, vehicles, evses)
    records, price_cache = [], {}
    for user in users:
        if user.id not in devices or user.id in plan.case_users:
            continue
        vehicle, evse = devices[user.id]
        driver = driver_of(user, vehicle, evse, charge_rate_watts=rng.choice((7400, 7400, 7400, 11000, 3700)),
                           price_cache=price_cache)
        today = driver.local(plan.now).date()
        last_end = None
        for offset in range(HISTORY_DAYS, 0, -1):
            night = night_plan(driver, today - timedelta(days=offset), plan.now, rng)
            if night is None:
                continue
            night_records, _ = build_night(driver, night, plan.now, rng)
            records += night_records
            last_end = night.unplug
        if rng.random() < PLUGGED_IN_NOW_RATE and last_end is not None:
            night = plugged_in_now(driver, plan.now, rng)
            if night.plug_in > last_end:
                records += build_night(driver, night, plan.now, rng)[0]
    return records
