"""On PostgreSQL, the database itself refuses to change or remove audit events.

The model and queryset already refuse UPDATE and DELETE (evadmin/audit/models.py); these
triggers also stop raw SQL and other programs sharing the database. A superuser can still
switch triggers off, which is why `verifyaudit` and the periodic check recompute the chain.

TRUNCATE is deliberately not refused: Django's `flush` (run by pytest-django after every
transactional and live-server test) empties all tables with one TRUNCATE, and a trigger
refusing it would make that statement, and so the suite, fail. TRUNCATE needs the table
owner's privilege, and the chain head check below still reports a truncated trail unless
the head is removed with it.

SQLite gets no triggers: it is the single-user development database.
"""

from django.db import migrations

EVENTS = "audit_auditevent"
HEAD = "audit_auditchainhead"

CREATE = f"""
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {EVENTS}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

-- The head only ever moves forward to the newest event (audit_record updates it right after
-- inserting that event), so it cannot be rewound to hide removed events; it is never deleted.
CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'the audit chain head cannot be removed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.last_hash IS DISTINCT FROM OLD.last_hash AND NEW.last_hash IS DISTINCT FROM
            (SELECT hash FROM {EVENTS} ORDER BY id DESC LIMIT 1) THEN
        RAISE EXCEPTION 'the audit chain head can only move to the newest event'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_chain_head_forward_only
    BEFORE UPDATE OR DELETE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_chain_head_forward_only ON {HEAD};
DROP FUNCTION IF EXISTS audit_chain_head_guard();
DROP TRIGGER IF EXISTS audit_event_append_only ON {EVENTS};
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the SQL's % are not placeholders

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
