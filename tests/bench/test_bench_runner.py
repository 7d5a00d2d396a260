"""The benchmark runner end to end at its smallest: `python -m bench.run --quick --only preview`.

It runs as `make bench` would (a subprocess with its own work directory, sandbox and database:
a throwaway one on the suite's PostgreSQL server when DATABASE_URL names one, else SQLite), so
this checks the harness, not figures: the markdown has the run's header (machine, versions,
commit), the section's table with its reproducing command, and the sections not run are kept.
"""

import os
import subprocess
import sys

from tests.worker import REPO

KEPT_LOAD_SECTION = "<!-- bench:load:start -->\n## 5. Concurrency\n\nfigures from an earlier run\n<!-- bench:load:end -->"


def test_a_quick_preview_run_rewrites_its_section_and_keeps_the_others(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    output.write_text(f"# Benchmarks\n\n{KEPT_LOAD_SECTION}\n")
    env = {**os.environ, "EVADMIN_VAR_DIR": str(tmp_path / "var"),
           # No Redis: the runner would flush the databases it is given.
           "CELERY_BROKER_URL": "filesystem://", "REDIS_URL": ""}
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"  # don't probe for a server
    done = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--only", "preview", "--output", str(output)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]

    text = output.read_text()
    header = text.split("<!-- bench:header:start -->")[1].split("<!-- bench:header:end -->")[0]
    for field in ("| Commit |", "| Date |", "| CPU |", "| Cores |", "| RAM |", "| Python |", "| PostgreSQL |",
                  "| Redis |", "`python -m bench.run --quick --only preview`"):
        assert field in header, field
    expected_database = "PostgreSQL (DATABASE_URL)" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    assert expected_database in header

    preview = text.split("<!-- bench:preview:start -->")[1].split("<!-- bench:preview:end -->")[0]
    rows = [line for line in preview.splitlines() if line.startswith("| 5,000 |")]
    assert len(rows) == 1, preview
    assert "`python -m bench.run --only preview --quick`" in rows[0]
    assert "goal < 200 MB" in rows[0]
    assert KEPT_LOAD_SECTION in text
    bulk = text.split("<!-- bench:bulk:start -->")[1].split("<!-- bench:bulk:end -->")[0]
    assert "Not measured yet: `python -m bench.run --only bulk`" in bulk
