"""The parts of a charging sub-session served on their own (`/charging_sub_sessions/{id}/<part>`) or
expanded into it: energy usage, flags, assessment, debug metadata, schedules and schedule plans.

They live in the sub-session's Record under private keys (seeding/nights.py writes them):
- `_energy_usage`: {"last_updated_at", "watt_hours": [...]}, one number per interval. Intervals are
  the half-hour price periods the sub-session overlaps, the first and last cut at its start and
  end, so every interval lies inside the sub-session and has one price (prices.py);
- `_flags`: [ChargingSessionFlag]; `_assessment`, `_debug_metadata`: the schema's fields;
- `_schedule_plans`: [SchedulePlan without price_data, which expand=price_data computes from the
  tariff]; the schedules are derived from the plans and the energy usage (schedule_items);
- `_planned_watt_hours`: a smart sub-session cut short before its ready-by time (a boost, or still
  running): what its plan meant to deliver per interval up to the ready-by time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from evadmin.sandbox import prices
from evadmin.sandbox.models import Tariff
from evadmin.sandbox.resources import parse_bool, parse_datetime, parse_id, parse_int
from evadmin.sandbox.serializers import iso_datetime

SUB_SESSIONS = "charging_sub_sessions"
VOLTS = 230


def part_url(context, record, part: str) -> str:
    return f"{context.base}/{SUB_SESSIONS}/{record.id}/{part}"


def part_head(record, context, part: str, parent: dict | None = None) -> dict:
    """`url` and `charging_sub_session` (its URL, or `parent`: the sub-session expanded)."""
    return {"url": part_url(context, record, part),
            "charging_sub_session": parent or f"{context.base}/{SUB_SESSIONS}/{record.id}"}


def _tariff(record):
    tariff_id = record.data.get("_tariff_id")
    return Tariff.objects.filter(pk=tariff_id).first() if tariff_id else None


def interval_starts(start: datetime, count: int) -> list[datetime]:
    """The start of each energy usage interval: the sub-session's start, then each half-hour."""
    first_period = prices.period_start(start)
    return [start] + [first_period + prices.PRICE_INTERVAL * index for index in range(1, count)]


def usage_intervals(record, tariff) -> list[dict]:
    watt_hours = record.data.get("_energy_usage", {}).get("watt_hours", [])
    starts = interval_starts(record.at, len(watt_hours))
    end = record.ends_at or (starts[-1] + prices.PRICE_INTERVAL if starts else record.at)
    intervals = []
    for index, (started_at, energy) in enumerate(zip(starts, watt_hours, strict=True)):
        stops = starts[index + 1] if index + 1 < len(starts) else min(end, prices.period_start(started_at)
                                                                        + prices.PRICE_INTERVAL)
        price = prices.price_at(tariff, started_at) if tariff is not None else 0
        intervals.append({
            "interval_seconds": int((stops - started_at).total_seconds()),
            "started_at": iso_datetime(started_at),
            "total_energy_delivered_watt_hours": energy, "meter_usage_watt_hours": energy,
            "alt_usage_watt_hours": energy, "percentage_import": 100,
            "electricity_cost_sub_unit": str(Decimal(energy * price) / 1000),
            "energy_delivered_by_price": {"price": str(price), "energy_delivered_watt_hours": energy},
        })
    return intervals


def _merged(intervals: list[dict]) -> list[dict]:
    """Consecutive intervals of delivery (and of no delivery) merged into one each."""
    merged: list[dict] = []
    for interval in intervals:
        last = merged[-1] if merged else None
        if last is not None and (last["total_energy_delivered_watt_hours"] > 0) == (
                interval["total_energy_delivered_watt_hours"] > 0):
            energy = last["total_energy_delivered_watt_hours"] + interval["total_energy_delivered_watt_hours"]
            cost = Decimal(last["electricity_cost_sub_unit"]) + Decimal(interval["electricity_cost_sub_unit"])
            last.update({
                "interval_seconds": last["interval_seconds"] + interval["interval_seconds"],
                "total_energy_delivered_watt_hours": energy, "meter_usage_watt_hours": energy,
                "alt_usage_watt_hours": energy, "electricity_cost_sub_unit": str(cost),
                # An energy-weighted average price for the merged period.
                "energy_delivered_by_price": {"price": str(round(cost * 1000 / energy, 2) if energy else
                                                           Decimal(interval["energy_delivered_by_price"]["price"])),
                                              "energy_delivered_watt_hours": energy},
            })
        else:
            merged.append(dict(interval))
    return merged


def energy_usage_json(record, context, head: dict, params) -> dict:
    intervals = usage_intervals(record, _tariff(record))
    if "merge_consecutive_intervals" in params and parse_bool("merge_consecutive_intervals",
                                                              params["merge_consecutive_intervals"]):
        intervals = _merged(intervals)
    if "energy_delivered_watt_hours__gt" in params:
        floor = parse_int("energy_delivered_watt_hours__gt", params["energy_delivered_watt_hours__gt"])
        intervals = [item for item in intervals if item["total_energy_delivered_watt_hours"] > floor]
    return {**head, "currency": record.data.get("currency"),
            "intervals": intervals,
            "last_updated_at": record.data.get("_energy_usage", {}).get("last_updated_at")
            or iso_datetime(record.ends_at or record.at)}


def flags_json(record, context, head: dict, params) -> dict:
    return {**head, "flags": record.data.get("_flags", [])}


# Debug metadata every seeded sub-session shares (its rows keep only what differs).
DEBUG_METADATA_DEFAULTS = {
    "is_energy_delivered_capped": False, "uncapped_energy_delivered_watt_hours": None,
    "energy_usage_calculation_method": "METERED", "energy_usage_interpolation_method": "LINEAR",
    "solar_integration_type": None,
}


def debug_metadata_json(record, context, head: dict, params) -> dict:
    return {**head, **DEBUG_METADATA_DEFAULTS, **record.data.get("_debug_metadata", {})}


def assessment_json(record, context, head: dict, params) -> dict:
    return {**head, **record.data.get("_assessment", {})}


def _time_bounds(params, name: str):
    low = parse_datetime(f"{name}__gte", params[f"{name}__gte"]) if f"{name}__gte" in params else None
    high = parse_datetime(f"{name}__lte", params[f"{name}__lte"]) if f"{name}__lte" in params else None

    def inside(value: str) -> bool:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (low is None or moment >= low) and (high is None or moment <= high)
    return inside


def schedule_items(record) -> list[dict]:
    """The schedules each plan made, each tagged with its plan ("_plan"): the periods from the plan's
    creation on in which energy was delivered, or planned (`_planned_watt_hours`, for a smart
    sub-session that ended or is running before its ready-by time). Periods after the sub-session's
    end were never dispatched. Derived from the energy usage, so the two always agree."""
    data = record.data
    planned = data.get("_planned_watt_hours")
    watt_hours = planned if planned is not None else data.get("_energy_usage", {}).get("watt_hours", [])
    plans = data.get("_schedule_plans", [])
    starts = interval_starts(record.at, len(watt_hours))
    if planned is not None and plans:
        end = datetime.fromisoformat(plans[0]["ready_by_time"].replace("Z", "+00:00"))
    else:
        end = record.ends_at or (starts[-1] + prices.PRICE_INTERVAL if starts else record.at)
    dispatched_until = record.ends_at or now_utc()
    amps = int(data.get("_charge_rate_watts", 7400) / VOLTS * 1000)
    schedule_type = data.get("mode") if data.get("mode") in ("SMART", "BOOST") else "LEGACY"
    items = []
    for plan in plans:
        created = plan["created_at"]
        created_at = datetime.fromisoformat(created.replace("Z", "+00:00"))
        for index, (started_at, energy) in enumerate(zip(starts, watt_hours, strict=True)):
            if not energy or started_at < created_at:
                continue
            stops = starts[index + 1] if index + 1 < len(starts) else end
            items.append({"started_at": iso_datetime(started_at),
                          "interval_seconds": int((stops - started_at).total_seconds()),
                          "current_milliamps": amps, "schedule_type": schedule_type,
                          "dispatched_at": iso_datetime(started_at + timedelta(seconds=15))
                          if started_at < dispatched_until else None,
                          "created_at": created, "_plan": plan["id"]})
    return items


def schedules_json(record, context, head: dict, params) -> dict:
    inside = _time_bounds(params, "started_at")
    plan = params.get("schedule_plan_id")
    if plan is not None:
        parse_id("scpl")("schedule_plan_id", plan)  # 400 for what is not a plan id
    latest_only = parse_bool("only_most_recently_created", params.get("only_most_recently_created", "true"))
    chosen = [item for item in schedule_items(record)
              if inside(item["started_at"]) and (plan is None or item["_plan"] == plan)]
    if latest_only:  # the most recently created schedule of each period wins
        newest: dict[str, dict] = {}
        for item in chosen:
            if item["started_at"] not in newest or item["created_at"] > newest[item["started_at"]]["created_at"]:
                newest[item["started_at"]] = item
        chosen = [item for item in chosen if newest[item["started_at"]] is item]
    served = [{key: value for key, value in item.items() if not key.startswith("_")} for item in chosen]
    return {**head, "schedules": served}


def _price_data(tariff, plan: dict) -> list[dict] | None:
    if tariff is None:
        return None
    created = prices.period_start(datetime.fromisoformat(plan["created_at"].replace("Z", "+00:00")))
    ready_by = datetime.fromisoformat(plan["ready_by_time"].replace("Z", "+00:00"))
    periods = int((ready_by - created) / prices.PRICE_INTERVAL)
    return [prices.price_json(tariff, created + prices.PRICE_INTERVAL * index) for index in range(periods)]


def schedule_plans_json(record, context, head: dict, params, *, with_prices: bool = False) -> dict:
    inside = _time_bounds(params, "created_at")
    tariff = _tariff(record) if with_prices else None
    plans = [{**plan, "price_data": _price_data(tariff, plan) if with_prices else None}
             for plan in record.data.get("_schedule_plans", []) if inside(plan["created_at"])]
    return {**head, "schedule_plans": plans}


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=1))
