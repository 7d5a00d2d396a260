"""Writing and checking the audit trail."""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from evadmin.audit.hashing import event_hash, json_normalise
from evadmin.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from evadmin.core.middleware import client_ip, current_request_id

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


def audit_verify_chain() -> ChainVerification:
    """Walk the trail oldest first, recomputing each hash and link.

    Reports the first event whose content no longer matches its hash (edited), or whose
    prev_hash does not match the event before it (an event removed or inserted).
    """
    previous_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous_hash:
            return ChainVerification(False, checked, event.pk, "does not link to the event before it")
        if event_hash(event) != event.hash:
            return ChainVerification(False, checked, event.pk, "content does not match its hash")
        previous_hash = event.hash
        checked += 1
    head_hash = AuditChainHead.objects.filter(pk=CHAIN_HEAD_ID).values_list("last_hash", flat=True).first()
    if checked and head_hash != previous_hash:
        # The newest events were removed, or the head was tampered with.
        return ChainVerification(False, checked, None, "chain head does not match the newest event")
    return ChainVerification(True, checked)


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
