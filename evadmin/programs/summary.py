"""The programs part of the driver's summary strip: from what evadmin holds only, never a request."""

from __future__ import annotations

from django.urls import reverse

from evadmin.core.driver_page import OK, UNKNOWN, WARNING, SummaryPart
from evadmin.programs.selectors import driver_enrolment_seen, driver_programs_seen


def programs_part(user_id: str) -> SummaryPart | None:
    url = reverse("programs:driver", args=[user_id])
    enrolled = driver_enrolment_seen(user_id)
    if enrolled is not None:
        return SummaryPart("Programs", f"enrolled in {enrolled.value.name}", OK, url=url, order=50)
    seen = driver_programs_seen(user_id)
    if seen is None:
        return SummaryPart("Programs", "not known yet: open the panel (1 request)", UNKNOWN, known=False, url=url,
                           order=50)
    names = [program.name for program in seen.value]
    if not names:
        return SummaryPart("Programs", "none at the driver's location", url=url, order=50)
    # The API does not say whether the driver is enrolled; evadmin knows only the joins it made.
    return SummaryPart("Programs", f"eligible for {', '.join(names)}, not enrolled", WARNING, url=url, order=50)
