from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.test import RequestFactory

from evadmin.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from evadmin.audit.services import audit_diff, audit_record, audit_verify_chain
from evadmin.core.middleware import REQUEST_ID_HEADER
from tests.audit.tampering import tamper
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db


def _record_some(count: int = 4) -> list[AuditEvent]:
    actor = make_staff("support")
    return [
        audit_record(actor=actor, action="user.update", target_user_id=f"u-{n}", before={"n": n}, after={"n": n + 1})
        for n in range(count)
    ]


def test_record_takes_ip_and_request_id_from_the_request():
    request = RequestFactory().get("/", headers={REQUEST_ID_HEADER: "abc"}, REMOTE_ADDR="192.0.2.7")
    request.request_id = "abc"
    actor = make_staff("support")
    event = audit_record(
        actor=actor, action="user.create", target_user_id=123, after={"name": "Ada"},
        reason="customer asked", request=request, job_ref=77,
    )
    event.refresh_from_db()
    assert (event.actor, event.actor_username, event.action) == (actor, "support-member", "user.create")
    assert (event.client_ip, event.request_id) == ("192.0.2.7", "abc")
    assert (event.target_user_id, event.job_ref, event.reason) == ("123", "77", "customer asked")
    assert event.before is None
    assert event.after == {"name": "Ada"}
    assert event.prev_hash == GENESIS_HASH
    assert len(event.hash) == 64


def test_events_form_a_chain():
    events = _record_some(3)
    assert [event.prev_hash for event in events[1:]] == [event.hash for event in events[:-1]]
    assert AuditChainHead.objects.get().last_hash == events[-1].hash
    result = audit_verify_chain()
    assert result.ok
    assert result.events_checked == 3


def test_values_json_cannot_hold_natively_are_stored_so_the_hash_still_verifies():
    event = audit_record(
        actor=None, action="user.update", before={"when": date(2024, 5, 1), "kwh": Decimal("1.50"), "ids": (1, 2)}
    )
    event.refresh_from_db()
    assert event.before == {"when": "2024-05-01", "kwh": "1.50", "ids": [1, 2]}
    assert audit_verify_chain().ok


def test_empty_trail_verifies():
    result = audit_verify_chain()
    assert result.ok
    assert result.events_checked == 0


def test_an_edit_behind_the_apps_back_is_found_and_named():
    events = _record_some(4)
    tamper("UPDATE {table} SET reason = %s WHERE id = %s", ["nothing to see", events[1].pk])
    result = audit_verify_chain()
    assert not result.ok
    assert result.first_broken_event_id == events[1].pk
    assert result.events_checked == 1
    assert "hash" in result.problem


def test_an_edit_to_json_content_is_found():
    events = _record_some(3)
    tamper("UPDATE {table} SET after = %s WHERE id = %s", ['{"n": 999}', events[2].pk])
    assert audit_verify_chain().first_broken_event_id == events[2].pk


def test_a_deleted_event_breaks_the_link_of_the_next_one():
    events = _record_some(4)
    tamper("DELETE FROM {table} WHERE id = %s", [events[1].pk])
    result = audit_verify_chain()
    assert not result.ok
    assert result.first_broken_event_id == events[2].pk
    assert "link" in result.problem


def test_removing_the_newest_events_is_found_through_the_chain_head():
    events = _record_some(3)
    tamper("DELETE FROM {table} WHERE id = %s", [events[-1].pk])
    result = audit_verify_chain()
    assert not result.ok
    assert result.first_broken_event_id is None
    assert "head" in result.problem


def test_verifyaudit_command_exit_codes():
    _record_some(2)
    out = StringIO()
    call_command("verifyaudit", stdout=out)
    assert out.getvalue().strip() == "audit chain intact: 2 events"

    broken = AuditEvent.objects.order_by("id").first()
    tamper("UPDATE {table} SET actor_username = %s WHERE id = %s", ["someone-else", broken.pk])
    with pytest.raises(CommandError, match=f"event {broken.pk}") as excinfo:
        call_command("verifyaudit")
    assert excinfo.value.returncode == 1


def test_verifyaudit_exits_1_from_the_shell():
    """The exit status as cron or CI sees it (call_command raises instead of exiting)."""
    _record_some(1)
    tamper("UPDATE {table} SET reason = %s", ["tampered"])
    with pytest.raises(SystemExit) as excinfo:
        ManagementUtility(["manage.py", "verifyaudit"]).execute()
    assert excinfo.value.code == 1


def test_audit_diff_keeps_only_changed_keys_with_dotted_names():
    before = {"name": "Ada", "email": "a@x.io", "default_location": {"city": "Leeds", "postcode": "LS1"}}
    after = {"name": "Ada", "email": "b@x.io", "default_location": {"city": "York", "postcode": "LS1"}}
    assert audit_diff(before, after) == (
        {"email": "a@x.io", "default_location.city": "Leeds"},
        {"email": "b@x.io", "default_location.city": "York"},
    )


def test_audit_diff_handles_added_removed_and_none():
    assert audit_diff({"a": 1, "gone": 2}, {"a": 1, "new": 3}) == ({"gone": 2}, {"new": 3})
    assert audit_diff(None, {"a": {"b": None}}) == ({}, {"a.b": None})
    assert audit_diff({"tags": [1, 2]}, {"tags": [1, 2]}) == ({}, {})
    assert audit_diff({"x": None}, {}) == ({"x": None}, {})
