"""The periodic chain verification and its alarm: log, mail to ADMINS, banner until a pass."""

import logging

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from evadmin.audit.models import AuditChainCheck
from evadmin.audit.services import audit_record
from evadmin.audit.tasks import audit_chain_check
from evadmin.celery import app
from tests.audit.tampering import tamper
from tests.processes import wait_for
from tests.staff.fixtures import make_staff

BANNER = "The audit trail has been tampered with."


@pytest.fixture
def events(db):
    actor = make_staff("support")
    return [audit_record(actor=actor, action="user.update", target_user_id=f"u-{n}", after={"n": n}) for n in range(4)]


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Security desk", "security@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _critical(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno == logging.CRITICAL]


def test_beat_runs_the_check_on_the_configured_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-verify-chain"]
    assert entry["task"] == "audit.verify_chain" == audit_chain_check.name
    assert entry["schedule"] == settings.EVADMIN_AUDIT_VERIFY_MINUTES * 60 == 3600
    assert "audit.verify_chain" in app.tasks


def test_an_intact_chain_raises_no_alarm(events, admins, caplog, client_as):
    audit_chain_check()
    check = AuditChainCheck.objects.get()
    assert (check.ok, check.events_checked) == (True, 4)
    assert _critical(caplog) == []
    assert mail.outbox == []
    assert BANNER not in client_as("auditor").get(reverse("audit:trail")).text


def test_a_tampered_chain_raises_the_alarm_until_a_later_check_passes(events, admins, caplog, client_as):
    clients = {role: client_as(role) for role in ("auditor", "admin", "viewer")}
    edited = events[2]
    tamper("UPDATE {table} SET reason = %s WHERE id = %s", ["covered up", edited.pk])
    audit_chain_check()

    naming = f"audit chain broken at event {edited.pk}: content does not match its hash (2 events before it intact)"
    assert _critical(caplog) == [naming]
    [alarm] = mail.outbox
    assert alarm.to == ["security@example.com"]
    assert "tampering" in alarm.subject
    assert naming in alarm.body
    check = AuditChainCheck.objects.get()
    assert (check.ok, check.first_broken_event_id) == (False, edited.pk)

    for role in ("auditor", "admin"):
        page = clients[role].get(reverse("audit:trail")).text
        assert BANNER in page
        assert f"event {edited.pk}" in page
    # Staff who cannot read the trail are not shown it either.
    assert BANNER not in clients["viewer"].get(reverse("directory:locations")).text

    # The next run still fails: logged again, but the admins are not mailed twice for the same break.
    caplog.clear()
    audit_chain_check()
    assert _critical(caplog) == [naming]
    assert len(mail.outbox) == 1

    tamper("UPDATE {table} SET reason = %s WHERE id = %s", ["", edited.pk])  # put back as it was
    audit_chain_check()
    assert AuditChainCheck.objects.order_by("-id").first().ok
    assert BANNER not in clients["auditor"].get(reverse("audit:trail")).text


def test_removed_newest_events_are_reported_as_a_broken_chain_head(events, admins, caplog):
    tamper("DELETE FROM {table} WHERE id = %s", [events[-1].pk])
    audit_chain_check()
    assert _critical(caplog) == [
        "audit chain broken at chain head: chain head does not match the newest event (3 events before it intact)"
    ]
    assert len(mail.outbox) == 1


@pytest.mark.worker
def test_a_real_worker_runs_the_check_and_raises_the_alarm(celery_worker_process, transactional_db, client_as):
    actor = make_staff("support")
    events = [audit_record(actor=actor, action="user.update", target_user_id=f"u-{n}") for n in range(3)]
    tamper("UPDATE {table} SET target_user_id = %s WHERE id = %s", ["someone-else", events[0].pk])
    audit_chain_check.delay()

    wait_for(AuditChainCheck.objects.exists, timeout=30,
             message=lambda: "no check stored; worker log:\n" + celery_worker_process.output()[-2000:])
    check = AuditChainCheck.objects.get()
    assert (check.ok, check.first_broken_event_id) == (False, events[0].pk)
    naming = f"audit chain broken at event {events[0].pk}: content does not match its hash"
    wait_for(lambda: any("CRITICAL" in line and naming in line for line in celery_worker_process.log), timeout=10,
             message=lambda: "no CRITICAL line; worker log:\n" + celery_worker_process.output()[-2000:])
    assert BANNER in client_as("auditor").get(reverse("audit:trail")).text
