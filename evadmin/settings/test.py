"""The test suite (pytest, and every process it starts: the sandbox, Celery workers, gunicorn):
development's settings, with the sandbox, plus knobs that exist for tests only."""

from .development import *  # noqa: F403
from .development import DATABASES, VAR_DIR, env

# SQLite test databases are files in var/ rather than in memory, so the processes a test starts
# (Celery workers) open the same database as the test.
DATABASES = {
    **DATABASES,
    "sandbox": {
        **DATABASES["sandbox"],
        "TEST": {"NAME": env.str("EVADMIN_SANDBOX_TEST_DB", default=str(VAR_DIR / "sandbox-test.sqlite3"))},
    },
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"] = {**DATABASES["default"], "TEST": {"NAME": str(VAR_DIR / "test-evadmin.sqlite3")}}

# Staff are created and signed in often (seven per test in places, a hash per sign-in attempt);
# PBKDF2's million rounds would dominate the run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test-only fault injection: raise right after the API answered 201 for these emails (comma list),
# before the outcome is committed (evadmin/bulk/run/engine.py). Never set in production.
EVADMIN_BULK_TEST_CRASH_AFTER_CREATE = env.list("EVADMIN_BULK_TEST_CRASH_AFTER_CREATE", cast=str.strip, default=[])
