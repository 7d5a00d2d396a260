"""The driver page's summary part for energy devices: read from what evadmin holds, never a request.

"solar array 4.2 kW; home battery 62 % (2 h ago)": the solar arrays and home batteries held (the panels'
reads), the HEM systems when held. "none" once every kind has been read empty; "not known yet" with its
cost while evadmin holds none of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from evadmin.core.driver_page import NEUTRAL, OK, UNKNOWN, WARNING, SummaryPart
from evadmin.energy.selectors import hem_systems_seen, home_batteries_seen, inverters_seen, solar_arrays_seen
from evadmin.evenergy.energy import kilowatts

LABEL, ORDER = "Energy devices", 70
NOT_KNOWN = "not known yet: open the energy panels (1 request each)"
# A battery not heard from for longer than this is worth a look.
STALE_AFTER = timedelta(hours=6)


def ago(moment: datetime, now: datetime | None = None) -> str:
    """"just now", "25 min ago", "2 h ago", "3 days ago"."""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{count} {word}s"


def energy_summary(user_id: str) -> SummaryPart:
    url = "#energy"
    reads = {"solar arrays": solar_arrays_seen(user_id=user_id), "inverters": inverters_seen(user_id=user_id),
             "home batteries": home_batteries_seen(user_id=user_id), "HEM systems": hem_systems_seen(user_id=user_id)}
    if all(read is None for read in reads.values()):
        return SummaryPart(LABEL, NOT_KNOWN, UNKNOWN, known=False, url=url, order=ORDER)
    parts, tone = [], OK
    arrays = reads["solar arrays"].value if reads["solar arrays"] else []
    if arrays:
        total = sum(array.capacity_watts or 0 for array in arrays)
        parts.append(f"{_plural(len(arrays), 'solar array')} {kilowatts(total)}")
    for battery in reads["home batteries"].value if reads["home batteries"] else []:
        latest = battery.latest_status_log
        if latest is None or latest.state_of_charge_percentage is None:
            parts.append("home battery, no state reported")
            tone = WARNING
            continue
        when = f" ({ago(latest.sampled_at)})" if latest.sampled_at else ""
        parts.append(f"home battery {latest.state_of_charge_percentage} %{when}")
        if latest.status == "FAULT" or (latest.sampled_at and timezone.now() - latest.sampled_at > STALE_AFTER):
            tone = WARNING
    if not arrays and reads["inverters"] and reads["inverters"].value:
        parts.append(_plural(len(reads["inverters"].value), "inverter"))
    if reads["HEM systems"] and reads["HEM systems"].value:
        parts.append(_plural(len(reads["HEM systems"].value), "HEM system"))
    unread = [kind for kind, read in reads.items() if read is None]
    if not parts:
        if not unread:
            return SummaryPart(LABEL, "none", NEUTRAL, url=url, order=ORDER)
        return SummaryPart(LABEL, f"none so far; not known yet: {', '.join(unread)} (1 request each)", NEUTRAL,
                           url=url, order=ORDER)
    return SummaryPart(LABEL, "; ".join(parts), tone, url=url, order=ORDER)
