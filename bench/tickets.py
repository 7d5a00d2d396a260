"""Section 10, the ticket desk: what an agent working the queue spends of the API budget.

A support agent takes the seeded open ticket about the offline-charger night as the pages lead them
(django.test.Client in this process, the whole middleware stack): the queue, the saved view that finds
it, the queue's next page, the ticket opened by its Freshdesk number, the ticket's page, and the panels
it loads (the charging panel for its category, the driver's tickets); then the team statistics. Each
step's API requests come from the sandbox's request log; its server time is the median over the
repeats, each cold (evadmin's read cache emptied first). A second agent then takes the same steps
within the cache time: what that costs in requests.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from bench.common import Context, SectionResult, point_evadmin_at
from bench.investigation import LATENCY_MS, _get, agent_steps_table

CASE = "ticket_offline_charger_night"
QUEUE_STEP = "The queue (first page)"
SAVED_VIEW_STEP = "Saved view: open, charging, no human category"
NEXT_PAGE_STEP = "The queue's next page"
OPEN_STEP = "Open by Freshdesk number (redirect)"
TICKET_STEP = "The ticket's page (ticket, driver, messages, taxonomy)"
DRIVER_TICKETS_STEP = "Panel: the driver's tickets"
CHARGING_STEP = "Panel: charging (the ticket's category)"
STATS_STEP = "Team statistics (seven charts)"


def desk_steps(client, case: dict) -> list[tuple[str, callable]]:
    found: dict[str, str] = {}
    ticket_id, user_id = case["ticket"], case["user_id"]

    def get(path: str, *, htmx: bool = False) -> str:
        return _get(client, path, htmx=htmx)

    def queue() -> str:
        page = get("/tickets/")
        found["next"] = html.unescape(re.search(r'href="(/tickets/\?[^"]*after=[^"]*)"', page).group(1))
        return page

    def saved_view() -> str:
        page = get("/tickets/?" + urlencode({"status": "Open", "category_by": "ai", "category": "CHARGING_SESSION",
                                             "human_category": "missing"}))
        if f'id="ticket-{ticket_id}"' not in page:
            raise RuntimeError("the saved view does not find the case's ticket")
        return page

    def open_by_number() -> str:
        response = client.get("/tickets/", {"external_id": case["external_ticket_id"]})
        if response.status_code != 302 or not response["Location"].endswith(f"/tickets/{ticket_id}/"):
            raise RuntimeError(f"opening by Freshdesk number answered {response.status_code}")
        return ""

    return [
        (QUEUE_STEP, queue),
        (SAVED_VIEW_STEP, saved_view),
        (NEXT_PAGE_STEP, lambda: get(found["next"], htmx=True)),
        (OPEN_STEP, open_by_number),
        (TICKET_STEP, lambda: get(f"/tickets/{ticket_id}/")),
        (DRIVER_TICKETS_STEP, lambda: get(f"/tickets/drivers/{user_id}/", htmx=True)),
        (CHARGING_STEP, lambda: get(f"/users/{user_id}/charging/", htmx=True)),
        (STATS_STEP, lambda: get("/tickets/stats/")),
    ]


GOALS = {
    QUEUE_STEP: (lambda n: n <= 2, "one request a page (plus the taxonomy, once a day)"),
    SAVED_VIEW_STEP: (lambda n: n == 1, "one request a page"),
    NEXT_PAGE_STEP: (lambda n: n == 1, "one request a page"),
    OPEN_STEP: (lambda n: n == 1, "one request"),
    TICKET_STEP: (lambda n: n <= 2, "at most 2 before panels"),
    DRIVER_TICKETS_STEP: (lambda n: n == 1, "one request"),
    CHARGING_STEP: (lambda n: n == 1, "one request a page"),
    STATS_STEP: (lambda n: n <= 8, "one request per chart"),
}


def run(ctx: Context) -> SectionResult:
    repeats = 3 if ctx.quick else 15
    result = SectionResult(
        key="tickets", title="10. The ticket desk",
        intro=(f"An agent works the seeded open ticket about the offline-charger night, step by step as the pages "
               f"lead them, {repeats} cold repeats (evadmin's read cache emptied before each, so the category "
               f"taxonomy, read once a day, is counted on the first step that needs it), the sandbox answering "
               f"every /v2 request {LATENCY_MS} ms late. Requests counted in the sandbox's log. Goals from the "
               "issue: the queue one request a page; a ticket's page at most 2 before panels; one request per "
               "chart, cached."),
    )
    sandbox = ctx.sandbox("tickets", seed_users=250)
    point_evadmin_at(sandbox)
    case = sandbox.seed_cases()[CASE]
    table, raw = agent_steps_table(ctx, sandbox, key="tickets", goals=GOALS, repeats=repeats,
                                   steps_for=lambda client: desk_steps(client, case))
    result.tables.append(table)
    result.raw.update(raw)
    return result
