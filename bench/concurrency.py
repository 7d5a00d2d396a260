"""Section 5, concurrency: bench/load.py's load test (`make load`), rendered as a section.

`run_load_test` builds its own stack (gunicorn, sandbox, a throwaway database) and returns the
figures; this module only picks the scale and turns them into the section's table.
"""

from __future__ import annotations

from bench.common import Context, SectionResult, Table, goal_note


def _number(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def run(ctx: Context) -> SectionResult:
    from bench.load import run_load_test

    users, seconds = (10, 10) if ctx.quick else (50, 60)
    figures = run_load_test(users=users, seconds=seconds, spawn_rate=10, workdir=ctx.workdir / "load")
    result = SectionResult(
        key="load", title="5. Concurrency",
        intro=(f"{figures['users']} signed-in agents (locust, bench/locustfile.py) browsing list, search and user "
               f"pages for {figures['seconds']} s on loopback against {figures.get('server', 'evadmin')}"
               f"{', ' + figures['database'] if figures.get('database') else ''}, sandbox API behind it. "
               f"Goal: no failed request."),
    )
    table = Table(["Page", "Requests", "Failures", "Requests/s", "p50 (ms)", "p95 (ms)", "p99 (ms)", "Command",
                   "Notes"])
    for row in figures.get("by_name", []):
        table.add(row["name"], _number(row["requests"], ","), _number(row["failures"], ","),
                  _number(row.get("rps"), ".1f"), _number(row.get("p50_ms"), ",.0f"), _number(row.get("p95_ms"), ",.0f"),
                  _number(row.get("p99_ms"), ",.0f"), ctx.command("load"), "")
    # The load test's totals cover the browsing window, once every agent has signed in.
    table.add("**All browsing**", _number(figures["requests"], ","), _number(figures["failures"], ","),
              _number(figures.get("rps"), ".1f"), _number(figures.get("p50_ms"), ",.0f"),
              _number(figures.get("p95_ms"), ",.0f"), _number(figures.get("p99_ms"), ",.0f"), ctx.command("load"),
              goal_note(figures["failures"] == 0, "0 failures"))
    result.tables.append(table)
    api = f"{figures['api_requests']:,} API requests"
    if "api_requests_per_page" in figures:
        api += f" ({figures['api_requests_per_page']} per page view, {figures.get('api_429s', 0)} answered 429)"
    result.notes.append(api + "; `make load` runs the same test alone.")
    for error in figures.get("errors", [])[:5]:
        result.notes.append(f"Failure: {error}")
    result.raw = figures
    return result
