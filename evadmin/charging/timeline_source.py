"""Charging's source of the driver's timeline: the charging panel's first page of sub-sessions (newest
first), each linking to its page. Held: that page as evadmin last read it; loading it is its one request."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.urls import reverse

from evadmin.charging import words
from evadmin.charging.selectors import (
    newest_sub_sessions_seen,
    night_url,
    night_window,
    nights_seen,
    sub_session_list_page,
)
from evadmin.core.driver_page import OK, WARNING, TimelineEntry, TimelineSource
from evadmin.drivers.selectors import driver_zone_seen
from evadmin.evenergy.pagination import CursorPage

KIND = "charging"
NIGHT_ENTRY_AFTER_NOON = timedelta(hours=6)  # a night without a session is placed at 18:00 local, its evening


def _entries(user_id: str, page: CursorPage) -> list[TimelineEntry]:
    zone = driver_zone_seen(user_id=user_id) or UTC
    # A night of the week without a session is an event too (the offline-charger night): its page says why.
    entries = [TimelineEntry(at=night_window(night, zone)[0] + NIGHT_ENTRY_AFTER_NOON, kind=KIND,
                             title=f"No charging session on the night of {night:%d %b}",
                             detail="the night's page says why", url=night_url(user_id, night), tone=WARNING)
               for night in nights_seen(page.items, zone).gaps]
    for sub in page.items:
        if sub.start is None:
            continue
        energy = sub.energy_delivered_watt_hours
        delivered = f"{energy / 1000:.1f} kWh" if energy is not None else "energy not known"
        state = "still charging" if not sub.is_finished else f"ended {sub.end:%d %b %H:%M}"
        entries.append(TimelineEntry(
            at=sub.start, kind=KIND, title=f"Charging: {words.mode_words(sub.mode)}, {delivered}", detail=state,
            url=reverse("charging:sub_session", args=[user_id, sub.id]), tone=OK if energy else WARNING))
    return entries


def peek(user_id: str) -> list[TimelineEntry] | None:
    held = newest_sub_sessions_seen(user_id=user_id)
    return _entries(user_id, held.value) if held else None


def load(user_id: str, refresh: bool) -> list[TimelineEntry]:
    return _entries(user_id, sub_session_list_page(user_id=user_id, filters={}, refresh=refresh).value)


SOURCE = TimelineSource(kind=KIND, label="Charging sub-sessions (the newest page)", cost="1 request",
                        peek=peek, load=load, order=20)
