"""The driver page's summary part of this app: read from what evadmin holds, never a request."""

from __future__ import annotations

from django.urls import reverse

from evadmin.carbon.selectors import driver_carbon_seen, location_of
from evadmin.core.driver_page import NEUTRAL, UNKNOWN, SummaryPart
from evadmin.drivers.selectors import user_seen

LABEL = "Grid"


def carbon_summary(user_id: str) -> SummaryPart | None:
    url = reverse("users:detail", args=[user_id]) + "#carbon"
    outlook = driver_carbon_seen(user_id=user_id)
    if outlook is not None and outlook.now is not None:
        trend = f", {outlook.trend}" if outlook.trend else ""
        return SummaryPart(LABEL, f"now {outlook.now.grams_per_kilowatt_hour} gCO₂/kWh{trend}", NEUTRAL, url=url,
                           order=80)
    location = location_of(user_seen(user_id=user_id))
    if location is None:
        return None  # no location, no grid: the account part says so
    if location.current_carbon_intensity is not None:  # the API's figure, held with the driver
        return SummaryPart(LABEL, f"now {location.current_carbon_intensity} gCO₂/kWh (the location's figure)",
                           NEUTRAL, url=url, order=80)
    return SummaryPart(LABEL, "not known yet: open Grid carbon intensity (1 request)", UNKNOWN, known=False,
                       url=url, order=80)
