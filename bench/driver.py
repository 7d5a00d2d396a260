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

from bench.common import Context, SectionResult, point_evadmin_at
from bench.investigation import LATENCY_MS, _get, agent_steps_table

CASE = "ticket_offline_charger_night"
ENERGY_CASE = "solar_and_home_battery"  # the driver with a HEM system, for its live power and statistics
PAGE_STEP = "The driver's page, before any panel"
STRIP_BEFORE_STEP = "Summary strip, before any panel has loaded"
TIMELINE_BEFORE_STEP = "Timeline, before any source is loaded"
STRIP_AFTER_STEP = "Summary strip, once the panels have loaded"

# (step, path under the driver's URL, the goal's test, the goal in words)
PANELS = (
    ("Panel: tickets", "/tickets/drivers/{user_id}/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: charging (a page of sub-sessions)", "/users/{user_id}/charging/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: vehicles", "/users/{user_id}/devices/vehicles/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: chargers", "/users/{user_id}/devices/chargers/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: programs (opened)", "/programs/drivers/{user_id}/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: rebates (opened)", "/users/{user_id}/rebates/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: subscription (opened)", "/users/{user_id}/rebates/subscription/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: payout method (opened)", "/users/{user_id}/rebates/payout-method/", lambda n: n <= 1,
     "at most 1 request"),
    ("Panel: solar arrays (opened)", "/users/{user_id}/energy/solar-arrays/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: inverters (opened)", "/users/{user_id}/energy/inverters/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: home batteries (opened)", "/users/{user_id}/energy/home-batteries/", lambda n: n <= 1,
     "at most 1 request"),
    ("Panel: HEM systems (opened)", "/users/{user_id}/energy/hem-systems/", lambda n: n <= 1, "at most 1 request"),
    # The open-ticket driver has no HEM system: a HEM system's parts are the energy case driver's.
    ("Panel: a HEM system's live power (opened)", "/users/{hem_user_id}/energy/hem-systems/{hem_id}/live-power/",
     lambda n: n <= 1, "at most 1 request"),
    ("Panel: a HEM system's energy statistics chart (opened)",
     "/users/{hem_user_id}/energy/hem-systems/{hem_id}/energy-stats/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: notifications sent (opened)", "/users/{user_id}/notifications/", lambda n: n <= 1, "at most 1 request"),
    ("Panel: notification preferences (opened)", "/users/{user_id}/notifications/preferences/", lambda n: n <= 1,
     "at most 1 request"),
    ("Panel: grid carbon intensity (opened)", "/users/{user_id}/carbon/", lambda n: n <= 1,
     "at most 1 request (the driver's feed from the charging panel's page; 2 when that is not held)"),
    ("Panel: tariff prices (opened)", "/users/{user_id}/carbon/tariff-prices/", lambda n: n <= 1, "at most 1 request"),
)
SOURCES = (
    ("Timeline source: tickets and their messages", "tickets", lambda n: n <= 1, "at most 1 request"),
    ("Timeline source: charging (held by the panel)", "charging", lambda n: n == 0, "none: the panel's page"),
    ("Timeline source: vehicle errors", "device_errors", lambda n: n <= 1, "1 request a vehicle (one here)"),
    ("Timeline source: rebate applications (held by the panel)", "rebates", lambda n: n == 0,
     "none: the Rebates panel's read"),
    ("Timeline source: notifications sent (held by the panel)", "notifications", lambda n: n <= 1,
     "at most 1 request (none: the Notifications panel has read them)"),
)
GOALS = {
    PAGE_STEP: (lambda n: n <= 2, "at most 2 requests before any panel, 0 within the cache time"),
    STRIP_BEFORE_STEP: (lambda n: n == 0, "no request: what evadmin holds"),
    TIMELINE_BEFORE_STEP: (lambda n: n == 0, "no request: what evadmin holds, the rest listed with its cost"),
    STRIP_AFTER_STEP: (lambda n: n == 0, "no request: what the panels fetched"),
    **{step: (check, goal) for step, _, check, goal in PANELS},
    **{step: (check, goal) for step, _, check, goal in SOURCES},
}


def driver_steps(client, user_id: str, energy: dict | None = None) -> list[tuple[str, callable]]:
    names = {"user_id": user_id, "hem_user_id": (energy or {}).get("user_id", ""),
             "hem_id": (energy or {}).get("hem_system_id", "")}

    def get(path: str, *, htmx: bool = False):
        return lambda: _get(client, path.format(**names), htmx=htmx)

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
    energy = sandbox.seed_cases()[ENERGY_CASE]
    table, raw = agent_steps_table(ctx, sandbox, key="driver", goals=GOALS, repeats=repeats,
                                   steps_for=lambda client: driver_steps(client, user_id, energy))
    result.tables.append(table)
    result.raw.update(raw)
    return result
