"""Reading the audit trail."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from evadmin.audit.actions import KNOWN_ACTIONS
from evadmin.audit.models import AuditEvent


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(
    *,
    actor_username: str = "",
    action: str = "",
    target_user_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, narrowed by whichever filters are given (dates inclusive,
    in the site's time zone)."""
    events = AuditEvent.objects.select_related("actor").order_by("-id")
    if actor_username:
        events = events.filter(actor_username__iexact=actor_username)
    if action:
        events = events.filter(action=action)
    if target_user_id:
        events = events.filter(target_user_id=target_user_id)
    if date_from:
        events = events.filter(occurred_at__gte=_start_of_day(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_start_of_day(date_to + timedelta(days=1)))
    return events


def audit_action_names() -> list[str]:
    """Every action seen in the trail plus the known ones, for the filter's choices."""
    recorded = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(set(KNOWN_ACTIONS) | set(recorded))
