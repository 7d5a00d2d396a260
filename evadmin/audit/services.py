"""Writing and checking the audit trail."""

import logging
import time
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from evadmin.audit.hashing import event_hash, json_normalise
from evadmin.audit.models import GENESIS_HASH, AuditChainCheck, AuditChainHead, AuditEvent
from evadmin.core.middleware import client_ip, current_request_id

logger = logging.getLogger(__name__)

CHAIN_HEAD_ID = 1
_MAX_USERNAME = AuditEvent._meta.get_field("actor_username").max_length


def _lock_chain_head() -> AuditChainHead:
    """Lock the chain head for this transaction and return it.

    The first statement must be a write: on SQLite a read alone would not take the write
    lock (two writers could read the same head), on PostgreSQL the UPDATE takes the row lock.
    """
    if AuditChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(appends=F("appends") + 1):
        return AuditChainHead.objects.select_for_update().get(pk=CHAIN_HEAD_ID)
    # First append ever (or after a test flush): start from the newest event, if any.
    newest = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(pk=CHAIN_HEAD_ID, last_hash=newest or GENESIS_HASH, appends=1)
    except IntegrityError:  # another writer created it first; now queue behind it
        AuditChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(appends=F("appends") + 1)
        return AuditChainHead.objects.select_for_update().get(pk=CHAIN_HEAD_ID)


def audit_record(
    *,
    actor,
    action: str,
    target_user_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    job_ref: str | int | None = None,
    ticket_ref: str | None = None,
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    `actor` is the staff member responsible (for Celery jobs, whoever started the job), or
    None for events with no signed-in person (a failed sign-in). Client IP and request id
    come from `request` when given. Runs inside the caller's transaction if there is one,
    so an event commits or rolls back with the change it describes.
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    request_id = getattr(request, "request_id", "") if request is not None else current_request_id()
    # A write done for a support ticket carries it by itself: the view doing it sets request.ticket_ref
    # (evadmin/tickets/working.py), so no service has to pass it along.
    ticket_ref = ticket_ref or getattr(request, "ticket_ref", None)
    with transaction.atomic():
        head = _lock_chain_head()
        event = AuditEvent(
            occurred_at=timezone.now().astimezone(UTC),
            actor=actor,
            actor_username=(actor.get_username() if actor else "")[:_MAX_USERNAME],
            action=action,
            target_user_id=str(target_user_id or ""),
            before=json_normalise(before),
            after=json_normalise(after),
            client_ip=client_ip(request) if request is not None else None,
            request_id=request_id or "",
            reason=reason or "",
            job_ref=None if job_ref is None else str(job_ref),
            ticket_ref=ticket_ref or None,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(last_hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    events_checked: int
    first_broken_event_id: int | None = None
    problem: str = ""


# Events hashed per query. Keyset chunks keep memory flat however long the trail is, and hold
# no cursor or transaction open between chunks (unlike a server-side cursor).
VERIFY_CHUNK_SIZE = 2000


def audit_verify_chain() -> ChainVerification:
    """Walk the trail oldest first, recomputing each hash and link.

    Reports the first event whose content no longer matches its hash (edited), or whose
    prev_hash does not match the event before it (an event removed or inserted).
    """
    previous_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:VERIFY_CHUNK_SIZE])
        for event in chunk:
            if event.prev_hash != previous_hash:
                return ChainVerification(False, checked, event.pk, "does not link to the event before it")
            if event_hash(event) != event.hash:
                return ChainVerification(False, checked, event.pk, "content does not match its hash")
            previous_hash = event.hash
            checked += 1
        if len(chunk) < VERIFY_CHUNK_SIZE:
            break
        last_id = chunk[-1].pk
    head_hash = AuditChainHead.objects.filter(pk=CHAIN_HEAD_ID).values_list("last_hash", flat=True).first()
    if (checked or head_hash is not None) and head_hash != previous_hash:
        # The newest events were removed (or all of them: a head but no events), or the head
        # was tampered with. No head and no events is a trail nothing was recorded in yet.
        return ChainVerification(False, checked, None, "chain head does not match the newest event")
    return ChainVerification(True, checked)


def audit_chain_check() -> AuditChainCheck:
    """Verify the chain, store the result, and raise the alarm if it is broken.

    The alarm: a CRITICAL log line every time, a mail to ADMINS when the break is new (not
    the same break the previous check already reported), and the stored check, which keeps
    the banner on every auditor's and admin's page until a later check passes.
    """
    previous = AuditChainCheck.objects.order_by("-checked_at", "-id").first()
    started = time.monotonic()
    result = audit_verify_chain()
    check = AuditChainCheck.objects.create(
        checked_at=timezone.now(),
        ok=result.ok,
        events_checked=result.events_checked,
        first_broken_event_id=result.first_broken_event_id,
        problem=result.problem,
        duration_seconds=time.monotonic() - started,
    )
    if result.ok:
        logger.info("%s", check.describe())
        return check
    logger.critical("%s", check.describe())
    already_reported = (
        previous is not None and not previous.ok
        and (previous.first_broken_event_id, previous.problem) == (result.first_broken_event_id, result.problem)
    )
    if not already_reported:
        mail_admins(
            "Audit trail tampering detected",
            f"{check.describe()}.\n\nChecked at {check.checked_at:%Y-%m-%d %H:%M:%S} UTC. The audit trail was "
            "changed outside evadmin. Run `python manage.py verifyaudit` to confirm, and investigate "
            "who had write access to the database.",
            fail_silently=True,  # the log line and the banner still raise the alarm if mail is down
        )
    return check


def audit_diff(before: dict | None, after: dict | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what changed between two versions, nested dicts flattened to dotted keys.

    audit_diff({"name": "A", "default_location": {"city": "Leeds"}},
               {"name": "A", "default_location": {"city": "York"}})
    == ({"default_location.city": "Leeds"}, {"default_location.city": "York"})
    A key present on one side only appears on that side only.
    """
    flat_before, flat_after = flatten(before or {}), flatten(after or {})
    before_changed = {key: value for key, value in flat_before.items() if flat_after.get(key, _MISSING) != value}
    after_changed = {key: value for key, value in flat_after.items() if flat_before.get(key, _MISSING) != value}
    return before_changed, after_changed


_MISSING = object()


def flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}. Lists are values, compared whole."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, prefix=f"{dotted}."))
        else:
            flat[dotted] = value
    return flat
