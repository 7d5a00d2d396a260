"""Section 11, the whole driver on one page: what the driver's page, its summary strip, its timeline and
each of its panels spend of the API budget.

A support agent opens the seeded open-ticket driver (ticket_offline_charger_night: a charger, a vehicle,
a month of charging, tickets) as the page leads them (django.test.Client in this process, the whole
middleware stack): the page before any panel, the strip and the timeline before any panel has loaded,
each panel, the strip again once they have, and each timeline source loaded. Each step's API requests
come from the sandbox's request log; its server time is the median over the repeats, each cold
(evadmin's read cache emptied first). A second agent then takes the same steps within the cache time.
"""

from __future__ import annotations

from bench.common import Context, SectionResult, Table, goal_note, median, ms, p95, point_evadmin_at, sign_in_client
from bench.investigation import LATENCY_MS, _get, _measure

CASE = "ticket_offline_charger_night"
PAGE_STEP = "The driver's page, before any panel"
STRIP_BEFORE_STEP = "Summary strip, before any panel has loaded"
TIMELINE_BEFORE_STEP = "Timeline, before any source is loaded"
STRIP_AFTER_STEP = "Summary strip, once the panels have loaded"

# (step, path under the driver's URL, the goal's test, the goal in words)
PANELS = (
    ("Panel: tickets", "/tickets/drivers/{user_id}/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: charging (a page of sub-sessions)", "/users/{user_id}/charging/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: vehicles and chargers", "/users/{user_id}/devices/", lambda n: n <= 2,
     "2 requests (vehicles, chargers: the devices panel as issue 14 built it)"),
    ("Panel: programs (opened)", "/programs/drivers/{user_id}/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: rebates (opened)", "/users/{user_id}/rebates/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: subscription (opened)", "/users/{user_id}/rebates/subscription/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: payout method (opened)", "/users/{user_id}/rebates/payout-method/", lambda n: n <= 1,
     "at most 1 request"),
    ("Panel: grid carbon intensity (opened)", "/users/{user_id}/carbon/", lambda n: n <= 1,
     "at most 1 request (the driver's feed from the charging panel's page; 2 when that is not held)"),
    ("Panel: tariff prices (opened)", "/users/{user_id}/carbon/tariff-prices/", lambda n: n <= 1, "at most 1 request"),
)
SOURCES = (
    ("Timeline source: tickets and their messages", "tickets", lambda n: n <= 1, "at most 1 request"),
    ("Timeline source: charging (held by the panel)", "charging", lambda n: n == 0, "none: the panel's page"),
    ("Timeline source: vehicle errors", "device_errors", lambda n: n <= 1, "1 request a vehicle (one here)"),
)
GOALS = {
    PAGE_STEP: (lambda n: n <= 2, "at most 2 requests before any panel, 0 within the cache time"),
    STRIP_BEFORE_STEP: (lambda n: n == 0, "no request: what evadmin holds"),
    TIMELINE_BEFORE_STEP: (lambda n: n == 0, "no request: what evadmin holds, the rest listed with its cost"),
    STRIP_AFTER_STEP: (lambda n: n == 0, "no request: what the panels fetched"),
    **{step: (check, goal) for step, _, check, goal in PANELS},
    **{step: (check, goal) for step, _, check, goal in SOURCES},
}


def driver_steps(client, user_id: str) -> list[tuple[str, callable]]:
    def get(path: str, *, htmx: bool = False):
        return lambda: _get(client, path.format(user_id=user_id), htmx=htmx)

    timeline = f"/users/{user_id}/timeline/"
    return [
        (PAGE_STEP, get("/users/{user_id}/")),
        (STRIP_BEFORE_STEP, get("/users/{user_id}/summary/", htmx=True)),
        (TIMELINE_BEFORE_STEP, get(timeline, htmx=True)),
        *((step, get(path, htmx=True)) for step, path, _, _ in PANELS),
        (STRIP_AFTER_STEP, get("/users/{user_id}/summary/", htmx=True)),
        *((step, get(f"{timeline}?load={kind}", htmx=True)) for step, kind, _, _ in SOURCES),
    ]


def run(ctx: Context) -> SectionResult:
    repeats = 3 if ctx.quick else 15
    result = SectionResult(
        key="driver", title="11. The whole driver",
        intro=(f"An agent opens the seeded open-ticket driver and every part of the page, step by step, {repeats} "
               f"cold repeats (evadmin's read cache emptied before each), the sandbox answering every /v2 request "
               f"{LATENCY_MS} ms late. Requests counted in the sandbox's log. Goals from the issue: the page before "
               "any panel at most 2 requests (0 within the cache time), each panel at most 1, the summary strip "
               "none (what the page already fetched or evadmin holds)."),
    )
    sandbox = ctx.sandbox("driver", seed_users=250)
    point_evadmin_at(sandbox)
    user_id = sandbox.seed_cases()[CASE]["user_id"]
    agent, _ = sign_in_client("support")
    second_agent, _ = sign_in_client("support")
    times, cold, warm = _measure(sandbox, lambda client: driver_steps(client, user_id), (agent, second_agent),
                                 repeats)
    table = Table(["Step", "API requests (cold / second agent)", "Server time median / p95 (ms)", "Command", "Notes"])
    for step in times:
        check, goal = GOALS[step]
        table.add(step, f"{cold[step]} / {warm.get(step, '?')}", f"{ms(median(times[step]))} / {ms(p95(times[step]))}",
                  ctx.command("driver"), goal_note(check(cold[step]), goal))
    result.tables.append(table)
    result.raw.update(cold_requests=cold, warm_requests=warm,
                      median_seconds={step: median(values) for step, values in times.items()})
    return result
