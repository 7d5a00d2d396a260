"""The driver's timeline: one stream, newest first, of what every registered source holds or loads
(evadmin/core/driver_page.py), filtered by kind and date. A source evadmin holds nothing of is listed
with what loading it costs; it is read only when the agent asks (`load`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from evadmin.core.driver_page import TimelineEntry, TimelineSource, timeline_sources
from evadmin.evenergy import errors

MAX_ENTRIES = 300  # one page of the stream: a driver's month is far fewer


@dataclass
class Timeline:
    entries: list[TimelineEntry] = field(default_factory=list)
    loaded: list[TimelineSource] = field(default_factory=list)
    # Each source not loaded, with why it could not be read (None: only not asked for yet).
    not_loaded: list[tuple[TimelineSource, errors.ApiError | None]] = field(default_factory=list)
    more: bool = False  # cut at MAX_ENTRIES

    @property
    def rows(self) -> list[tuple[TimelineEntry, str]]:
        """Each entry with the label of the source it came from, as the page names them."""
        labels = {source.kind: source.label for source in self.loaded}
        return [(entry, labels.get(entry.kind, entry.kind)) for entry in self.entries]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def driver_timeline(*, user_id: str, kinds: Collection[str] = (), since: date | None = None,
                    until: date | None = None, load: Collection[str] = (), refresh: bool = False) -> Timeline:
    """The stream of the sources in `kinds` (all when empty); each held one costs nothing, each in
    `load` its stated cost. Dates are whole UTC days, `until` included."""
    timeline = Timeline()
    entries: list[TimelineEntry] = []
    for source in timeline_sources():
        if kinds and source.kind not in kinds:
            continue
        try:
            found = source.load(user_id, refresh) if source.kind in load else source.peek(user_id)
        except errors.ApiError as exc:  # this source says why; the others stand
            timeline.not_loaded.append((source, exc))
            continue
        if found is None:
            timeline.not_loaded.append((source, None))
            continue
        timeline.loaded.append(source)
        entries.extend(found)
    if since:
        entries = [entry for entry in entries if entry.at >= _day_start(since)]
    if until:
        entries = [entry for entry in entries if entry.at < _day_start(until + timedelta(days=1))]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    timeline.entries, timeline.more = entries[:MAX_ENTRIES], len(entries) > MAX_ENTRIES
    return timeline
