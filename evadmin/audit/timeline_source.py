"""evadmin's own record as a source of the driver's timeline: every staff action on the driver (edits,
bulk changes, fixes), from the audit trail. Its own table: no request, always held."""

from __future__ import annotations

from django.urls import reverse

from evadmin.audit.models import AuditEvent
from evadmin.core.driver_page import NEUTRAL, TimelineEntry, TimelineSource

KIND = "evadmin"
NEWEST = 200  # the stream's reach into evadmin's record; the driver page's history pages through the rest


def _entries(user_id: str) -> list[TimelineEntry]:
    url = reverse("users:detail", args=[user_id]) + "#history"
    events = AuditEvent.objects.filter(target_user_id=user_id).order_by("-occurred_at", "-id")[:NEWEST]
    return [TimelineEntry(at=event.occurred_at, kind=KIND,
                          title=f"evadmin: {event.action} by {event.actor_username or 'the system'}",
                          detail=event.reason or ("bulk job " + event.job_ref if event.job_ref else ""),
                          url=url, tone=NEUTRAL)
            for event in events]


SOURCE = TimelineSource(kind=KIND, label="Changes made through evadmin", cost="none (evadmin's own record)",
                        peek=_entries, load=lambda user_id, refresh: _entries(user_id), order=10)
