"""`make run`: the shared settings plus the sandbox API (its app, its own database and the router that
keeps them apart) and evadmin/local_folders, which makes the folders SQLite, the file broker and
WhiteNoise expect when Django starts."""

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, VAR_DIR, env

INSTALLED_APPS = [*INSTALLED_APPS, "evadmin.sandbox", "evadmin.local_folders"]

# The sandbox API keeps its data in a separate SQLite file
# (its own process reads and writes it; see evadmin/sandbox/router.py).
DATABASES = {
    **DATABASES,
    "sandbox": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env.str("EVADMIN_SANDBOX_DB", default=str(VAR_DIR / "sandbox.sqlite3")),
        # The sandbox serves on threads: a write transaction takes the lock when it begins, so two
        # writes at once wait their turn (5 s) instead of one failing with "database is locked".
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5},
    },
}
DATABASE_ROUTERS = ["evadmin.sandbox.router.SandboxRouter"]

# --- The sandbox API (development and tests) ---------------------------------------------
EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR = env.int("EVADMIN_SANDBOX_RATE_LIMIT_PER_HOUR", default=1000)
EVADMIN_SANDBOX_TOKEN_LIFETIME = env.int("EVADMIN_SANDBOX_TOKEN_LIFETIME", default=36000)
