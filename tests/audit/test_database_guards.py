"""On PostgreSQL the database itself refuses to change or remove audit events."""

import pytest
from django.core.management import ManagementUtility
from django.db import DatabaseError, connection, transaction

from evadmin.audit.models import AuditChainHead, AuditEvent, AuditTrailImmutableError
from evadmin.audit.services import audit_record, audit_verify_chain
from tests.conftest import require_service
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL=postgres://...): the append-only triggers exist only there")


@pytest.fixture
def events():
    actor = make_staff("support")
    return [audit_record(actor=actor, action="user.update", target_user_id=f"u-{n}", after={"n": n}) for n in range(3)]


def _sql(sql: str, params: list | None = None) -> None:
    # A savepoint, so the test's transaction stays usable after the refused statement.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_raw_update_and_delete_of_an_event_are_refused(postgresql, events):
    target = events[1]
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        _sql(f"UPDATE {EVENTS} SET reason = %s WHERE id = %s", ["rewritten", target.pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE"):
        _sql(f"DELETE FROM {EVENTS} WHERE id = %s", [target.pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE"):
        _sql(f"DELETE FROM {EVENTS}")
    assert AuditEvent.objects.get(pk=target.pk).reason == ""
    assert AuditEvent.objects.count() == 3
    assert audit_verify_chain().ok


def test_the_chain_head_cannot_be_removed_or_rewound(postgresql, events):
    with pytest.raises(DatabaseError, match="cannot be removed"):
        _sql(f"DELETE FROM {HEAD}")
    # Rewinding the head to an older event would hide the newest events once they were removed.
    with pytest.raises(DatabaseError, match="only move to the newest event"):
        _sql(f"UPDATE {HEAD} SET last_hash = %s", [events[0].hash])
    assert AuditChainHead.objects.get().last_hash == events[-1].hash
    # Appending still moves it forward.
    newest = audit_record(actor=None, action="user.update")
    assert AuditChainHead.objects.get().last_hash == newest.hash


def test_a_superuser_edit_with_the_trigger_disabled_is_named_by_verifyaudit(postgresql, events, capsys):
    target = events[1]
    with connection.cursor() as cursor:
        # The events' deferred foreign-key checks must run first: ALTER TABLE refuses pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {EVENTS} DISABLE TRIGGER audit_event_append_only")
        cursor.execute(f"UPDATE {EVENTS} SET reason = %s WHERE id = %s", ["nothing to see", target.pk])
        cursor.execute(f"ALTER TABLE {EVENTS} ENABLE TRIGGER audit_event_append_only")
    with pytest.raises(DatabaseError, match="append-only"):  # on again
        _sql(f"UPDATE {EVENTS} SET reason = '' WHERE id = %s", [target.pk])

    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "verifyaudit"]).execute()
    assert excinfo.value.code == 1
    assert f"audit chain broken at event {target.pk}: content does not match its hash" in capsys.readouterr().err


def test_the_triggers_exist_on_postgresql_only(events):
    """SQLite, the development database, relies on the model's guards (tests/audit/test_models.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgname LIKE 'audit_%%'"
            )
            expected = [(HEAD, "audit_chain_head_forward_only"), (EVENTS, "audit_event_append_only")]
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            expected = []
        assert sorted(cursor.fetchall()) == expected
    with pytest.raises(AuditTrailImmutableError):
        AuditEvent.objects.filter(pk=events[0].pk).update(reason="x")
    with pytest.raises(AuditTrailImmutableError):
        events[0].delete()
