"""The rebates' source of the driver's timeline: each application started, with where it stands now,
linking to it in the Rebates panel. Held: the panel's read; loading is that read (1 request).

The API gives an application no dates but its id's time, and no history of its status: an entry says
when it was started and what its status is now."""

from __future__ import annotations

from django.urls import reverse

from evadmin.core.driver_page import NEUTRAL, WARNING, TimelineEntry, TimelineSource
from evadmin.evenergy.rebates import UserRebate
from evadmin.rebates.selectors import driver_rebates, driver_rebates_seen

KIND = "rebates"


def _entries(user_id: str, applications: list[UserRebate]) -> list[TimelineEntry]:
    panel = reverse("rebates:panel", args=[user_id])
    return [TimelineEntry(at=application.created_at, kind=KIND,
                          title=f"Rebate application started: "
                                f"{application.rebate_type.title if application.rebate_type else 'no rebate chosen'}",
                          detail=f"Now {application.status_label.lower()}. {application.next_step}",
                          url=f"{panel}#rebate-{application.id}", tone=WARNING if application.in_review else NEUTRAL)
            for application in applications if application.created_at]


def peek(user_id: str) -> list[TimelineEntry] | None:
    seen = driver_rebates_seen(user_id=user_id)
    return _entries(user_id, seen.value) if seen is not None else None


def load(user_id: str, refresh: bool) -> list[TimelineEntry]:
    return _entries(user_id, driver_rebates(user_id=user_id, refresh=refresh).value)


SOURCE = TimelineSource(kind=KIND, label="Rebate applications", cost="1 request", peek=peek, load=load, order=60)
