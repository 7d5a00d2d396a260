"""The load test: many signed-in support agents browsing evadmin at once, on loopback, for a set time.

    python -m bench.load [--users 50] [--seconds 60]     (make load; `make bench` puts it in BENCHMARKS.md)

`run_load_test()` builds a throwaway stack, runs locust headless against it (bench/locustfile.py
describes what each simulated agent does) and returns the figures: every agent signs in first, then
all browse for `seconds`, and the requests per second and percentiles are the browsing window's
(sign-in is reported on its own rows; failures count everything). The command prints them as a
table and exits non-zero on any failed request; bench/concurrency.py renders the same figures as
BENCHMARKS.md's concurrency section. `load_stack()` gives the stack itself, for several runs on one build.

The stack, built for each run and removed after it, whatever happens (failure, Ctrl-C, SIGTERM):
- a temporary var dir (EVADMIN_VAR_DIR) with evadmin's SQLite database, or, when DATABASE_URL and
  REDIS_URL are set (as in CI), a throwaway PostgreSQL database `<name>_load` beside the given one
  (dropped afterwards) and the given Redis for the cache and the rate budget;
- the sandbox API (`runsandbox`, SEED_USERS users) on a free port, with the sandbox's and evadmin's
  hourly limits raised to RATE_LIMIT_PER_HOUR: the real 1,000 an hour would be spent in seconds, and
  the test measures evadmin, not the budget;
- a full directory sync, so searches and /locations/ have data, and one staff account per agent;
- evadmin under gunicorn on a free loopback port (`--workers`/`--threads`, see GUNICORN_* below).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.common import throwaway_postgres
from evadmin.sandbox.process import start_sandbox, stop_process
from tests.processes import free_port, wait_for

REPO = Path(__file__).resolve().parents[1]
LOCUSTFILE = REPO / "bench" / "locustfile.py"
SEED_USERS = 2_000
# Both the sandbox's limit and evadmin's budget: far above what 60 s of load can send.
RATE_LIMIT_PER_HOUR = 1_000_000
# Chosen on the 2-core machine CI runs on, 50 agents for 40 s each: -w 2 --threads 8 served 12.8
# page views/s (p95 7.1 s), -w 3 --threads 4 9.0/s (p95 13 s), -w 5 --threads 2 6.6/s (p95 25 s), the
# machine busy with other work alike. A process per core; threads overlap the waits for the API.
# https://docs.gunicorn.org/en/stable/design.html#how-many-workers
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 8
# The stack's own OAuth client, so its token and budget window never mix with another evadmin's
# in a shared Redis.
CLIENT_ID, CLIENT_SECRET = "evadmin-load", "evadmin-load-secret"
STAFF_PASSWORD = "load-agent-password-not-secret"  # throwaway accounts in a throwaway database
# How long 50 sign-ins may take before the window (each hashes a password: ~0.5 s of CPU).
SIGN_IN_ALLOWANCE_SECONDS = 120


class LoadTestError(RuntimeError):
    """The stack could not be built or locust did not run (not: requests failed)."""


# --- the stack ---------------------------------------------------------------------------------
def _stack_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           # No broker: browsing queues no task, and a stray one must not reach a real queue.
           if key not in {"CELERY_BROKER_URL", "EVADMIN_API_TOKEN", "EVADMIN_API_SCOPES", "DEBUG"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "evadmin.settings.development",
        "EVADMIN_VAR_DIR": str(var_dir),
        "EVADMIN_SANDBOX_DB": str(var_dir / "sandbox.sqlite3"),
        "EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR": str(RATE_LIMIT_PER_HOUR),
        "EVADMIN_API_RATE_LIMIT_PER_HOUR": str(RATE_LIMIT_PER_HOUR),
        "EVADMIN_API_CLIENT_ID": CLIENT_ID,
        "EVADMIN_API_CLIENT_SECRET": CLIENT_SECRET,
        "PYTHONUNBUFFERED": "1",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
    return env


def _forget_redis_keys(redis_url: str) -> None:
    """Remove what the stack left in a shared Redis: its token, budget window, the API's last report
    and the directory's filter choices (Django's cache keys are `:1:` + the key)."""
    import redis

    connection = redis.Redis.from_url(redis_url)
    connection.delete(f"evenergy:budget:window:{CLIENT_ID}", f":1:evenergy:token:{CLIENT_ID}",
                      ":1:evenergy:budget:observed", ":1:evenergy:budget:blocked_until",
                      ":1:directory:filter_choices")
    connection.close()


def _manage(env: dict[str, str], log: Path, *args: str) -> None:
    with log.open("ab") as out:
        out.write(f"$ manage.py {' '.join(args)}\n".encode())
        out.flush()
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise LoadTestError(f"manage.py {' '.join(args)} failed:\n{_tail(log)}")


def _say(message: str) -> None:
    """Progress for whoever runs `make load` (stderr: stdout carries the figures)."""
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


class _Processes:
    """Started servers, each in its own process group, stopped in reverse order on close."""

    def __init__(self) -> None:
        self._started: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("ab") as out:  # a file, not a pipe: a full pipe would stall the server
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self._started.append(process)
        return process

    def adopt(self, process: subprocess.Popen) -> None:
        """Stop this one too (started elsewhere, in its own process group)."""
        self._started.append(process)

    def close(self) -> None:
        for process in reversed(self._started):
            stop_process(process)  # the whole group: gunicorn's master stops its workers
        self._started.clear()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


# --- run ---------------------------------------------------------------------------------------
def run_load_test(*, users: int = 50, seconds: int = 60, spawn_rate: int = 10, workdir: Path | None = None,
                  workers: int = GUNICORN_WORKERS, threads: int = GUNICORN_THREADS,
                  sandbox_faults: dict | None = None) -> dict:
    """Build the stack, let `users` agents browse for `seconds`, tear it all down; return the figures.

    `workdir` keeps the logs, locust's CSVs and the plan (a temporary folder, removed, otherwise).
    `sandbox_faults` are set on the sandbox for the run (POST /_sandbox/faults, e.g. latency_ms).
    Raises LoadTestError when the stack cannot be built or locust does not run; failed requests are
    figures (`failures`, `errors`), not exceptions.
    """
    with load_stack(agents=users, workdir=workdir, workers=workers, threads=threads) as stack:
        return stack.run(users=users, seconds=seconds, spawn_rate=spawn_rate, sandbox_faults=sandbox_faults)


@contextlib.contextmanager
def load_stack(*, agents: int, workdir: Path | None = None, workers: int = GUNICORN_WORKERS,
               threads: int = GUNICORN_THREADS) -> Iterator[LoadStack]:
    """The throwaway stack with `agents` staff accounts, for one or more runs; removed on the way out."""
    owned = workdir is None
    work = Path(tempfile.mkdtemp(prefix="evadmin-load-")) if owned else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", "") if os.environ.get("REDIS_URL") else ""
    processes = _Processes()
    try:
        with contextlib.ExitStack() as cleanup:  # undone in reverse: servers first, then their data
            if database_url:
                name = f"{urlsplit(database_url).path.lstrip('/')}_load"
                database_url = cleanup.enter_context(throwaway_postgres(database_url, name))
                cleanup.callback(_forget_redis_keys, os.environ["REDIS_URL"])
            cleanup.callback(processes.close)
            yield LoadStack.build(work, database_url, processes, agents=agents, workers=workers, threads=threads)
            _say("stopping the stack")
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)


@dataclass
class LoadStack:
    work: Path
    database: str
    origin: str  # the sandbox API's
    host: str  # evadmin's
    server: str
    env: dict[str, str]
    plan: Path
    agents: int
    runs: int = 0

    @classmethod
    def build(cls, work: Path, database_url: str, processes: _Processes, *, agents: int, workers: int,
              threads: int) -> LoadStack:
        var_dir = work / "var"
        var_dir.mkdir(exist_ok=True)
        env = _stack_env(var_dir, database_url)
        setup_log = work / "setup.log"
        database = "PostgreSQL + Redis" if database_url else "SQLite"
        _say(f"building the stack in {work} ({database})")
        try:
            sandbox = start_sandbox(env=env, log_path=work / "sandbox.log", client_id=CLIENT_ID,
                                    client_secret=CLIENT_SECRET, args=["--seed-users", str(SEED_USERS), "--seed", "1"])
        except RuntimeError as exc:
            raise LoadTestError(str(exc)) from exc
        processes.adopt(sandbox.process)
        _manage(env, setup_log, "migrate", "--noinput", "--verbosity", "0")
        if not env.get("REDIS_URL"):
            _manage(env, setup_log, "createcachetable")
        origin = sandbox.origin
        env["EVADMIN_API_BASE_URL"], env["EVADMIN_API_TOKEN_URL"] = f"{origin}/v2", f"{origin}/o/token/"

        _say(f"sandbox API at {origin} with {SEED_USERS:,} users; syncing the directory, "
             f"creating {agents} staff accounts")
        plan = work / "plan.json"
        with setup_log.open("ab") as out:
            done = subprocess.run(
                [sys.executable, "-m", "bench.load", "--prepare-plan", str(plan), "--users", str(agents)],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            raise LoadTestError(f"preparing the stack failed:\n{_tail(setup_log)}")

        port = free_port()
        server = f"gunicorn -w {workers} --threads {threads}"
        gunicorn_log = work / "gunicorn.log"
        web = processes.start(
            [sys.executable, "-m", "gunicorn", "evadmin.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "5"], env, gunicorn_log)
        host = f"http://127.0.0.1:{port}"

        def not_started() -> str:
            return f"gunicorn did not start; its log:\n{_tail(gunicorn_log)}"

        wait_for(lambda: _answers(f"{host}/accounts/login/") or web.poll() is not None, timeout=60, every=0.1,
                 error=LoadTestError, message=not_started)
        if web.poll() is not None:  # it stopped rather than answered
            raise LoadTestError(not_started())
        return cls(work=work, database=database, origin=origin, host=host, server=server, env=env, plan=plan,
                   agents=agents)

    def run(self, *, users: int, seconds: int, spawn_rate: int = 10, sandbox_faults: dict | None = None) -> dict:
        """One locust run: `users` agents (at most the stack's) sign in, then browse for `seconds`."""
        if users > self.agents:
            raise ValueError(f"the stack has {self.agents} staff accounts, not {users}")
        self.runs += 1
        _say(f"evadmin at {self.host} ({self.server}); {users} agents sign in, then browse for {seconds} s")
        load_before = os.getloadavg()[0]
        # Count this run's API requests only; the faults (if any) hold for this run.
        requests.post(f"{self.origin}/_sandbox/reset", json={}, timeout=30).raise_for_status()
        if sandbox_faults:
            requests.post(f"{self.origin}/_sandbox/faults", json=sandbox_faults, timeout=30).raise_for_status()
        stats_prefix, result_file = self.work / f"locust-{self.runs}", self.work / f"result-{self.runs}.json"
        locust_log = self.work / f"locust-{self.runs}.log"
        # The window starts once every agent has signed in (bench/locustfile.py) and locust then stops
        # itself; -t only bounds a run whose agents never all sign in.
        hard_stop = seconds + SIGN_IN_ALLOWANCE_SECONDS
        with locust_log.open("wb") as out:
            locust = subprocess.Popen(
                [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r",
                 str(spawn_rate), "-t", f"{hard_stop}s", "--host", self.host, "--csv", str(stats_prefix),
                 "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
                cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                env={**self.env, "EVADMIN_LOAD_PLAN": str(self.plan), "EVADMIN_LOAD_USERS": str(users),
                     "EVADMIN_LOAD_SECONDS": str(seconds), "EVADMIN_LOAD_RESULT": str(result_file)})
        try:
            locust.wait(timeout=hard_stop + 60)
        except subprocess.TimeoutExpired as exc:
            raise LoadTestError(f"locust did not stop in time:\n{_tail(locust_log)}") from exc
        finally:
            stop_process(locust)
        if not result_file.exists():
            raise LoadTestError(f"locust wrote no result (exit {locust.returncode}):\n{_tail(locust_log)}")
        measured = json.loads(result_file.read_text())
        load_after = os.getloadavg()[0]
        if not measured["window_seconds"]:
            raise LoadTestError(f"the agents never all signed in within {hard_stop} s:\n{_tail(locust_log)}")
        sent = requests.get(f"{self.origin}/_sandbox/requests", timeout=60).json()
        if sandbox_faults:
            requests.post(f"{self.origin}/_sandbox/reset", json={}, timeout=30).raise_for_status()
        api_requests = sum(1 for entry in sent if entry["path"].startswith("/v2"))
        browsing = measured["browsing"]
        sign_in = next((row for row in measured["by_name"] if row["name"] == "sign in"), {})
        return {
            "users": users, "seconds": seconds,
            # The browsing window (every agent signed in); failures count sign-in too.
            "requests": browsing["requests"], "failures": measured["all_failures"], "rps": browsing["rps"],
            "p50_ms": browsing["p50_ms"], "p95_ms": browsing["p95_ms"], "p99_ms": browsing["p99_ms"],
            "window_seconds": measured["window_seconds"],
            "by_name": measured["by_name"],
            "errors": measured["errors"],
            "sign_in": {**sign_in, "agents": measured["agents_signed_in"], "seconds": measured["sign_in_seconds"]},
            "api_requests": api_requests,
            "api_requests_per_page": round(api_requests / browsing["requests"], 2) if browsing["requests"] else 0.0,
            "api_429s": sum(1 for entry in sent if entry["status"] == 429),
            "server": self.server,
            "database": self.database,
            "rate_limit_per_hour": RATE_LIMIT_PER_HOUR,
            "seed_users": SEED_USERS,
            # The machine's 1-minute load average before and after: other work on it skews every figure.
            "load_average": [round(load_before, 1), round(load_after, 1)],
            "server_errors_logged": [line for line in _tail(self.work / "gunicorn.log", 1_000_000).splitlines()
                                     if " ERROR " in line or "Traceback" in line][:20],
        }


# --- preparing the stack (runs inside it, as `python -m bench.load --prepare-plan PATH`) --------
def _prepare(plan_path: Path, agents: int) -> None:
    """Sync the directory, create one staff account per agent and write the agents' plan."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from evadmin.driver_directory.models import DirectoryAccount
    from evadmin.driver_directory.sync import directory_sync_step
    from evadmin.staff.roles import SUPPORT
    from evadmin.staff.services import staff_member_create

    progress = directory_sync_step(kind="full", max_seconds=300)
    if not progress.finished:
        raise SystemExit(f"the directory sync did not finish: {progress}")

    # Hashing a password takes ~0.3 s (Django's PBKDF2 iterations): hash it once and give every
    # agent the same hash, so 50 accounts take a moment rather than 15 s.
    staff = [staff_member_create(username="load-agent-001", password=STAFF_PASSWORD, roles=[SUPPORT])]
    user_model = get_user_model()
    for number in range(2, agents + 1):
        agent = user_model.objects.create(username=f"load-agent-{number:03}", password=staff[0].password)
        agent.groups.set(staff[0].groups.all())
        staff.append(agent)

    rng = random.Random(1)
    accounts = list(DirectoryAccount.objects.filter(gone_at__isnull=True).order_by("user_id"))
    sample = rng.sample(accounts, min(60, len(accounts)))
    terms = set()
    for account in sample:
        local = account.email.split("@")[0]
        terms.add(local[: rng.randint(3, 6)])  # half an email, as typed
        if account.full_name:
            terms.add(account.full_name.split()[-1])
        if account.postal_code:
            terms.add(rng.choice([account.postal_code, account.postal_code.replace(" ", "")]))
        if account.city:
            terms.add(account.city)
            if account.full_name:
                terms.add(f"{account.full_name.split()[0]} {account.city}")
    terms.update([sample[0].user_id, "no-such-account-anywhere"])
    plan = {
        "staff": [{"username": agent.username, "password": STAFF_PASSWORD} for agent in staff],
        "user_ids": [account.user_id for account in rng.sample(accounts, min(300, len(accounts)))],
        "search_terms": sorted(terms),
        "countries": sorted({account.country_code for account in accounts if account.country_code}),
    }
    plan_path.write_text(json.dumps(plan, indent=1))


# --- reporting ---------------------------------------------------------------------------------
def _ms(value: float) -> str:
    return f"{value:,.0f}"


def markdown_table(result: dict) -> str:
    lines = ["| Page | Requests | Failures | Requests/s | p50 ms | p95 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in result["by_name"]:
        rps = "–" if row["rps"] is None else f"{row['rps']:.1f}"
        lines.append(f"| {row['name']} | {row['requests']:,} | {row['failures']:,} | {rps} | "
                     f"{_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | {_ms(row['p99_ms'])} |")
    lines.append(f"| **Browsing (sign-in excluded)** | **{result['requests']:,}** | **{result['failures']:,}** | "
                 f"**{result['rps']:.1f}** | **{_ms(result['p50_ms'])}** | **{_ms(result['p95_ms'])}** | "
                 f"**{_ms(result['p99_ms'])}** |")
    return "\n".join(lines)


def summary(result: dict) -> str:
    sign_in = result["sign_in"]
    return (f"{result['users']} signed-in agents browsing for {result['window_seconds']:.0f} s against "
            f"{result['database']}, {result['server']}: {result['requests']:,} page views, {result['rps']:.1f} per "
            f"second, p50 {_ms(result['p50_ms'])} ms, p95 {_ms(result['p95_ms'])} ms, p99 {_ms(result['p99_ms'])} ms; "
            f"{result['failures']:,} failed requests (sign-in included). {result['api_requests']:,} API requests "
            f"({result['api_requests_per_page']} per page view, {result['api_429s']} answered 429). "
            f"Before the window, {sign_in.get('agents', 0)} agents signed in within {sign_in.get('seconds', 0):.0f} s "
            f"(p50 {_ms(sign_in.get('p50_ms', 0))} ms each). The sandbox's and evadmin's hourly API limits were raised "
            f"to {result['rate_limit_per_hour']:,} for the run. The machine's load average was "
            f"{result['load_average'][0]} before and {result['load_average'][1]} after.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent signed-in agents (default 50)")
    parser.add_argument("--seconds", type=int, default=60, help="how long they browse (default 60)")
    parser.add_argument("--spawn-rate", type=int, default=10, help="agents started per second (default 10)")
    parser.add_argument("--workers", type=int, default=GUNICORN_WORKERS, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=GUNICORN_THREADS, help="threads per gunicorn worker")
    parser.add_argument("--json", action="store_true", help="print the result as JSON rather than a table")
    parser.add_argument("--prepare-plan", type=Path, help=argparse.SUPPRESS)  # internal: runs inside the stack
    args = parser.parse_args(argv)
    if args.prepare_plan:
        _prepare(args.prepare_plan, args.users)
        return 0
    # A stop from outside (CI's time limit, kill) unwinds like Ctrl-C, so the stack is taken down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    result = run_load_test(users=args.users, seconds=args.seconds, spawn_rate=args.spawn_rate,
                           workers=args.workers, threads=args.threads)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(summary(result))
        print()
        print(markdown_table(result))
        for error in result["errors"]:
            print(f"FAILED {error['name']}: {error['error']} ({error['occurrences']}×)")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
