"""Section 7, API budget: what a driver's page costs, whether an agent is locked out while a bulk job
runs at full share, and what putting staff first costs the job.

One sandbox and evadmin share an hourly limit; the sandbox answers every /v2 request 50 ms late.
1. Page costs: for each of N drivers, an agent's first view (the page, then its devices fragment
   at the URL the page's hx-get names, as htmx loads it), the same agent again, a second staff
   member, and a Refresh (?refresh=1 on both, each panel's Refresh link); the sandbox's own log
   counts the /v2 requests of each view. One more view follows only the page's Refresh link
   (the devices fragment loaded as the page names it).
2. and 3. Two jobs of the same size, larger than the bulk share, on a real Celery worker, each in
   an hour of its own (both rolling windows emptied first): one alone until the budget holds it,
   one while an agent opens a new driver every 2 s. A page is *locked out* when it is not 200 or
   could not show its driver live or from the cache (evadmin's own copy: "Live data is
   unavailable", or no devices at all). Requests are split by source from evadmin's ledger; 429s
   are the sandbox's count.
"""

from __future__ import annotations

import copy
import html
import math
import re
import time
from dataclasses import dataclass

from bench.common import (
    Context,
    SectionResult,
    Table,
    bulk_job_submit_rows,
    goal_note,
    new_account_rows,
    point_evadmin_at,
    sign_in_client,
    start_bench_worker,
)
from evadmin.evenergy.ratelimit import API_BLOCKED, SHARE_SPENT, STAFF_FIRST
from tests.bulk.workers import bulk_watchdog
from tests.processes import wait_for

LATENCY_MS = 50
PACE_SECONDS = 2.0  # the agent opens a new driver this often
LIVE, LOCAL_COPY = "Live from the API just now", "Live data is unavailable"
NO_DEVICES = "can't be shown right now"  # the devices panel with neither live data nor a copy
DEVICES_LINK = re.compile(r'hx-get="(/users/[^"]+/devices/[^"]*)"')
HELD = {SHARE_SPENT: "held at the end: its share of the hour is spent", API_BLOCKED: "held at the end: a 429",
        STAFF_FIRST: "held at the end: staff first"}


@dataclass(frozen=True)
class Scale:
    limit: int  # requests an hour, the sandbox's and evadmin's
    job_rows: int  # more than the bulk share of the hour
    drivers_costed: int  # part 1
    browse_seconds: float  # parts 2 and 3
    seed_users: int


# The real limit: at 400 an hour the agent's pace alone (3 requests every 2 s) would spend the hour in
# 4½ minutes, so no budget could keep them working for 5.
FULL = Scale(limit=1_000, job_rows=1_000, drivers_costed=20, browse_seconds=300, seed_users=1_000)
QUICK = Scale(limit=400, job_rows=400, drivers_costed=5, browse_seconds=30, seed_users=300)


# --- a driver's page, as a browser opens it -----------------------------------------------------------
def open_driver(client, user_id: str, *, refresh: bool = False, devices_refresh: bool | None = None):
    """The driver's page, then each devices fragment at the URL the page's hx-get names (htmx's load: the
    vehicles and the chargers); `refresh` adds ?refresh=1 to the page and, unless `devices_refresh` says
    otherwise, to the fragments. (page, the fragments as one: the first failing status, their texts.)"""
    page = client.get(f"/users/{user_id}/", {"refresh": "1"} if refresh else {})
    found = DEVICES_LINK.findall(page.content.decode()) if page.status_code == 200 else []
    urls = [html.unescape(url) for url in found] or [f"/users/{user_id}/devices/"]
    if refresh if devices_refresh is None else devices_refresh:
        urls = [url + ("&" if "?" in url else "?") + "refresh=1" for url in urls]
    fragments = [client.get(url, HTTP_HX_REQUEST="true") for url in urls]
    status = next((fragment.status_code for fragment in fragments if fragment.status_code != 200), 200)
    return page, DeviceFragments(status, b"".join(fragment.content for fragment in fragments))


@dataclass(frozen=True)
class DeviceFragments:
    status_code: int
    content: bytes


def driver_page_costs(sandbox, user_ids: list[str], *, agent, second_agent) -> dict[str, list[int]]:
    """/v2 requests (the sandbox's log) of each view of each driver, in this order, within the cache time."""
    views = (("first", agent, {}), ("repeat", agent, {}), ("second agent", second_agent, {}),
             ("refresh", agent, {"refresh": True}), ("refresh link", agent, {"refresh": True, "devices_refresh": False}))
    costs: dict[str, list[int]] = {name: [] for name, _client, _options in views}
    for user_id in user_ids:
        for name, client, options in views:
            before = len(sandbox.api_requests())
            page, devices = open_driver(client, user_id, **options)
            if (page.status_code, devices.status_code) != (200, 200):
                raise RuntimeError(f"{name} view of {user_id}: {page.status_code}, {devices.status_code}")
            costs[name].append(len(sandbox.api_requests()) - before)
    return costs


@dataclass(frozen=True)
class PageView:
    user_id: str
    at: float  # seconds after browsing began
    statuses: tuple[int, int]  # the page's and its devices fragment's
    shown: str  # "live", "cache", "local copy" (evadmin's own) or "missing"

    @property
    def locked_out(self) -> bool:
        return self.statuses != (200, 200) or self.shown in ("local copy", "missing")


def _shown(page, devices, email: str) -> str:
    texts = page.content.decode(), devices.content.decode()
    if email not in texts[0] or NO_DEVICES in texts[1]:
        return "missing"
    if any(LOCAL_COPY in text for text in texts):
        return "local copy"
    return "live" if all(LIVE in text for text in texts) else "cache"


def browse(agent, drivers: list[tuple[str, str]], *, every: float, seconds: float) -> list[PageView]:
    """Open a new driver (user id, email) every `every` seconds for `seconds` (later if a page took longer)."""
    wanted = math.ceil(seconds / every) if every else len(drivers)
    if wanted > len(drivers):
        raise ValueError(f"{seconds:g} s at one every {every:g} s needs {wanted} drivers, not {len(drivers)}")
    started, views = time.monotonic(), []
    for n, (user_id, email) in enumerate(drivers[:wanted]):
        time.sleep(max(0.0, started + n * every - time.monotonic()))
        at = time.monotonic() - started
        page, devices = open_driver(agent, user_id)
        views.append(PageView(user_id, at, (page.status_code, devices.status_code), _shown(page, devices, email)))
    return views


def lockout(views: list[PageView]) -> tuple[int, float]:
    """(pages locked out, minutes from the first of them to the last; 0 when none)."""
    locked = [view for view in views if view.locked_out]
    return len(locked), (locked[-1].at - locked[0].at) / 60 if locked else 0.0


# --- jobs on the worker ----------------------------------------------------------------------------
def _new_hour(sandbox) -> None:
    """Both rolling hours start empty: the API's window and log, evadmin's budget, cache and read cache."""
    from tests.evenergy.api_state import reset_api_state

    sandbox.reset()
    sandbox.faults(latency_ms=LATENCY_MS)
    reset_api_state()


def _bulk_room_this_hour(share: float) -> int:
    """What bulk work may still send this hour once staff's spending has left the lookback (the staff
    reserve back at its floor), by the budget's own count."""
    from evadmin.evenergy.ratelimit import rate_budget

    calm = copy.copy(rate_budget())  # the same window; a lookback so short that staff's spending has left it
    calm.staff_lookback_seconds = 1e-6
    return calm.background_room(max_share=share).requests


def _run_job(rows: list[dict], *, operator, sandbox, agent=None, drivers=(), seconds: float = 0.0) -> dict:
    """One job in an hour of its own: alone until the budget holds it, or while `agent` browses `drivers`."""
    from django.conf import settings
    from django.utils import timezone

    from evadmin.api_budget.selectors import api_spend_by_kind
    from evadmin.bulk import services
    from evadmin.bulk.models import BulkRow
    from evadmin.evenergy.ratelimit import rate_budget

    share = settings.EVADMIN_BULK_BUDGET_SHARE
    _new_hour(sandbox)
    since, started = timezone.now(), time.monotonic()
    job = bulk_job_submit_rows(rows, operator=operator)
    created = job.rows.filter(state=BulkRow.State.CREATED)
    watchdog = bulk_watchdog()
    wait_for(created.exists, timeout=300, every=0.2, tick=watchdog, error=RuntimeError,
             message=lambda: f"bulk job {job.pk} created no row in 5 minutes")
    views = []
    if agent is None:
        def held() -> bool:  # waiting for the budget, nothing in flight
            job.refresh_from_db()
            return bool(job.waiting_reason) and not job.rows.filter(state=BulkRow.State.IN_FLIGHT).exists()

        wait_for(held, timeout=900, every=0.5, tick=watchdog, error=RuntimeError,
                 message=lambda: f"bulk job {job.pk} was not held by the budget in 15 minutes")
        window = (since, timezone.now())
    else:
        window_start = timezone.now()
        views = browse(agent, list(drivers), every=PACE_SECONDS, seconds=seconds)
        window = (window_start, timezone.now())
    job.refresh_from_db()
    room = rate_budget().background_room(max_share=share)
    sent, log = created.count(), sandbox.api_requests()
    last_sent = created.filter(sent_at__range=window).order_by("-sent_at").values_list("sent_at", flat=True).first()
    figures = {
        "job": job.pk, "status": job.status, "seconds": time.monotonic() - started, "rows_sent": sent,
        "rows_meanwhile": created.filter(sent_at__range=window).count(),
        "sent_for_seconds": (last_sent - window[0]).total_seconds() if last_sent else 0.0,
        "rows_per_hour": sent + _bulk_room_this_hour(share), "held_because": room.reason,
        "waiting_reason": job.waiting_reason, "views": views,
        "requests_by_source": {row["kind"]: row["requests"] for row in api_spend_by_kind(since=since)},
        "api_requests": len(log), "status_429": sum(entry["status"] == 429 for entry in log),
    }
    services.bulk_job_control(job_id=job.pk, actor=operator, action="cancel")  # the next job runs alone
    return figures


# --- the section --------------------------------------------------------------------------------
def _costs_table(ctx: Context, costs: dict[str, list[int]]) -> Table:
    table = Table(["Driver page view", "API requests per page view (mean; min–max)", "Command", "Notes"])
    rows = (("First view by an agent", "first", 3), ("Same agent again, within the cache time", "repeat", 0),
            ("Second agent (another staff member), within it", "second agent", 0),
            ("Refresh (?refresh=1 on the page and its devices fragment)", "refresh", 3),
            ("The page's Refresh link only (its devices fragment as the page then loads it)", "refresh link", 3))
    for label, key, goal in rows:
        counts = costs[key]
        mean = sum(counts) / len(counts)
        note = goal_note(min(counts) == max(counts) == goal, str(goal))
        table.add(label, f"{mean:g} ({min(counts)}–{max(counts)})", ctx.command("budget"), note)
    return table


def _lockout_table(ctx: Context, figures: dict, minutes: float) -> Table:
    views = figures["views"]
    locked, locked_minutes = lockout(views)
    shown = {kind: sum(view.shown == kind for view in views) for kind in ("live", "cache", "local copy", "missing")}
    by_source = figures["requests_by_source"]
    table = Table(["Measure", "Result", "Command", "Notes"])
    command = ctx.command("budget")
    table.add(f"Driver pages opened (a new driver every {PACE_SECONDS:g} s for {minutes:g} min)",
              f"{len(views)}: {shown['live']} live, {shown['cache']} from the cache, {shown['local copy']} from "
              f"evadmin's own copy, {shown['missing']} without the driver or devices", command,
              f"{by_source.get('staff', 0):,} staff requests")
    table.add("Pages locked out (not 200, or not live or cached)", locked, command, goal_note(locked == 0, "0"))
    table.add("Minutes locked out (first to last locked-out page)", f"{locked_minutes:.1f}", command,
              goal_note(locked_minutes == 0, "0"))
    table.add("Job rows sent meanwhile", f"{figures['rows_meanwhile']:,}", command,
              f"job {figures['job']}: {by_source.get('job', 0) + by_source.get('sync', 0):,} job and sync requests "
              f"in the run")
    table.add("429s from the sandbox", figures["status_429"], command, goal_note(figures["status_429"] == 0, "0"))
    return table


def _throughput_table(ctx: Context, alone: dict, busy: dict) -> Table:
    table = Table(["Job", "Rows sent (wall time, s)", "Rows/hour (this hour's budget)", "Ratio to alone",
                   "API requests (job and sync / staff)", "429s", "Command", "Notes"])
    for label, figures in (("Alone", alone), ("While the agent browses", busy)):
        by_source = figures["requests_by_source"]
        later = figures["rows_per_hour"] - figures["rows_sent"]
        notes = [HELD.get(figures["held_because"], "the budget does not hold it")]
        if later:
            notes.append(f"{later:,} of them still to send once the agent's spending leaves the 10-min lookback")
        table.add(label, f"{figures['rows_sent']:,} ({figures['seconds']:.0f})", f"{figures['rows_per_hour']:,}",
                  f"{figures['rows_per_hour'] / max(alone['rows_per_hour'], 1):.2f}",
                  f"{by_source.get('job', 0) + by_source.get('sync', 0):,} / {by_source.get('staff', 0):,}",
                  figures["status_429"], ctx.command("budget"), "; ".join(notes))
    return table


def _notes(scale: Scale, busy: dict, *, pages: int, share: float) -> list[str]:
    staff = busy["requests_by_source"].get("staff", 0)
    background = sum(n for kind, n in busy["requests_by_source"].items() if kind != "staff")
    notes = [f"While the agent browsed, the job sent for the first {busy['sent_for_seconds']:.0f} s, then waited "
             f"(staff first: the reserve is twice staff's last 10 minutes projected over the hour, so it grows 12 "
             f"requests for every one an agent sends). Of the hour's {scale.limit:,}, staff used {staff:,}, the job "
             f"and its sync {background:,}; {max(0, scale.limit - staff - background):,} were left."]
    if 3 * pages > (1 - share) * scale.limit:
        notes.append(f"Without staff first the job would have taken its {share:.0%} and left the agent "
                     f"{(1 - share) * scale.limit:,.0f} requests: {(1 - share) * scale.limit / 3:,.0f} of the "
                     f"{pages} pages (arithmetic, not measured). Staff first cannot undo what a job sent before "
                     f"anyone browsed: an agent arriving after a job took its whole share has the other "
                     f"{1 - share:.0%} of the hour.")
    if scale is FULL:
        notes.append(f"The full run keeps the real limit: at 400 an hour, a new driver every {PACE_SECONDS:g} s (3 "
                     f"requests) would spend the whole hour in {400 / 3 * PACE_SECONDS / 60:.1f} min with no job at "
                     f"all, and both rolling hours are an hour long, so they cannot be scaled down with the limit.")
    return notes


def run(ctx: Context) -> SectionResult:
    from django.conf import settings

    from evadmin.driver_directory.models import DirectoryAccount
    from tests.driver_directory.factories import directory_full_sync

    scale = QUICK if ctx.quick else FULL
    share = settings.EVADMIN_BULK_BUDGET_SHARE
    pages = math.ceil(scale.browse_seconds / PACE_SECONDS)
    minutes = scale.browse_seconds / 60
    result = SectionResult(
        key="budget", title="7. API budget",
        intro=(f"One sandbox of {scale.seed_users:,} drivers answering every /v2 request {LATENCY_MS} ms late, and "
               f"evadmin, both limited to {scale.limit:,} requests an hour ({'scaled down' if ctx.quick else 'the real limit'}); "
               f"bulk share {share:g}; one Celery worker (one pool process). *Page costs*: {scale.drivers_costed} "
               f"different drivers, each viewed as below within the read cache's "
               f"{settings.EVADMIN_API_READ_CACHE_SECONDS} s, counted in the sandbox's own request log. *Lockout and "
               f"throughput*: two jobs of {scale.job_rows:,} new accounts (more than the share), each in an hour of "
               f"its own (both rolling windows emptied first): one alone until the budget holds it; one with a "
               f"signed-in agent who, from its first created row, opens a new driver (page, then devices "
               f"fragment) every {PACE_SECONDS:g} s for {minutes:g} min: {pages} drivers, "
               f"{3 * pages / scale.limit:.0%} of the hour ({'more' if 3 * pages > (1 - share) * scale.limit else 'less'} "
               f"than the {1 - share:.0%} a job that took its whole share would leave). Nothing leaves either window during the section, so *rows/hour* is what a "
               f"job gets from the hour's budget: the rows it sent, plus what the budget (its own count) still "
               f"allows it this hour once the agent's spending has left the 10-minute lookback."),
    )
    sandbox = ctx.sandbox("budget", seed_users=scale.seed_users, rate_limit_per_hour=scale.limit)
    point_evadmin_at(sandbox, rate_limit_per_hour=scale.limit)
    sandbox.faults(latency_ms=LATENCY_MS)
    directory_full_sync()  # evadmin's own copy of every driver, which a page falls back to
    drivers = list(DirectoryAccount.objects.order_by("user_id").values_list("user_id", "email"))
    costed, browsed = drivers[:scale.drivers_costed], drivers[scale.drivers_costed:]
    agent, _staff = sign_in_client("viewer")
    second_agent, _other = sign_in_client("viewer")
    costs = driver_page_costs(sandbox, [user_id for user_id, _email in costed], agent=agent, second_agent=second_agent)
    result.tables.append(_costs_table(ctx, costs))

    _client, operator = sign_in_client("bulk_operator")
    worker = start_bench_worker(ctx, sandbox, name="budget", rate_limit_per_hour=scale.limit)
    try:
        domain = f"bench{time.time_ns()}.example.com"
        alone = _run_job(new_account_rows(scale.job_rows, prefix="alone", domain=domain), operator=operator,
                         sandbox=sandbox)
        busy_agent, _browser = sign_in_client("viewer")
        busy = _run_job(new_account_rows(scale.job_rows, prefix="busy", domain=domain), operator=operator,
                        sandbox=sandbox, agent=busy_agent, drivers=browsed, seconds=scale.browse_seconds)
    finally:
        worker.stop()
    result.tables.append(_lockout_table(ctx, busy, minutes))
    result.tables.append(_throughput_table(ctx, alone, busy))
    result.notes += _notes(scale, busy, pages=pages, share=share)
    result.raw = {"costs": costs, "alone": {k: v for k, v in alone.items() if k != "views"},
                  "busy": {k: v for k, v in busy.items() if k != "views"}, "lockout": lockout(busy["views"])}
    return result
