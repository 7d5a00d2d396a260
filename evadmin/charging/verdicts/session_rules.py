"""Verdicts from the sub-session's own figures: its energy use, ready-by time, prices, flags and assessment."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from evadmin.charging.evidence import Evidence
from evadmin.charging.verdicts import PRICES, READY_BY, SUB_SESSION, VEHICLE, Claim, Verdict, verdict_rule
from evadmin.charging.verdicts.words import clock, kwh, span, two_times
from evadmin.evenergy.charging import ChargingSubSession, Price

# Less energy than this after the ready-by time, or at peak, is meter noise, not a cause.
MIN_LATE_WATT_HOURS = 100
MIN_PEAK_WATT_HOURS = 1000
# A day's prices have a peak when the dearest is at least 1.5 times the cheapest; the peak is the top
# quarter of the range between them. The sandbox's dynamic tariffs (and Agile-like ones) swing 3x.
PEAK_SPREAD = 1.5
PEAK_TOP_SHARE = 0.25
# A day is judged only when (nearly) all its half-hours were read: 46 to 50 make a day with DST.
MIN_PRICES_A_DAY = 40
OVER_DELIVERY_FLAG = "ENERGY_OVER_DELIVERY"
RED = "RED"
MODE_WORDS = {
    "BOOST": "during a boost (BOOST mode), which charges at once whatever the price",
    "UNMANAGED_HOME": "with smart charging off (UNMANAGED_HOME mode), which charges at once whatever the price",
    "SMART": "in SMART mode",
}


@dataclass(frozen=True)
class Delivery:
    start: datetime
    end: datetime
    watt_hours: int


def deliveries(sub_session: ChargingSubSession) -> list[Delivery]:
    """The energy-use intervals that delivered energy, oldest first ([] when energy use was not read)."""
    usage = sub_session.energy_usage
    if usage is None:
        return []
    found = [Delivery(interval.started_at, interval.started_at + timedelta(seconds=interval.interval_seconds or 0),
                      interval.total_energy_delivered_watt_hours)
             for interval in usage.intervals
             if interval.started_at is not None and (interval.total_energy_delivered_watt_hours or 0) > 0]
    return sorted(found, key=lambda delivery: delivery.start)


def _share_after(delivery: Delivery, moment: datetime) -> float:
    """The part of an interval's energy delivered after `moment`, spread evenly over the interval."""
    if delivery.start >= moment:
        return 1.0
    if delivery.end <= moment:
        return 0.0
    return (delivery.end - moment) / (delivery.end - delivery.start)


@verdict_rule(name="finished_after_ready_by", title="Finished after the ready-by time",
              needs=(SUB_SESSION, READY_BY))
def finished_after_ready_by(evidence: Evidence) -> Verdict | None:
    """A smart charge was still delivering energy after the driver's ready-by time: the car was not
    ready when the driver wanted it. Given when the sub-session's energy use shows more than 0.1 kWh
    delivered after the ready-by time of its schedule plan; the verdict says until when it charged
    and how much energy came late. Usual causes: a low battery at plug-in, a slow charger, or a late
    plug-in leaving too few hours. Boosts and charging with smart charging off start at once, so for
    them running past the ready-by time is the size of the charge, not the schedule: no verdict."""
    sub_session, ready_by, zone = evidence.sub_session, evidence.ready_by, evidence.zone
    delivered = deliveries(sub_session)
    if sub_session.mode != "SMART" or not delivered:
        return None
    late = sum(item.watt_hours * _share_after(item, ready_by) for item in delivered)
    if late < MIN_LATE_WATT_HOURS:
        return None
    total = sum(item.watt_hours for item in delivered)
    ended = delivered[-1].end
    ended_words, ready_words = two_times(ended, ready_by, zone)
    claims = [
        Claim(f"ready-by time {ready_words}, from the schedule plan", "timeline"),
        Claim(f"energy delivered until {ended_words}: {kwh(late)} of {kwh(total)} after {clock(ready_by, zone)}",
              "timeline"),
    ]
    assessment = sub_session.assessment
    if assessment is not None and assessment.overall:
        quality = assessment.ratings.get("schedule_quality")
        claims.append(Claim(f"assessment {assessment.overall}" + (f", schedule quality {quality}" if quality else ""),
                            "assessment"))
    return Verdict(
        rule="finished_after_ready_by",
        summary=f"The charge ran until {ended_words}, after the ready-by time of {ready_words}: "
                f"{kwh(late)} ({round(late * 100 / total)}% of the energy) came after {clock(ready_by, zone)}.",
        claims=claims)


@dataclass(frozen=True)
class DayPrices:
    cheapest: int
    dearest: int

    @property
    def peak_from(self) -> float:
        return self.dearest - PEAK_TOP_SHARE * (self.dearest - self.cheapest)

    @property
    def has_peak(self) -> bool:
        return self.dearest > 0 and (self.cheapest <= 0 or self.dearest >= PEAK_SPREAD * self.cheapest)


def days_of_prices(prices: list[Price], zone: tzinfo) -> dict[date, DayPrices]:
    """Each local day whose prices were (nearly) all read, with its cheapest and dearest price."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for price in prices:
        if price.started_at is not None and price.price_minor_units is not None:
            by_day[price.started_at.astimezone(zone).date()].append(price.price_minor_units)
    return {day: DayPrices(min(values), max(values)) for day, values in by_day.items()
            if len(values) >= MIN_PRICES_A_DAY}


def price_in_force(prices: list[Price], starts: list[datetime], moment: datetime) -> Price | None:
    """The price whose half-hour holds `moment` (`prices` sorted by `starts`), or None if not read."""
    index = bisect_right(starts, moment) - 1
    if index < 0:
        return None
    price = prices[index]
    if moment >= price.started_at + timedelta(seconds=price.interval_seconds or 1800):
        return None
    return price


@verdict_rule(name="charged_at_peak", title="Charged at peak price", needs=(SUB_SESSION, PRICES))
def charged_at_peak(evidence: Evidence) -> Verdict | None:
    """Energy was bought at the tariff's peak price: the usual reason a dynamic-tariff driver's charge
    cost more than expected. A day has a peak when its dearest half-hour costs at least 1.5 times its
    cheapest (flat tariffs never do); the peak is the top quarter of the range between the two. Only
    days whose prices the page read in full are judged. Given when more than 1 kWh was delivered at
    peak; the verdict says how much, what share of the charge, when, and in which mode (a boost or
    charging with smart charging off starts at once, whatever the price)."""
    sub_session, zone = evidence.sub_session, evidence.zone
    delivered = deliveries(sub_session)
    prices = sorted((price for price in evidence.prices if price.started_at is not None
                     and price.price_minor_units is not None), key=lambda price: price.started_at)
    starts, days = [price.started_at for price in prices], days_of_prices(prices, zone)
    at_peak: list[tuple[Delivery, Price, DayPrices]] = []
    for item in delivered:
        price = price_in_force(prices, starts, item.start)
        day_prices = days.get(price.started_at.astimezone(zone).date()) if price else None
        if day_prices is not None and day_prices.has_peak and price.price_minor_units >= day_prices.peak_from:
            at_peak.append((item, price, day_prices))
    peak_wh = sum(item.watt_hours for item, _, _ in at_peak)
    if peak_wh < MIN_PEAK_WATT_HOURS:
        return None
    total = sum(item.watt_hours for item in delivered)
    when = span(at_peak[0][0].start, at_peak[-1][0].end, zone)
    paid = sorted(price.price_minor_units for _, price, _ in at_peak)
    cheapest = min(day_prices.cheapest for _, _, day_prices in at_peak)
    mode = sub_session.mode or "unknown"
    currency = sub_session.currency or (sub_session.tariff.currency if sub_session.tariff else "")
    claims = [Claim(f"{kwh(peak_wh)} delivered {when} at {price_per_kwh(paid[0], currency)}–"
                    f"{price_per_kwh(paid[-1], currency)} a kWh, against {price_per_kwh(cheapest, currency)} at the "
                    "day's cheapest", "timeline")]
    reasons = sub_session.debug_metadata
    claims.append(Claim(f"mode {mode}" + (f", started by {reasons.start_reason}" if reasons and reasons.start_reason
                                          else ""), "reasons"))
    return Verdict(
        rule="charged_at_peak",
        summary=f"{round(peak_wh * 100 / total)}% of the energy ({kwh(peak_wh)} of {kwh(total)}) was bought at "
                f"the day's peak price, {when}, {MODE_WORDS.get(mode, f'in {mode} mode')}.",
        claims=claims)


def _battery_watt_hours(evidence: Evidence) -> int | None:
    vehicle = evidence.vehicle or evidence.sub_session.vehicle
    if vehicle is None:
        return None
    return vehicle.battery_size_watt_hours or (vehicle.trim.battery_size_watt_hours if vehicle.trim else None)


@verdict_rule(name="energy_over_delivery", title="More energy reported than the battery could take",
              needs=(SUB_SESSION,), also_uses=(VEHICLE,))
def energy_over_delivery(evidence: Evidence) -> Verdict | None:
    """The sub-session reports more energy than the battery had room for, so the driver's kWh, cost
    and savings are overstated. Given when the assessment's overall rating is RED and the sub-session
    is flagged ENERGY_OVER_DELIVERY or its assessment puts the energy delivered above 100% of the
    battery's capacity. Usually a meter that oscillated (the flag's root cause says). Recalculating
    the sub-session's energy use (a dry run first shows the old and new figures) caps it."""
    sub_session = evidence.sub_session
    assessment = sub_session.assessment
    if assessment is None or assessment.overall != RED:
        return None
    flag = next((flag for flag in (sub_session.flags.flags if sub_session.flags else [])
                 if flag.name == OVER_DELIVERY_FLAG), None)
    percentage = assessment.energy_delivered_to_capacity_percentage
    if flag is None and not (percentage is not None and percentage > 100):
        return None
    delivered = sub_session.energy_delivered_watt_hours or 0
    battery = _battery_watt_hours(evidence)
    figures = f"{kwh(delivered)} for a {kwh(battery)} battery" if battery else f"{kwh(delivered)} reported"
    if percentage:
        figures += f" with room for {kwh(delivered * 100 / percentage)}: {percentage}% of it"
    claims = []
    if flag is not None:
        claims.append(Claim(f"flag {flag.name}" + (f" (root cause {flag.root_cause})" if flag.root_cause else ""),
                            "flags"))
    claims.append(Claim(f"assessment {RED}" + (f": energy delivered {percentage}% of capacity" if percentage else ""),
                        "assessment"))
    return Verdict(
        rule="energy_over_delivery",
        summary=f"The sub-session reported more energy than the battery could take ({figures}). "
                "Recalculate its energy use (a dry run first shows the new figure) to cap it.",
        claims=claims)


def price_per_kwh(minor_units: int, currency: str) -> str:
    """A price in the tariff's minor units (pence, cents) as the driver reads it: "0.43 EUR"."""
    return f"{minor_units / 100:.2f} {currency}".strip()
