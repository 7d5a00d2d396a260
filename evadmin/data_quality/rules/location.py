"""Rules about the address: coordinates, postcode and tariff consistent with the address's country."""

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from evadmin.data_quality.rules import CHUNK_SIZE, Finding, Severity, audit_rule
from evadmin.data_quality.rules.countries import (
    COUNTRY_BOXES,
    COUNTRY_CURRENCIES,
    POSTCODE_PATTERNS,
    inside_country,
    postcode_fits,
)


@audit_rule(name="coordinates_outside_country", title="Coordinates outside the country", severity=Severity.WARNING)
def coordinates_outside_country(accounts: QuerySet) -> Iterator[Finding]:
    """The location's coordinates lie outside the country of its address, usually a geocoding
    mistake. Carbon intensity and grid signals are read for the wrong place, so charging is scheduled
    for someone else's grid. Only countries evadmin knows rough borders of are checked (the UK,
    Ireland, the US, Canada, Germany, France, Spain, the Netherlands and Belgium)."""
    rows = (
        accounts.filter(country_code__in=COUNTRY_BOXES, latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values_list("user_id", "email", "country_code", "latitude", "longitude")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for user_id, email, country, latitude, longitude in rows:
        if not inside_country(country, latitude, longitude):
            yield Finding(user_id=user_id, email=email,
                          detail=f"{latitude:.4f}, {longitude:.4f} is outside {country}")


@audit_rule(name="postcode_format", title="Postcode not in its country's format", severity=Severity.NOTICE)
def postcode_format(accounts: QuerySet) -> Iterator[Finding]:
    """The postcode does not have the shape postcodes have in the address's country (for example a
    UK postcode cut short). Grid region lookups by postcode fail and letters may not arrive. Letter
    case and a missing space are forgiven; only countries evadmin knows the format of are checked
    (the same nine as for coordinates)."""
    rows = (
        accounts.filter(has_location=True, country_code__in=POSTCODE_PATTERNS)
        .order_by()
        .values_list("user_id", "email", "country_code", "postal_code")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for user_id, email, country, postcode in rows:
        if not postcode_fits(country, postcode):
            shown = f"“{postcode}”" if postcode else "An empty postcode"
            yield Finding(user_id=user_id, email=email, detail=f"{shown} is not a {country} postcode")


@audit_rule(name="tariff_currency_mismatch", title="Tariff in another currency", severity=Severity.ERROR)
def tariff_currency_mismatch(accounts: QuerySet) -> Iterator[Finding]:
    """The tariff is priced in a currency other than that of the address's country, so the driver
    almost certainly picked another country's tariff: every cost and saving shown to them is wrong."""
    in_own_currency = Q()
    for country, currency in COUNTRY_CURRENCIES.items():
        in_own_currency |= Q(country_code=country, tariff_currency=currency)
    rows = (
        accounts.filter(country_code__in=COUNTRY_CURRENCIES)
        .exclude(tariff_currency="")
        .exclude(in_own_currency)
        .order_by()
        .values_list("user_id", "email", "country_code", "tariff_name", "tariff_currency")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for user_id, email, country, tariff_name, currency in rows:
        expected = COUNTRY_CURRENCIES[country]
        yield Finding(user_id=user_id, email=email,
                      detail=f"{tariff_name or 'The tariff'} is in {currency}; {country} uses {expected}")
