"""What the charging pages draw from the Evidence: the chart's series and the verdicts' links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from evadmin.charging import timeline
from evadmin.charging.evidence import Evidence
from evadmin.charging.logs import parse_sources
from evadmin.charging.verdicts import Verdict

PLUG_IN_REASONS = ("EVSE_CONNECT", "CP_EVSE_CONNECT", "VEHICLE_LOG_CONNECT")
PLUG_OUT_REASONS = ("EVSE_DISCONNECT",)


@dataclass(frozen=True)
class TimelineChart:
    chart: timeline.Chart
    rows: list[timeline.Row]
    currency: str


def sub_session_chart(evidence: Evidence) -> TimelineChart | None:
    """The sub-session's chart over the evidence's window (None without a sub-session)."""
    sub = evidence.sub_session
    if sub is None:
        return None
    energy = [timeline.Interval(item.started_at, item.interval_seconds or 0, item.total_energy_delivered_watt_hours or 0)
              for item in (sub.energy_usage.intervals if sub.energy_usage else []) if item.started_at]
    schedule = [timeline.Interval(item.started_at, item.interval_seconds or 0, (item.current_milliamps or 0) / 1000)
                for item in (sub.schedules.schedules if sub.schedules else []) if item.started_at]
    prices = [timeline.Interval(item.started_at, item.interval_seconds or 1800, item.price_minor_units or 0)
              for item in evidence.prices or [] if item.started_at and item.price_minor_units is not None
              and evidence.window_start <= item.started_at < evidence.window_end]  # read for whole days
    metadata = sub.debug_metadata
    plugged_in = metadata is not None and metadata.start_reason in PLUG_IN_REASONS
    unplugged = metadata is not None and metadata.finish_reason in PLUG_OUT_REASONS
    markers = [(evidence.ready_by, "Ready by", "ready_by"),
               (sub.start, "Plugged in" if plugged_in else "Started", "plug_in"),
               (sub.end, "Unplugged" if unplugged else "Ended", "plug_out")]
    chart = timeline.chart_build(window_start=evidence.window_start, window_end=evidence.window_end,
                                 zone=evidence.zone, energy=energy, schedule=schedule, prices=prices, markers=markers)
    rows = timeline.table_rows(energy=energy, schedule=schedule, prices=prices)
    currency = sub.tariff.currency if sub.tariff and sub.tariff.currency else sub.currency
    return TimelineChart(chart=chart, rows=rows, currency=currency)


@dataclass(frozen=True)
class ClaimLink:
    text: str
    href: str


@dataclass(frozen=True)
class VerdictView:
    summary: str
    rule: str
    claims: list[ClaimLink]


def claim_href(anchor: str, query: str, loaded: list[str], keep: dict[str, str] | None = None) -> str:
    """`?logs=…#anchor`: the claim's query, its log sources added to those already shown, and the
    page's own parameters kept (`keep`: a night's zone)."""
    if not query:
        return f"#{anchor}"
    params = {**(keep or {}), **{name: values[-1] for name, values in parse_qs(query.lstrip("?")).items()}}
    if "logs" in params:
        params["logs"] = ",".join(parse_sources(",".join([*loaded, params["logs"]])))
    return f"?{urlencode(params)}#{anchor}"


def verdict_views(verdicts: list[Verdict], loaded: list[str], keep: dict[str, str] | None = None) -> list[VerdictView]:
    return [VerdictView(summary=verdict.summary, rule=verdict.rule,
                        claims=[ClaimLink(claim.text, claim_href(claim.anchor, claim.query, loaded, keep))
                                for claim in verdict.claims])
            for verdict in verdicts]
