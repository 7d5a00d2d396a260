"""Typed carbon and grid resources: carbon feeds and their intensities (gCO2/kWh per interval), grid
feeds and their levels (1-100: above 50 discourages charging, below encourages it, 50 is neutral).

How a driver's location relates to a feed: the spec gives the Location no feed field and the feed
lists no filter by postcode, coordinates or region; it gives the Location (read alone) its
`current_carbon_intensity_grams_per_kilowatt_hour`, and a charging sub-session the `carbon_feed` and
`grid_feeds` used for that driver's charging. evadmin reads the feed from the driver's sub-sessions.
Feed names are API text: pages show them escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from evadmin.evenergy.typed import ApiObject


@dataclass
class CarbonFeed(ApiObject):
    id: str = ""
    url: str = ""
    name: str = ""


@dataclass
class GridFeed(ApiObject):
    id: str = ""
    url: str = ""
    name: str = ""
    reference_code: str = ""
    priority: int | None = None


@dataclass
class CarbonIntensity(ApiObject):
    started_at: datetime | None = None
    interval_seconds: int | None = None
    grams_per_kilowatt_hour: int | None = field(default=None, metadata={"api": "co2_intensity_grams_per_kilowatt_hour"})
    created_at: datetime | None = None

    @property
    def ends_at(self) -> datetime | None:
        if self.started_at is None or self.interval_seconds is None:
            return None
        return self.started_at + timedelta(seconds=self.interval_seconds)


@dataclass
class CarbonIntensities(ApiObject):
    """One page of a feed's intensities, newest first (the spec's order)."""

    url: str = ""
    carbon_feed: str = ""  # the feed's URL (the spec declares expand=carbon_feed but types the field a URI)
    carbon_intensities: list[CarbonIntensity] = field(default_factory=list)


@dataclass
class GridLevel(ApiObject):
    value: int | None = None
    started_at: datetime | None = None  # null: no lower bound
    interval_seconds: int | None = None  # null: unbounded
    created_at: datetime | None = None
