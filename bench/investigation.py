"""Section 9, the charging investigator: what a full investigation of the offline-night case costs.

A support agent answers "my car didn't charge last night" for the sandbox's charger_offline_no_charge
driver, step by step as the pages lead them (django.test.Client in this process, the whole middleware
stack): the driver's page, its devices and Charging panels, the night's plugged-in check the panel
loads, the night's page (whose verdict names the offline charger), and the charger's error log opened
from there. Each step's API requests come from the sandbox's request log; its server time is the
median over the repeats, each a cold investigation (evadmin's read cache emptied first). A second
agent then opens the same steps within the cache time: what that costs in requests.
"""

from __future__ import annotations

import html
import re
import time

from bench.common import Context, SectionResult, Table, goal_note, median, ms, p95, point_evadmin_at, sign_in_client

CASE = "charger_offline_no_charge"
LATENCY_MS = 50  # as section 1: every /v2 answer 50 ms late, so API time is in the figures as it would be


def _link(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    if not found:
        raise RuntimeError(f"no link matching {pattern!r} on the page")
    return html.unescape(found.group(1))


def _get(client, path: str, *, htmx: bool = False) -> str:
    response = client.get(path, HTTP_HX_REQUEST="true") if htmx else client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return response.content.decode()


def investigation_steps(client, user_id: str) -> list[tuple[str, callable]]:
    """(step, fetch) in the order an agent takes them; a later step's URL comes from an earlier page."""
    found: dict[str, str] = {}

    def get(path: str, *, htmx: bool = False) -> str:
        return _get(client, path, htmx=htmx)

    def panel() -> str:
        page = get(f"/users/{user_id}/charging/", htmx=True)
        found["check"] = _link(page, r'hx-get="([^"]*/nights/[0-9-]+/check/[^"]*)"')
        return page

    def check() -> str:
        page = get(found["check"], htmx=True)
        found["night"] = _link(page, r'href="([^"]*/charging/nights/[0-9-]+/[^"]*)"')
        return page

    def night() -> str:
        page = get(found["night"])
        if "The charger was offline" not in page:
            raise RuntimeError("the night's page gives no offline verdict")
        found["night_date"] = re.search(r"/nights/([0-9-]+)/", found["night"]).group(1)
        found["tz"] = re.search(r"[?&]tz=([^&]+)", found["night"] + "&tz=").group(1)
        return page

    def error_log() -> str:
        query = f"night={found['night_date']}&logs=evse_status,evse_ocpp,vehicle_status&add=evse_errors"
        if found["tz"]:
            query += f"&tz={found['tz']}"
        return get(f"/users/{user_id}/charging/logs/?{query}", htmx=True)

    return [
        ("The driver's page", lambda: get(f"/users/{user_id}/")),
        ("Vehicles and chargers panel", lambda: get(f"/users/{user_id}/devices/", htmx=True)),
        ("Charging panel (a page of sub-sessions)", panel),
        ("The night's plugged-in check (loaded by the panel)", check),
        ("The night's page, with its verdict", night),
        ("The charger's error log, opened from the night", error_log),
    ]


def sub_session_steps(client, case: dict) -> list[tuple[str, callable]]:
    """A charge that ran late (the finished_after_ready_by case): its page, then one log panel."""
    user_id, sub_session_id = case["user_id"], case["sub_session_id"]

    def get(path: str, *, htmx: bool = False) -> str:
        return _get(client, path, htmx=htmx)

    def page() -> str:
        html_page = get(f"/users/{user_id}/charging/{sub_session_id}/")
        if "after the ready-by time" not in html_page:
            raise RuntimeError("the sub-session's page gives no late-charge verdict")
        return html_page

    return [
        ("A sub-session's page (chart, verdict, flags, ratings)", page),
        ("One log panel on it (the dispatcher log)",
         lambda: get(f"/users/{user_id}/charging/logs/?sub_session={sub_session_id}&add=dispatcher", htmx=True)),
    ]


def _measure(sandbox, steps_for, agents, repeats: int) -> tuple[dict, dict, dict]:
    """Per step: server times over the cold repeats, requests cold, and requests for a second agent."""
    from django.core.cache import cache

    times: dict[str, list[float]] = {}
    cold: dict[str, int] = {}
    warm: dict[str, int] = {}
    first, second = agents
    for repeat in range(repeats + 1):  # the first warms the token and the processes, and is not timed
        cache.clear()
        for step, fetch in steps_for(first):
            sandbox.reset()
            sandbox.faults(latency_ms=LATENCY_MS)
            started = time.perf_counter()
            fetch()
            seconds = time.perf_counter() - started
            if repeat:
                times.setdefault(step, []).append(seconds)
                cold[step] = len(sandbox.api_requests())
    for step, fetch in steps_for(second):  # within the cache time of the last investigation
        sandbox.reset()
        fetch()
        warm[step] = len(sandbox.api_requests())
    return times, cold, warm


def agent_steps_table(ctx: Context, sandbox, *, key: str, steps_for, goals: dict, repeats: int) -> tuple[Table, dict]:
    """An agent's steps measured by `_measure` (cold repeats, then a second agent within the cache time) as
    one table, each step against its goal (`goals`: step -> (test of its cold request count, the goal in
    words)); and the raw figures."""
    agent, _ = sign_in_client("support")
    second_agent, _ = sign_in_client("support")
    times, cold, warm = _measure(sandbox, steps_for, (agent, second_agent), repeats)
    table = Table(["Step", "API requests (cold / second agent)", "Server time median / p95 (ms)", "Command", "Notes"])
    for step in times:
        check, goal = goals[step]
        table.add(step, f"{cold[step]} / {warm.get(step, '?')}", f"{ms(median(times[step]))} / {ms(p95(times[step]))}",
                  ctx.command(key), goal_note(check(cold[step]), goal))
    raw = {"cold_requests": cold, "warm_requests": warm,
           "median_seconds": {step: median(values) for step, values in times.items()}}
    return table, raw


def run(ctx: Context) -> SectionResult:
    repeats = 3 if ctx.quick else 15
    result = SectionResult(
        key="investigation", title="9. The charging investigator",
        intro=(f"A full investigation of the offline-night support case, step by step as the pages lead an agent, "
               f"{repeats} cold repeats (evadmin's read cache emptied before each), the sandbox answering every "
               f"/v2 request {LATENCY_MS} ms late. Requests counted in the sandbox's log. Goals from the issue: the "
               "Charging panel one request a page, a sub-session's page at most 3 before any log panel, each log "
               "panel one."),
    )
    sandbox = ctx.sandbox("investigation", seed_users=250)
    point_evadmin_at(sandbox)
    cases = sandbox.seed_cases()
    user_id = cases[CASE]["user_id"]
    agent, _ = sign_in_client("support")
    second_agent, _ = sign_in_client("support")
    times, cold_requests, warm_requests = _measure(
        sandbox, lambda client: investigation_steps(client, user_id), (agent, second_agent), repeats)
    late_times, late_cold, late_warm = _measure(
        sandbox, lambda client: sub_session_steps(client, cases["finished_after_ready_by"]), (agent, second_agent),
        repeats)

    table = Table(["Step", "API requests (cold / second agent)", "Server time median / p95 (ms)", "Command",
                   "Notes"])
    notes = {"Charging panel (a page of sub-sessions)": goal_note(
        cold_requests.get("Charging panel (a page of sub-sessions)") == 1, "one request a page"),
        "The night's page, with its verdict": "the charger's status and OCPP logs, read up front so the verdict "
                                              "can be given (the vehicle's status log: the check read it)",
        "The charger's error log, opened from the night": goal_note(
            cold_requests.get("The charger's error log, opened from the night") == 1, "one request a log panel")}
    for step in times:
        table.add(step, f"{cold_requests[step]} / {warm_requests.get(step, '?')}",
                  f"{ms(median(times[step]))} / {ms(p95(times[step]))}", ctx.command("investigation"),
                  notes.get(step, ""))
    total_times = [sum(values) for values in zip(*times.values(), strict=True)]
    table.add("**The whole investigation**",
              f"{sum(cold_requests.values())} / {sum(warm_requests.values())}",
              f"{ms(median(total_times))} / {ms(p95(total_times))}", ctx.command("investigation"),
              "from the driver's page to the verdict and its evidence")
    result.tables.append(table)
    late = Table(["Step (the late-charge case)", "API requests (cold / second agent)", "Server time median / p95 (ms)",
                  "Command", "Notes"])
    late_notes = {"A sub-session's page (chart, verdict, flags, ratings)": goal_note(
        late_cold.get("A sub-session's page (chart, verdict, flags, ratings)", 99) <= 3, "at most 3 before any log"),
        "One log panel on it (the dispatcher log)": goal_note(
            late_cold.get("One log panel on it (the dispatcher log)") == 1, "one request a log panel")}
    for step in late_times:
        late.add(step, f"{late_cold[step]} / {late_warm.get(step, '?')}",
                 f"{ms(median(late_times[step]))} / {ms(p95(late_times[step]))}", ctx.command("investigation"),
                 late_notes.get(step, ""))
    result.tables.append(late)
    result.raw.update(sub_session_requests=late_cold, cold_requests=cold_requests, warm_requests=warm_requests,
                      median_seconds={step: median(values) for step, values in times.items()})
    return result
