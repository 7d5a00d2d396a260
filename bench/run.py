"""Run evadmin's benchmarks against the sandbox API and rewrite BENCHMARKS.md.

    python -m bench.run [--quick] [--only SECTION[,SECTION...]] [--output BENCHMARKS.md] [--keep-workdir]

Sections: pages, bulk, preview, directory, load, growth, budget, breadth, investigation, tickets, driver (all by default). --quick runs each at a
small scale, to check the harness (a minute or two instead of about an hour); its figures say so.
With --only, the other sections of the output file are kept as they were.

Isolation: a temporary work directory holds evadmin's SQLite files and file broker, and every
sandbox process's database and log. PostgreSQL: a throwaway database on DATABASE_URL's server
(or, when DATABASE_URL is unset, on postgres@127.0.0.1:5432 if that answers), dropped afterwards.
Redis: CELERY_BROKER_URL and REDIS_URL as given (or, when unset, databases 14 and 15 of
127.0.0.1:6379 if it answers); both are flushed, so give the run databases of its own. Without
PostgreSQL or Redis the run says which rows it skipped and why, and measures the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import REPO, UNLIMITED_PER_HOUR, Context, SectionResult, database_url_named, throwaway_postgres

SECTIONS = ("pages", "bulk", "preview", "directory", "load", "growth", "budget", "breadth", "investigation", "tickets",
            "driver")
TITLES = {"pages": "1. Page overhead", "bulk": "2. Bulk onboarding throughput", "preview": "3. Preview",
          "directory": "4. Directory", "load": "5. Concurrency", "growth": "6. Cost growth", "budget": "7. API budget",
          "breadth": "8. The API beyond users", "investigation": "9. The charging investigator",
          "tickets": "10. The ticket desk", "driver": "11. The whole driver"}
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = ("redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/15")  # broker, cache


# --- services ------------------------------------------------------------------------------------
def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _postgres_server() -> tuple[str, str]:
    """(a URL of the server's maintenance database or "", what was decided and why)."""
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith(("postgres://", "postgresql://")):
        return "", f"DATABASE_URL is not PostgreSQL ({url.split(':')[0]}): SQLite in the work directory"
    candidate = url or DEFAULT_POSTGRES
    parts = urlsplit(candidate)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 5432):
        why = "DATABASE_URL's server does not answer" if url else "DATABASE_URL unset and nothing on 127.0.0.1:5432"
        return "", f"{why}: SQLite in the work directory"
    maintenance = database_url_named(candidate, "postgres")
    try:
        import psycopg

        with psycopg.connect(maintenance.replace("postgres://", "postgresql://", 1), connect_timeout=5):
            pass
    except Exception as exc:
        return "", f"PostgreSQL at {parts.hostname}:{parts.port or 5432} refused ({exc}): SQLite in the work directory"
    source = "DATABASE_URL" if url else "found on 127.0.0.1:5432"
    return maintenance, f"PostgreSQL ({source}), throwaway database"


def _redis_urls() -> tuple[str, str, str]:
    """(broker URL or "", cache URL or "", what was decided and why)."""
    broker, cache = os.environ.get("CELERY_BROKER_URL"), os.environ.get("REDIS_URL")
    given = broker is not None or cache is not None
    broker, cache = (broker or "", cache or "") if given else DEFAULT_REDIS
    if not broker.startswith("redis") and not cache:
        return "", "", "CELERY_BROKER_URL/REDIS_URL name no Redis: file-system broker and database cache"
    parts = urlsplit(cache or broker)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        why = "the Redis in CELERY_BROKER_URL/REDIS_URL does not answer" if given else \
            "CELERY_BROKER_URL and REDIS_URL unset and nothing on 127.0.0.1:6379"
        return "", "", f"{why}: file-system broker and database cache"
    import redis

    for url in {broker, cache} - {""}:
        if url.startswith("redis"):
            redis.Redis.from_url(url).flushdb()  # a run starts from an empty broker and cache
    source = "CELERY_BROKER_URL/REDIS_URL" if given else "found on 127.0.0.1:6379, databases 14 and 15"
    return (broker if broker.startswith("redis") else ""), cache, f"Redis ({source}; flushed)"


# --- the machine -----------------------------------------------------------------------------------
def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine(ctx: Context) -> dict[str, str]:
    from django.db import connection

    cpu = re.search(r"model name\s*:\s*(.+)", _read("/proc/cpuinfo"))
    memory = re.search(r"MemTotal:\s*(\d+) kB", _read("/proc/meminfo"))
    info = {
        "CPU": cpu.group(1).strip() if cpu else platform.processor() or platform.machine(),
        "Cores": str(os.cpu_count()),
        "RAM": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
    }
    if ctx.postgres:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["PostgreSQL"] = cursor.fetchone()[0].split()[0]
    else:
        import sqlite3

        info["PostgreSQL"] = f"not used (SQLite {sqlite3.sqlite_version})"
    if ctx.redis_url:
        import redis

        info["Redis"] = redis.Redis.from_url(ctx.redis_url).info("server")["redis_version"]
    else:
        info["Redis"] = "not used"
    return info


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return f"{sha} (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else sha


# --- markdown ---------------------------------------------------------------------------------------
def _markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"


def render_section(result: SectionResult, *, stamp: str) -> str:
    lines = [f"## {result.title}", "", result.intro, "", f"*Measured {stamp}; took {result.seconds / 60:.1f} min.*", ""]
    for table in result.tables:
        lines.append("| " + " | ".join(table.headers) + " |")
        lines.append("|" + "---|" * len(table.headers))
        lines.extend("| " + " | ".join(row) + " |" for row in table.rows)
        lines.append("")
    for skipped in result.skipped:
        lines.append(f"- **Skipped:** {skipped}")
    for note in result.notes:
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def render_header(info: dict[str, str], *, ctx: Context, sha: str, date: str, command: str,
                  results: list[SectionResult]) -> str:
    rows = [("Commit", sha), ("Date", date), ("Command", f"`{command}`"),
            ("Mode", "quick (small scale: checks the harness, not figures to quote)" if ctx.quick else "full"),
            *info.items(), ("Services", ctx.services_note)]
    rows += [(f"Wall time: {result.title}", f"{result.seconds / 60:.1f} min") for result in results]
    lines = ["## The run", "", "| | |", "|---|---|", *(f"| {key} | {value} |" for key, value in rows)]
    skipped = [f"{result.title}: {item}" for result in results for item in result.skipped]
    if skipped:
        lines += ["", "Skipped in this run:", *(f"- {item}" for item in skipped)]
    return "\n".join(lines) + "\n"


PREAMBLE = """# Benchmarks

evadmin measured against the sandbox API by `make bench` (`python -m bench.run`; `--quick` for a
small-scale check, `--only SECTION` for one section, which leaves the others as they were). Every
figure is a ratio or a count measured side by side in one run, or a median over repeats: shared
machines are noisy, and none of this is a timed test. Each row names the command that reproduces
it. A figure that misses its goal is written as measured, with the reason in its Notes.
"""


def write_output(path: Path, blocks: dict[str, str]) -> None:
    """Replace the blocks measured now; keep the others (and any text outside the markers)."""
    text = path.read_text() if path.exists() else ""
    if "<!-- bench:header:start -->" not in text:
        # A new file, or one from before the header block: lay it out, keeping any section found.
        parts = [PREAMBLE]
        for key in ("header", *SECTIONS):
            start, end = _markers(key)
            title = TITLES.get(key)
            body = f"## {title}\n\nNot measured yet: `python -m bench.run --only {key}`.\n" if title else ""
            if start in text and end in text:
                body = text.split(start, 1)[1].split(end, 1)[0].strip("\n") + "\n"
            parts.append(f"{start}\n{body}{end}\n")
        text = "\n".join(parts)
    for key, block in blocks.items():
        start, end = _markers(key)
        if start not in text:
            text = text.rstrip() + f"\n\n{start}\n{end}\n"
        before, rest = text.split(start, 1)
        _old, after = rest.split(end, 1)
        text = f"{before}{start}\n{block.rstrip()}\n{end}{after}"
    path.write_text(text)


def _log_to_file(path: Path) -> None:
    """evadmin's log lines (one per API request) go to a file in the work directory, not the terminal."""
    import logging

    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setStream(path.open("a"))


# --- running --------------------------------------------------------------------------------------
def run_section(key: str, ctx: Context) -> SectionResult:
    import importlib

    started = time.monotonic()
    try:
        # The load test is bench/load.py's (`make load` too); bench/concurrency.py renders it.
        module = "bench.concurrency" if key == "load" else f"bench.{key}"
        result = importlib.import_module(module).run(ctx)
    except Exception as exc:  # one broken section must not lose the others' figures
        traceback.print_exc()
        result = SectionResult(key=key, title=TITLES[key], intro="")
        result.skipped.append(f"the section failed: {type(exc).__name__}: {str(exc)[:500]}")
    finally:
        ctx.close()
    result.seconds = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small scale: check the harness in a minute or two")
    parser.add_argument("--only", default="", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--output", default=str(REPO / "BENCHMARKS.md"))
    parser.add_argument("--keep-workdir", action="store_true", help="leave the work directory (logs) in place")
    args = parser.parse_args(argv)
    sections = [name.strip() for name in args.only.split(",") if name.strip()] or list(SECTIONS)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")

    workdir = Path(tempfile.mkdtemp(prefix="evadmin-bench-"))
    maintenance, db_note = _postgres_server()
    broker, cache, redis_note = _redis_urls()
    with contextlib.ExitStack() as cleanup:  # undone in reverse: connections, database, work directory
        if not args.keep_workdir:
            cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        database_url = f"sqlite:///{workdir / 'var' / 'evadmin.sqlite3'}"
        if maintenance:
            database_url = cleanup.enter_context(
                throwaway_postgres(maintenance, f"evadmin_bench_{os.getpid()}_{int(time.time())}"))
        env = {
            "DJANGO_SETTINGS_MODULE": "evadmin.settings.development",
            "EVADMIN_VAR_DIR": str(workdir / "var"),
            "EVADMIN_SANDBOX_DB": str(workdir / "var" / "sandbox-unused.sqlite3"),
            "EVADMIN_API_RATE_LIMIT_PER_HOUR": str(UNLIMITED_PER_HOUR),
            # Submitting a benchmark job needs no second operator's approval.
            "EVADMIN_BULK_APPROVAL_THRESHOLD": "1000000",
            "EVADMIN_BULK_MAX_ROWS": "100000",
            "CELERY_BROKER_URL": broker or "filesystem://",
            "EVADMIN_CELERY_BROKER_DIR": str(workdir / "broker"),
            "REDIS_URL": cache,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
        }
        os.environ.update(env)
        print(f"bench: work directory {workdir}\nbench: {db_note}\nbench: {redis_note}", flush=True)
        cleanup.callback(_close_connections)
        import django

        django.setup()
        _log_to_file(workdir / "evadmin.log")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        ctx = Context(workdir=workdir, quick=args.quick, database="postgresql" if maintenance else "sqlite",
                      redis_url=cache, services_note=f"{db_note}; {redis_note}")
        sha, date = commit(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        stamp = f"{date} at commit {sha}{' (quick mode)' if args.quick else ''}"
        results = []
        for key in sections:
            print(f"bench: {TITLES[key]} ...", flush=True)
            result = run_section(key, ctx)
            print(f"bench: {TITLES[key]} done in {result.seconds / 60:.1f} min"
                  + (f"; skipped: {result.skipped}" if result.skipped else ""), flush=True)
            results.append(result)
        command = "python -m bench.run" + (" --quick" if args.quick else "") + \
            (f" --only {','.join(sections)}" if args.only else "")
        blocks = {"header": render_header(machine(ctx), ctx=ctx, sha=sha, date=date, command=command, results=results)}
        blocks.update({result.key: render_section(result, stamp=stamp) for result in results})
        output = Path(args.output)
        write_output(output, blocks)
        print(f"bench: wrote {output}", flush=True)
    return 0


def _close_connections() -> None:
    """Django's connections to the throwaway database, closed before it is dropped."""
    from django.db import connections

    connections.close_all()


if __name__ == "__main__":
    sys.exit(main())
