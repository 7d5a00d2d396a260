"""Editing the audit table behind the app's back, as an attacker with database access would."""

from django.db import connection

from evadmin.audit.models import AuditEvent


def tamper(sql: str, params: list | None = None) -> None:
    """Run `sql` ({table} is the audit events table) with the append-only triggers bypassed.

    On PostgreSQL only a superuser can do this: session_replication_role=replica stops
    ordinary triggers from firing (https://www.postgresql.org/docs/current/runtime-config-client.html).
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql.format(table=table), params or [])
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
