"""The load test's simulated support agents (run by bench/load.py; see `python -m bench.load --help`).

Each agent signs in once with its own staff account (the CSRF token read from the sign-in form),
then browses as support staff do, with a short pause between clicks: the users list and its htmx
"Next" pages (one API request each), directory searches and /locations/ filters (no API request),
and user pages followed by their lazily loaded vehicles and chargers (one API request each).

The measured window starts once every agent has signed in (password hashing is slow on purpose, and
50 sign-ins at once would otherwise fill the first part of the run) and lasts EVADMIN_LOAD_SECONDS;
then locust stops and the figures are written to EVADMIN_LOAD_RESULT as JSON: each page's, the
browsing window's (sign-in excluded) and every failure. What to use comes from the plan file that
bench/load.py writes (EVADMIN_LOAD_PLAN): staff logins, user ids and search terms from the seeded
directory. Any answer but 200, or a page that is not the one asked for (a sign-in page after a lost
session, an API error banner), is a failure.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser
from locust.stats import StatsEntry

PLAN = json.loads(Path(os.environ["EVADMIN_LOAD_PLAN"]).read_text())
AGENTS = int(os.environ["EVADMIN_LOAD_USERS"])
WINDOW_SECONDS = float(os.environ["EVADMIN_LOAD_SECONDS"])
RESULT = Path(os.environ["EVADMIN_LOAD_RESULT"])
SIGN_IN_PAGES = ("sign-in form", "sign in")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT_PAGE = re.compile(r'rel="next"\s+href="([^"]+)"')
HTMX = {"HX-Request": "true"}
# Every page evadmin serves to a signed-in agent carries the sign-out form; the sign-in page does not.
SIGNED_IN_MARK = 'action="/accounts/logout/"'
API_ERROR_MARK = "The ev.energy API is not answering properly"

# Locust draws each agent's next task from the global generator: seeded, a run repeats its mix.
random.seed(1)
_next_account = itertools.count()
_sign_ins_done = itertools.count(1)
_everyone_signed_in = Event()
_window: dict[str, float] = {}


def _sign_in_finished(environment) -> None:
    """Counted for failed sign-ins too, so one refused agent cannot hold the others back."""
    if next(_sign_ins_done) == AGENTS:
        _window["started"] = time.monotonic()
        _window["sign_in_seconds"] = _window["started"] - _window.get("first_sign_in", _window["started"])
        _everyone_signed_in.set()
        gevent.spawn_later(WINDOW_SECONDS, _end_window, environment)


def _end_window(environment) -> None:
    _window["ended"] = time.monotonic()
    environment.runner.quit()


def _figures(entry: StatsEntry) -> dict:
    return {"name": entry.name, "requests": entry.num_requests, "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99)}


@events.quitting.add_listener
def _write_result(environment, **kwargs) -> None:
    stats = environment.stats
    browsing = StatsEntry(stats, "Browsing", "")
    window = _window.get("ended", time.monotonic()) - _window["started"] if "started" in _window else 0.0
    by_name = []
    for entry in sorted(stats.entries.values(), key=lambda entry: (entry.name in SIGN_IN_PAGES, entry.name)):
        sign_in = entry.name in SIGN_IN_PAGES
        by_name.append({**_figures(entry), "rps": None if sign_in or not window else round(entry.num_requests / window, 1)})
        if not sign_in:
            browsing.extend(entry)
    RESULT.write_text(json.dumps({
        "agents_signed_in": int(_window.get("signed_in", 0)),
        "window_seconds": round(window, 1),
        "sign_in_seconds": round(_window.get("sign_in_seconds", 0.0), 1),
        "browsing": {**_figures(browsing), "rps": round(browsing.num_requests / window, 1) if window else 0.0},
        "all_failures": stats.total.num_failures,
        "by_name": by_name,
        "errors": [{"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
                   for error in stats.errors.values()],
    }, indent=1))


class SupportAgent(FastHttpUser):
    # Seconds between two clicks: quick, as someone working through a queue of tickets.
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        account = PLAN["staff"][next(_next_account) % len(PLAN["staff"])]
        self.rng = random.Random(account["username"])
        self.next_page_url: str | None = None
        _window.setdefault("first_sign_in", time.monotonic())
        try:
            self._sign_in(account)
        finally:
            _sign_in_finished(self.environment)
        _everyone_signed_in.wait()

    def _sign_in(self, account: dict) -> None:
        with self.client.get("/accounts/login/", name="sign-in form", catch_response=True) as form:
            token = CSRF_INPUT.search(form.text or "")
            if form.status_code != 200 or token is None:
                form.failure(f"no sign-in form (status {form.status_code})")
                raise StopUser()
        data = {"csrfmiddlewaretoken": token.group(1), "username": account["username"],
                "password": account["password"], "next": "/users/"}
        with self.client.post("/accounts/login/", data=data, name="sign in", allow_redirects=False,
                              catch_response=True) as answer:
            if answer.status_code != 302 or answer.headers.get("Location") != "/users/":
                answer.failure(f"sign-in refused (status {answer.status_code})")
                raise StopUser()
        _window["signed_in"] = _window.get("signed_in", 0) + 1

    def _page(self, url: str, name: str, *, htmx: bool = False, must_contain: str = ""):
        """GET `url`; a failure unless it answers 200 with the page (or fragment) asked for."""
        with self.client.get(url, name=name, headers=HTMX if htmx else None, catch_response=True) as page:
            text = page.text or ""
            if page.status_code != 200:
                page.failure(f"status {page.status_code}")
            elif API_ERROR_MARK in text:
                page.failure("API error banner")
            elif not htmx and SIGNED_IN_MARK not in text:
                page.failure("not signed in (session lost?)")
            elif htmx and "<html" in text:
                page.failure("a whole page where a fragment was asked for")
            elif must_contain and must_contain not in text:
                page.failure(f"{must_contain!r} missing")
            else:
                page.success()
            return text

    # --- lists: the API's pages -------------------------------------------------------------
    @task(3)
    def users_list(self) -> None:
        text = self._page("/users/?source=api", "/users/?source=api (API list)", must_contain='id="users-results"')
        self._remember_next_page(text)

    @task(2)
    def users_next_page(self) -> None:
        """The htmx "Next 25" button: the fragment of the following page."""
        if self.next_page_url is None:
            return self.users_list()
        text = self._page(self.next_page_url, "/users/?after= (htmx next page)", htmx=True,
                          must_contain='id="users-results"')
        self._remember_next_page(text)

    def _remember_next_page(self, text: str) -> None:
        found = NEXT_PAGE.search(text)
        self.next_page_url = html.unescape(found.group(1)) if found else None

    # --- searches: the directory ------------------------------------------------------------
    @task(4)
    def directory_search(self) -> None:
        term = self.rng.choice(PLAN["search_terms"])
        query = {"directory": "1", "q": term}
        if self.rng.random() < 0.3:
            query["sort"] = self.rng.choice(["email", "-joined", "city", "postcode"])
        # Typing in the search box sends htmx requests; a shared link loads the whole page.
        htmx = self.rng.random() < 0.7
        self._page(f"/users/?{urlencode(query)}", "/users/?q= (directory search)", htmx=htmx,
                   must_contain='id="users-results"')

    @task(2)
    def locations(self) -> None:
        query = {}
        choice = self.rng.random()
        if choice < 0.4:
            query["country"] = self.rng.choice(PLAN["countries"])
        elif choice < 0.6:
            query["q"] = self.rng.choice(PLAN["search_terms"])
        elif choice < 0.75:
            query["no_tariff"] = "on"
        if self.rng.random() < 0.3:
            query["page"] = str(self.rng.randint(2, 4))
        htmx = bool(query) and self.rng.random() < 0.7
        url = "/locations/" + (f"?{urlencode(query)}" if query else "")
        self._page(url, "/locations/ (filters)", htmx=htmx, must_contain='id="locations-results"')

    # --- a user's page, then its lazily loaded devices -------------------------------------
    @task(3)
    def user_page(self) -> None:
        user_id = self.rng.choice(PLAN["user_ids"])
        self._page(f"/users/{user_id}/", "/users/<id>/", must_contain=user_id)
        for kind in ("vehicles", "chargers"):  # the page's two device panels, each loaded by htmx
            self._page(f"/users/{user_id}/devices/{kind}/", f"/users/<id>/devices/{kind}/ (htmx)", htmx=True,
                       must_contain=f'id="driver-{kind}"')
