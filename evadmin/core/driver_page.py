"""What the driver's page gathers from the apps that know something about a driver, without importing them.

Each app registers, in its AppConfig.ready, a part of the summary strip and the timeline sources it
has. The drivers app renders them; it never imports the apps (they import this module).

A summary part reads only what evadmin already holds (the read cache's fresh or last copies, its own
tables): the strip costs no API request, and says when a part is not known yet and what would make it
known (opening a panel, at its cost). A timeline source reads what evadmin holds without a request
(`peek`), and loads on request (`load`, at its stated `cost`): the timeline lists the sources not
loaded yet with that cost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)

# The event a panel's response announces (HX-Trigger) once it has loaded: the strip re-reads what
# evadmin now holds (no request).
PANEL_LOADED = "driver-panel-loaded"

# Tones a strip part or timeline entry takes (CSS classes of the badge beside it).
OK, NEUTRAL, WARNING, PROBLEM, UNKNOWN = "ok", "neutral", "warning", "problem", "unknown"


@dataclass(frozen=True)
class SummaryPart:
    label: str  # "Notifications"
    text: str  # "switched off: charging reminders" / "not loaded yet: open the panel (1 request)"
    tone: str = NEUTRAL
    known: bool = True  # False: evadmin holds nothing of it yet
    url: str = ""  # the panel's anchor or the page with the detail
    order: int = 100  # left to right
    url_permission: str = ""  # "app.codename" the detail's page needs: without it the part shows no link


# (user_id) -> the part, or None when the app has nothing to say of this driver. Never a request.
SummaryReader = Callable[[str], SummaryPart | None]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # aware
    kind: str  # the source's kind
    title: str
    detail: str = ""
    url: str = ""  # the entry's detail
    tone: str = NEUTRAL


@dataclass(frozen=True)
class TimelineSource:
    kind: str  # "notifications": the filter's value
    label: str  # "Notifications sent"
    cost: str  # "1 request", "none (evadmin's own records)"
    # (user_id) -> the entries evadmin already holds, or None when it holds none: never a request.
    peek: Callable[[str], Sequence[TimelineEntry] | None]
    # (user_id, refresh) -> the entries, reading the API at `cost`; raises evenergy's ApiError.
    load: Callable[[str, bool], Sequence[TimelineEntry]]
    order: int = 100


_summary_readers: dict[SummaryReader, str] = {}  # reader -> its part's label (named even when it fails)
_timeline_sources: dict[str, TimelineSource] = {}


def register_summary_part(reader: SummaryReader, *, label: str) -> None:
    _summary_readers[reader] = label


def register_timeline_source(source: TimelineSource) -> None:
    _timeline_sources[source.kind] = source


def summary_readers() -> tuple[SummaryReader, ...]:
    return tuple(_summary_readers)


def timeline_sources() -> tuple[TimelineSource, ...]:
    return tuple(sorted(_timeline_sources.values(), key=lambda source: (source.order, source.kind)))


def summary_parts(user_id: str) -> list[SummaryPart]:
    """Every app's part for this driver, left to right. A part whose reader fails says so: the strip
    and the page stand."""
    parts = []
    for reader, label in _summary_readers.items():
        try:
            part = reader(user_id)
        except Exception:  # one app's bug must not take the driver's page down
            logger.exception("summary part %s failed", getattr(reader, "__qualname__", reader))
            part = SummaryPart(label, "could not be read (logged for the developers)", UNKNOWN, known=False, order=999)
        if part is not None:
            parts.append(part)
    return sorted(parts, key=lambda part: part.order)


def announce_panel_loaded(response):
    """Mark a driver-page panel's response so the summary strip re-reads what evadmin now holds."""
    response["HX-Trigger"] = PANEL_LOADED
    return response
