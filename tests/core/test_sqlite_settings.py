"""The embedded SQLite default is set up for several processes (web, worker, beat) at once."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRAGMAS = (
    "from django.db import connection\n"
    "cursor = connection.cursor()\n"
    "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], cursor.execute('PRAGMA synchronous').fetchone()[0])\n"
)


def test_sqlite_default_runs_in_wal_mode_without_a_disk_flush_per_commit(tmp_path: Path):
    # A fresh process on the embedded defaults (CI's own run uses PostgreSQL).
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["EVADMIN_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRAGMAS], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert result.stdout.split()[-2:] == ["wal", "1"]  # synchronous 1 = NORMAL
