"""Rules about the account itself: location and tariff present, consent given, email unique, devices."""

from collections.abc import Iterator
from itertools import groupby

from django.db.models import Count, QuerySet

from evadmin.data_quality.rules import CHUNK_SIZE, Finding, Severity, audit_rule, findings_from

# The detail names at most this many of the other accounts sharing an email.
MAX_NAMED_DUPLICATES = 5


@audit_rule(name="no_default_location", title="No default location", severity=Severity.WARNING)
def no_default_location(accounts: QuerySet) -> Iterator[Finding]:
    """The account has no address. Without one there is no tariff, carbon intensity or grid region,
    so smart charging falls back to defaults and the driver's savings are guessed."""
    return findings_from(accounts.filter(has_location=False), "No address on the default location")


@audit_rule(name="no_tariff", title="No tariff", severity=Severity.WARNING)
def no_tariff(accounts: QuerySet) -> Iterator[Finding]:
    """The account has an address but no tariff, so charging cannot be scheduled for cheap hours and
    the driver's cost reports are empty. (Accounts without an address are reported by "No default
    location" instead, not twice.)"""
    return findings_from(accounts.filter(has_location=True, tariff_id=""), "Location has no tariff")


@audit_rule(name="no_terms_consent", title="No terms consent", severity=Severity.ERROR)
def no_terms_consent(accounts: QuerySet) -> Iterator[Finding]:
    """The driver never accepted the terms of service. ev.energy may not control their charging until
    they do: ask them to accept in the app."""
    return findings_from(accounts.filter(terms_consent_at__isnull=True), "Terms of service not accepted")


@audit_rule(name="duplicate_email", title="Email on several accounts", severity=Severity.ERROR)
def duplicate_email(accounts: QuerySet) -> Iterator[Finding]:
    """Several accounts share one email address, ignoring letter case. The driver may sign in to the
    wrong account and support may change the wrong one: merge them or correct the email. Every account
    of the group is listed."""
    shared = (
        accounts.exclude(email_normalised="")
        .order_by()
        .values("email_normalised")
        .annotate(accounts=Count("id"))
        .filter(accounts__gt=1)
        .values("email_normalised")
    )
    rows = (
        accounts.filter(email_normalised__in=shared)
        .order_by("email_normalised", "user_id")
        .values_list("email_normalised", "user_id", "email")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for _, group in groupby(rows, key=lambda row: row[0]):
        members = [(user_id, email) for _, user_id, email in group]
        for user_id, email in members:
            others = [other for other, _ in members if other != user_id]
            named = ", ".join(others[:MAX_NAMED_DUPLICATES])
            more = f" and {len(others) - MAX_NAMED_DUPLICATES} more" if len(others) > MAX_NAMED_DUPLICATES else ""
            yield Finding(user_id=user_id, email=email, detail=f"Same email as {named}{more}")


@audit_rule(name="no_devices", title="No vehicle and no charger", severity=Severity.NOTICE)
def no_devices(accounts: QuerySet) -> Iterator[Finding]:
    """The account has neither a vehicle nor a charger, so there is nothing to smart-charge: onboarding
    was probably abandoned. Worth a follow-up, or closing the account."""
    return findings_from(accounts.filter(vehicle_count=0, evse_count=0), "No vehicle and no charger connected")
