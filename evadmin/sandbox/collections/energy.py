"""Solar arrays, inverters, home batteries and their status logs, and HEM systems with their live power
and energy statistics, as the spec has them (reads only; seeding/energy.py says how they are stored).

Lists are arrays paged by cursor with a Link header; with EvEnergy-User each lists that driver's
devices. Each kind has its own scope: solar:read, inverter:read, home_battery:read, home_energy:read.
`expand` inlines a solar array's inverter (and user), an inverter's or battery's model, make and latest
status log, a status log's battery. A HEM system's live power is computed for the current minute, its
energy statistics for the range and resolution asked (start, end and resolution are required).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evadmin.sandbox.collections.devices import attach_latest_status_logs, latest_status_log
from evadmin.sandbox.collections.records import record_json, record_url
from evadmin.sandbox.models import Record, User, Vehicle
from evadmin.sandbox.resources import Collection, Detail, Filter, invalid_parameter, parse_datetime
from evadmin.sandbox.seeding import energy as seeded
from evadmin.sandbox.serializers import iso_datetime, sub_expand, user_json

SOLAR_READ, INVERTER_READ, BATTERY_READ, HEM_READ = "solar:read", "inverter:read", "home_battery:read", \
    "home_energy:read"
MODEL_EXPANDS = ("model", "model.make", "latest_status_log")
RESOLUTIONS = {"PT30M": timedelta(minutes=30), "P1D": timedelta(days=1), "P1M": None}
# The most buckets one answer holds (a month of half-hours, a year and a month of days, three years of months):
# a longer range is a 400, not a minute of work.
MAX_BUCKETS = {"PT30M": 31 * 48, "P1D": 400, "P1M": 36}
VEHICLE_BATTERY_WH = 60_000  # the forecast's percentage, for a vehicle the sandbox does not size


def _model_json(model: dict | None, context, expand: set[str], collection: str, makes: str):
    if not model:
        return None
    if "model" not in expand:
        return f"{context.base}/{collection}/{model['id']}"
    make = model["make"]
    return {"id": model["id"], "url": f"{context.base}/{collection}/{model['id']}", "name": model["name"],
            "make": ({"id": make["id"], "url": f"{context.base}/{makes}/{make['id']}", "name": make["name"],
                      "icon": make["icon"]} if "model.make" in expand else f"{context.base}/{makes}/{make['id']}"),
            "onboarding_url": model["onboarding_url"]}


def inverter_json(record: Record, context, expand: set[str]) -> dict:
    data = record_json(record, context, expand, collection="inverters")
    data["model"] = _model_json(record.data.get("_model"), context, expand, "inverter_models", "inverter_makes")
    latest = record.data.get("_latest")
    url = f"{context.base}/inverters/{record.id}/status_logs/{latest['sampled_at']}/" if latest else None
    data["latest_status_log"] = ({"url": url, **latest, "inverter": record_url(context, "inverters", record.id)}
                                 if latest and "latest_status_log" in expand else url)
    return data


def _inverter(record_id: str):
    return Record.objects.filter(kind=seeded.INVERTER, pk=record_id).first()


def solar_array_json(record: Record, context, expand: set[str]) -> dict:
    data = record_json(record, context, expand, collection="solar_arrays")
    inverter_id = record.data.get("_inverter")
    inverter = None
    if inverter_id and "inverter" in expand:
        inverter = record.__dict__.get("_inverter_record") or _inverter(inverter_id)
    data["inverter"] = (inverter_json(inverter, context, sub_expand(expand, "inverter")) if inverter is not None
                        else record_url(context, "inverters", inverter_id) if inverter_id else None)
    user = User.objects.filter(pk=record.user_id).first() if "user" in expand else None
    data["user"] = (user_json(user, context.base, sub_expand(expand, "user")) if user is not None
                    else f"{context.base}/users/{record.user_id}")
    vehicle_id = context.request.GET.get("vehicle_id")
    forecast = data.get("forecast")
    if forecast and vehicle_id and Vehicle.objects.filter(pk=vehicle_id, user_id=record.user_id).exists():
        watt_hours = forecast.get("solar_watt_hours_until_midnight") or 0
        data["forecast"] = {**forecast,
                            "percent_vehicle_battery_charge_until_midnight": round(100 * watt_hours / VEHICLE_BATTERY_WH)}
    return data


def battery_log_url(context, record: Record) -> str:
    return f"{context.base}/home_batteries/{record.parent_id}/status_logs/{record.data['sampled_at']}"


def battery_log_json(record: Record, context, expand: set[str]) -> dict:
    data = {"url": battery_log_url(context, record)}
    data.update((key, value) for key, value in record.data.items() if not key.startswith("_"))
    battery = record.__dict__.get("_battery") if "home_battery" in expand else None
    if "home_battery" in expand and battery is None:
        battery = Record.objects.filter(kind=seeded.HOME_BATTERY, pk=record.parent_id).first()
    data["home_battery"] = (home_battery_json(battery, context, sub_expand(expand, "home_battery"))
                            if battery is not None else record_url(context, "home_batteries", record.parent_id))
    return data


def home_battery_json(record: Record, context, expand: set[str]) -> dict:
    data = record_json(record, context, expand, collection="home_batteries")
    data["model"] = _model_json(record.data.get("_model"), context, expand, "home_battery_models",
                                "home_battery_makes")
    latest = latest_status_log(record, seeded.BATTERY_LOG)
    if latest is None:
        data["latest_status_log"] = None
    elif "latest_status_log" in expand:
        data["latest_status_log"] = battery_log_json(latest, context, set())
    else:
        data["latest_status_log"] = battery_log_url(context, latest)
    return data


def _with_latest_logs(records: list, context, expand: set[str]) -> None:
    attach_latest_status_logs(records, seeded.BATTERY_LOG)


def _with_inverters(records: list, context, expand: set[str]) -> None:
    """A page's inverters in one query when they are expanded."""
    if "inverter" not in expand:
        return
    wanted = {record.data.get("_inverter") for record in records} - {None}
    found = {item.id: item for item in Record.objects.filter(kind=seeded.INVERTER, pk__in=wanted)}
    for record in records:
        record._inverter_record = found.get(record.data.get("_inverter"))


def _with_battery(records: list, context, expand: set[str]) -> None:
    """Logs of one page share their battery: load it once for `expand=home_battery…`."""
    if not records or "home_battery" not in expand:
        return
    battery = Record.objects.get(pk=records[0].parent_id)
    for record in records:
        record._battery = battery


def hem_system_json(record: Record, context, expand: set[str]) -> dict:
    return record_json(record, context, expand, collection="hem_systems")


def _flows(record: Record, moment: datetime) -> dict[str, int]:
    return seeded.flows_at(_seed_of(record), record.data.get("_capacity_watts", 0), record.data.get("_battery_wh", 0),
                           moment)


def _seed_of(record: Record) -> int:
    return sum(ord(character) for character in record.id)


def live_power_json(record: Record, context, expand: set[str]) -> dict:
    moment = datetime.now(UTC).replace(second=0, microsecond=0)
    flows = _flows(record, moment)
    battery_wh = record.data.get("_battery_wh", 0)
    return {"sampled_at": iso_datetime(moment), **{f"{name}_watts": value for name, value in flows.items()},
            "battery_state_of_charge_percentage": seeded.state_of_charge_at(
                _seed_of(record), record.data.get("_capacity_watts", 0), battery_wh, moment)}


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(moment: datetime) -> datetime:
    return (moment.replace(day=28) + timedelta(days=4)).replace(day=1)


def _buckets(start: datetime, end: datetime, resolution: str) -> list[tuple[datetime, datetime]]:
    step = RESOLUTIONS[resolution]
    if step is None:
        moment = _month_start(start)
        following = _next_month
    else:
        moment = start.replace(second=0, microsecond=0)
        moment = moment.replace(minute=moment.minute - moment.minute % 30) if step < timedelta(days=1) else \
            moment.replace(hour=0, minute=0)
        following = lambda value: value + step  # noqa: E731
    found = []
    while moment < end:
        if len(found) >= MAX_BUCKETS[resolution]:
            raise invalid_parameter("end", f"At most {MAX_BUCKETS[resolution]} buckets at resolution {resolution}: "
                                           "ask for a shorter range.")
        found.append((moment, following(moment)))
        moment = following(moment)
    return found


STATS_FIELDS = ("generation", "consumption", "import", "export", "charge", "discharge", "solar_to_home",
                "solar_to_battery", "solar_to_grid", "battery_to_home", "battery_to_grid", "grid_to_home",
                "grid_to_battery")


def _bucket_json(record: Record, period_start: datetime, period_end: datetime, created: datetime | None,
                 now: datetime) -> dict:
    data = {"period_start": iso_datetime(period_start), "period_end": iso_datetime(period_end)}
    if (created is not None and period_end <= created) or period_start >= now:  # nothing measured then
        return {**data, **{f"{name}_wh": None for name in STATS_FIELDS}, "avg_battery_state_of_charge_percentage": None}
    totals = dict.fromkeys(STATS_FIELDS, 0)
    slot, slots = max(period_start, created or period_start), 0
    slot = slot.replace(minute=slot.minute - slot.minute % 30, second=0, microsecond=0)
    step = timedelta(hours=1) if period_end - period_start > timedelta(days=2) else timedelta(minutes=30)
    while slot < min(period_end, now):
        flows = _flows(record, slot)
        for name in STATS_FIELDS:
            totals[name] += flows[name] * step.total_seconds() / 3600
        slot, slots = slot + step, slots + 1
    battery_wh = record.data.get("_battery_wh", 0)
    average = seeded.state_of_charge_at(_seed_of(record), record.data.get("_capacity_watts", 0), battery_wh,
                                        min(period_end, now) - timedelta(minutes=1)) if battery_wh and slots else None
    return {**data, **{f"{name}_wh": round(value) for name, value in totals.items()},
            "avg_battery_state_of_charge_percentage": average}


def energy_stats_json(record: Record, context, expand: set[str]) -> dict:
    query = context.request.GET
    for name in ("start", "end", "resolution"):
        if not query.get(name):
            raise invalid_parameter(name, "This parameter is required.")
    start, end = parse_datetime("start", query["start"]), parse_datetime("end", query["end"])
    resolution = query["resolution"]
    if resolution not in RESOLUTIONS:
        raise invalid_parameter("resolution", f"\"{resolution}\" is not one of {', '.join(RESOLUTIONS)}.")
    if end <= start:
        raise invalid_parameter("end", "The end must be after the start.")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    created = datetime.fromisoformat(record.data["created_at"].replace("Z", "+00:00")) \
        if record.data.get("created_at") else None
    now = datetime.now(UTC)
    buckets = _buckets(start, end, resolution)
    return {"resolution": resolution, "start": iso_datetime(start), "end": iso_datetime(end),
            "buckets": [_bucket_json(record, first, last, created, now) for first, last in buckets]}


def _at_sampled(queryset, raw: str):
    return queryset.filter(at=parse_datetime("sampled_at", raw)).order_by("-id").first()


SOLAR_ARRAYS = Collection(name="solar_arrays", prefix=seeded.SOLAR_ARRAY_PREFIX, scope=SOLAR_READ,
                          queryset=lambda: Record.objects.filter(kind=seeded.SOLAR_ARRAY), serialize=solar_array_json,
                          expands=("user", "inverter"), prefetch=_with_inverters)
INVERTERS = Collection(name="inverters", prefix=seeded.INVERTER_PREFIX, scope=INVERTER_READ,
                       queryset=lambda: Record.objects.filter(kind=seeded.INVERTER), serialize=inverter_json,
                       expands=MODEL_EXPANDS)
HOME_BATTERIES = Collection(name="home_batteries", prefix=seeded.HOME_BATTERY_PREFIX, scope=BATTERY_READ,
                            queryset=lambda: Record.objects.filter(kind=seeded.HOME_BATTERY),
                            serialize=home_battery_json, expands=MODEL_EXPANDS, prefetch=_with_latest_logs)
HOME_BATTERY_STATUS_LOGS = Collection(
    name="status_logs", prefix=seeded.BATTERY_LOG_PREFIX, scope=BATTERY_READ,
    queryset=lambda: Record.objects.filter(kind=seeded.BATTERY_LOG), serialize=battery_log_json,
    expands=("home_battery", "home_battery.model", "home_battery.model.make"),
    filters={"sampled_at__gte": Filter("at__gte", parse_datetime), "sampled_at__lte": Filter("at__lte", parse_datetime)},
    parent=HOME_BATTERIES, key=_at_sampled, newest_first=True, prefetch=_with_battery)
HEM_SYSTEMS = Collection(name="hem_systems", prefix=seeded.HEM_SYSTEM_PREFIX, scope=HEM_READ,
                         queryset=lambda: Record.objects.filter(kind=seeded.HEM_SYSTEM), serialize=hem_system_json)

DECLARATIONS = (
    SOLAR_ARRAYS, INVERTERS, HOME_BATTERIES, HOME_BATTERY_STATUS_LOGS, HEM_SYSTEMS,
    Detail(HEM_SYSTEMS, "live_power", HEM_READ, live_power_json),
    Detail(HEM_SYSTEMS, "energy_stats", HEM_READ, energy_stats_json),
)
