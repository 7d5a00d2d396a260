"""Section 8, the API beyond users: what the sandbox's breadth costs to seed, what a charging
question costs in requests, and how long the spec-driven conformance run takes.

1. Seeding: `manage.py seedsandbox --users N --reset` into a fresh database file, for the 1,000
   drivers the issue names (a month of sessions, their explanations and the devices' logs) and for
   the 250 the test suite re-seeds; rows per kind read from the file afterwards.
2. Requests: a driver's month of sub-sessions with their flags and assessment, read the way the
   client declares it (expanded, one request a page) and the way it would be without `expand`
   (the list, then the flags and the assessment of each sub-session); counted in the sandbox's log.
3. Conformance: `pytest tests/sandbox/test_spec_conformance.py` (Schemathesis against a sandbox of
   its own): the operations it covers and its wall time.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time

from bench.common import REPO, Context, SectionResult, Table, goal_note, median, point_evadmin_at

GOAL_SEED_SECONDS = 30.0


def seed_seconds(ctx: Context, users: int, run: int) -> tuple[float, dict[str, int]]:
    folder = ctx.workdir / f"breadth-seed-{users}-{run}"
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "sandbox.sqlite3"
    env = {**os.environ, "EVADMIN_SANDBOX_DB": str(db_path)}
    # Migrations first (not part of seeding), then the timed seeding alone.
    subprocess.run([sys.executable, "manage.py", "seedsandbox", "--users", "0", "--reset"], cwd=REPO, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "seedsandbox", "--users", str(users), "--seed", "1", "--reset"],
                   cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    with sqlite3.connect(db_path) as connection:
        kinds = dict(connection.execute("SELECT kind, count(*) FROM sandbox_record GROUP BY kind ORDER BY kind"))
    return seconds, kinds


def charging_month_requests(ctx: Context) -> dict:
    from evadmin.evenergy import collections as c
    from evadmin.evenergy.client import build_client
    from evadmin.evenergy.collections import read_detail

    sandbox = ctx.sandbox("breadth", seed_users=250)
    point_evadmin_at(sandbox)
    client = build_client()
    case = next(iter(sandbox.seed_cases().values()))
    user_id = case["user_id"]
    sub_sessions = client.collection(c.CHARGING_SUB_SESSIONS)

    sandbox.reset()
    expanded = [item for page in sub_sessions.pages(user_id=user_id) for item in page]
    with_expand = len([entry for entry in sandbox.requests() if entry["path"].startswith("/v2/")])

    sandbox.reset()
    plain = [item for page in sub_sessions.pages(user_id=user_id, expand=()) for item in page]
    for item in plain:
        read_detail(client, c.SUB_SESSION_FLAGS, item.id)
        read_detail(client, c.SUB_SESSION_ASSESSMENT, item.id)
    without_expand = len([entry for entry in sandbox.requests() if entry["path"].startswith("/v2/")])
    return {"sub_sessions": len(expanded), "with_expand": with_expand, "without_expand": without_expand,
            "explained": sum(1 for item in expanded if item.flags is not None and item.assessment is not None)}


def conformance_run() -> dict:
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/sandbox/test_spec_conformance.py", "-q", "-s", "-p",
         "no:cacheprovider"], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    output = finished.stdout + finished.stderr
    operations = re.search(r"(\d+) operations, (\d+) requests", output)
    summary = re.search(r"(\d+) passed(?:, (\d+) failed)?", output)
    return {"seconds": seconds, "ok": finished.returncode == 0,
            "operations": int(operations.group(1)) if operations else None,
            "requests": int(operations.group(2)) if operations else None,
            "passed": int(summary.group(1)) if summary else 0, "tail": output.strip().splitlines()[-1:]}


def run(ctx: Context) -> SectionResult:
    runs = 1 if ctx.quick else 3
    result = SectionResult(
        key="breadth", title="8. The API beyond users",
        intro=("Seeding the sandbox's charging history and device logs, the requests one charging question costs "
               f"with and without `expand`, and the spec-driven conformance run. Seeding: median of {runs} "
               "run(s) into a fresh database file each."),
    )
    table = Table(["Measure", "Result", "Command", "Notes"])
    rows_by_kind: dict[str, int] = {}
    for users in (1000, 250):
        figures = [seed_seconds(ctx, users, run) for run in range(runs)]
        seconds = median([seconds for seconds, _ in figures])
        rows_by_kind = rows_by_kind or figures[0][1]
        table.add(f"Seed {users:,} drivers with devices and a month of charging", f"{seconds:.1f} s",
                  ctx.command("breadth"),
                  goal_note(seconds < GOAL_SEED_SECONDS, "under 30 s") if users == 1000
                  else "the whole command, Django start included; the suite re-seeds 250 inside the sandbox")
    result.raw["rows_by_kind"] = rows_by_kind
    month = charging_month_requests(ctx)
    result.raw["month"] = month
    table.add("A driver's month of sub-sessions with flags and assessment: requests",
              f"{month['with_expand']} with `expand` vs {month['without_expand']} without "
              f"({month['sub_sessions']} sub-sessions)", ctx.command("breadth"),
              "one request a page, never one a row")
    conformance = conformance_run()
    result.raw["conformance"] = conformance
    table.add("Schemathesis against the sandbox (every operation it serves)",
              f"{conformance['seconds']:.0f} s, {conformance['operations'] or '?'} operations, "
              f"{conformance['requests'] or '?'} requests, "
              f"{'no failures' if conformance['ok'] else 'FAILED: ' + ' '.join(conformance['tail'])}",
              "`pytest tests/sandbox/test_spec_conformance.py`", "part of `make test`")
    result.tables.append(table)
    kinds = Table(["Kind of record (1,000 drivers)", "Rows"])
    for kind, count in sorted(rows_by_kind.items()):
        kinds.add(kind, f"{count:,}")
    result.tables.append(kinds)
    return result
