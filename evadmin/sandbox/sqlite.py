"""SQLite settings for the sandbox's own database when its process serves requests in threads."""

from django.db.backends.signals import connection_created

BUSY_TIMEOUT_MS = 20_000


def _tune(sender, connection, **kwargs):
    if connection.alias != "sandbox" or connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        # WAL lets readers run while one thread writes; busy_timeout makes writers queue, not fail.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")


def tune_sandbox_sqlite() -> None:
    connection_created.connect(_tune, dispatch_uid="evadmin.sandbox.sqlite")
