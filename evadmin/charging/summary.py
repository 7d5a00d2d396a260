"""Charging's part of the driver's summary strip: last night's result and the week's nights without a
session, from the charging panel's first page as evadmin last read it (newest first, so the last nights
are on it): never a request."""

from __future__ import annotations

from datetime import UTC

from django.urls import reverse

from evadmin.charging.selectors import newest_sub_sessions_seen, night_url, nights_seen
from evadmin.core.driver_page import OK, UNKNOWN, WARNING, SummaryPart
from evadmin.drivers.selectors import driver_zone_seen

LABEL = "Charging"
WEEK = 7  # the nights the strip looks back over for one without a session


def last_night_summary(user_id: str) -> SummaryPart:
    held = newest_sub_sessions_seen(user_id=user_id)
    if held is None:
        return SummaryPart(LABEL, "not known yet: the charging panel reads it (1 request)", UNKNOWN, known=False,
                           url=reverse("users:detail", args=[user_id]) + "#charging-heading", order=20)
    nights = nights_seen(held.value.items, driver_zone_seen(user_id=user_id) or UTC, week=WEEK)
    if not nights.by_night:
        return SummaryPart(LABEL, "no charging session recorded", WARNING,
                           url=reverse("users:detail", args=[user_id]) + "#charging-heading", order=20)
    last_night, gaps = nights.last_night, nights.gaps
    that_night = nights.by_night.get(last_night, [])
    if that_night:
        watt_hours = sum(sub.energy_delivered_watt_hours or 0 for sub in that_night)
        modes = ", ".join(sorted({sub.mode.lower() for sub in that_night if sub.mode}))
        words = f"last night {watt_hours / 1000:.1f} kWh" + (f" ({modes})" if modes else "")
        words += ", still charging" if any(not sub.is_finished for sub in that_night) else ""
        tone = OK if watt_hours else WARNING
    else:
        words, tone = f"no session last night ({last_night:%d %b})", WARNING
    if gaps:
        words += "; no session on the night of " + ", ".join(f"{night:%d %b}" for night in gaps)
        tone = WARNING
    focus = last_night if not that_night or not gaps else gaps[0]
    return SummaryPart(LABEL, words, tone, url=night_url(user_id, focus), order=20)
