"""The driver page's summary parts of this app: read from what evadmin holds, never a request."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from evadmin.core.driver_page import NEUTRAL, OK, UNKNOWN, WARNING, SummaryPart
from evadmin.rebates.selectors import driver_rebates_seen, driver_subscriptions_seen

# An application in review longer than this is stuck: worth a look (the API gives no review progress).
STUCK_AFTER = timedelta(days=30)
NOT_KNOWN = "not known yet: open the panel (1 request)"


def rebates_summary(user_id: str) -> SummaryPart:
    url = reverse("rebates:panel", args=[user_id])
    seen = driver_rebates_seen(user_id=user_id)
    if seen is None:
        return SummaryPart("Rebates", NOT_KNOWN, UNKNOWN, known=False, url=url, order=60)
    applications = seen.value
    if not applications:
        return SummaryPart("Rebates", "no applications", NEUTRAL, url=url, order=60)
    in_review = [application for application in applications if application.in_review]
    in_progress = len(applications) - len(in_review)
    parts, tone = [], OK
    if in_review:
        oldest = min((a.created_at for a in in_review if a.created_at), default=None)
        # The API gives no date of submission: the oldest application's start (its id's time) says how long.
        started = f", started {date_format(timezone.localtime(oldest), 'j M Y')}" if oldest else ""
        parts.append(f"{len(in_review)} in evidence review{started}")
        if oldest and timezone.now() - oldest > STUCK_AFTER:
            tone = WARNING
    if in_progress:
        missing = sum(1 for application in applications if not application.in_review and application.missing)
        parts.append(f"{in_progress} in progress" + (f", {missing} missing evidence" if missing else ""))
    return SummaryPart("Rebates", "; ".join(parts), tone, url=url, order=60)


def subscription_summary(user_id: str) -> SummaryPart:
    url = reverse("rebates:subscription", args=[user_id])
    seen = driver_subscriptions_seen(user_id=user_id)
    if seen is None:
        return SummaryPart("Subscription", NOT_KNOWN, UNKNOWN, known=False, url=url, order=61)
    if not seen.value:
        return SummaryPart("Subscription", "none", NEUTRAL, url=url, order=61)
    names = [subscription.offering.name if subscription.offering else "an offering not named" for subscription in
             seen.value]
    # The spec gives a subscription no status: listed means the driver has it.
    return SummaryPart("Subscription", f"{', '.join(names)} (subscribed)", OK, url=url, order=61)
