"""What the location rules know about countries: rough borders, postcode formats, currencies.

Countries missing from a table are not checked by the rule that reads it (we cannot say they are
wrong), so extending a rule to a new market is adding a line here.
"""

import re

# (south, north, west, east) in degrees; a country may need more than one box. Deliberately generous
# (a little sea and neighbour included): the rule is after coordinates in the wrong part of the
# world (a geocoder that picked Paris, Texas), not after addresses a few km over a border.
COUNTRY_BOXES: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "GB": ((49.8, 60.9, -8.7, 1.8),),
    "IE": ((51.3, 55.5, -10.7, -5.9),),
    "US": (
        (24.4, 49.5, -125.0, -66.8),  # contiguous states
        (51.2, 71.6, -180.0, -129.9),  # Alaska
        (18.8, 22.4, -160.4, -154.7),  # Hawaii
    ),
    "CA": ((41.6, 83.2, -141.1, -52.5),),
    "DE": ((47.2, 55.1, 5.8, 15.1),),
    "FR": ((41.3, 51.2, -5.3, 9.7),),  # metropolitan France and Corsica
    "ES": (
        (35.2, 43.9, -9.4, 4.4),  # the mainland, the Balearics, Ceuta and Melilla
        (27.6, 29.5, -18.2, -13.3),  # the Canaries
    ),
    "NL": ((50.7, 53.7, 3.3, 7.3),),
    "BE": ((49.4, 51.6, 2.5, 6.5),),
}

# Matched against the postcode trimmed and upper-cased. The space inside GB, CA, NL and IE codes is
# optional: a missing space is a typing habit, not a wrong postcode.
_POSTCODE_FORMATS = {
    "GB": r"GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "US": r"\d{5}(-\d{4})?",  # ZIP or ZIP+4
    "CA": r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"(0[1-9]|[1-4]\d|5[0-2])\d{3}",  # the first two digits are one of 52 provinces
    "NL": r"[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}",  # SA, SD and SS are never issued
    "IE": r"([AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}",  # Eircode: routing key + unique id
    "BE": r"[1-9]\d{3}",
}
POSTCODE_PATTERNS: dict[str, re.Pattern] = {
    country: re.compile(rf"(?:{pattern})") for country, pattern in _POSTCODE_FORMATS.items()
}

# ISO 4217 currency a tariff for an address in the country should be priced in.
COUNTRY_CURRENCIES: dict[str, str] = {
    "GB": "GBP", "US": "USD", "CA": "CAD",
    "IE": "EUR", "DE": "EUR", "FR": "EUR", "ES": "EUR", "NL": "EUR", "BE": "EUR", "AT": "EUR", "IT": "EUR",
    "PT": "EUR", "FI": "EUR", "LU": "EUR",
    "CH": "CHF", "NO": "NOK", "SE": "SEK", "DK": "DKK", "AU": "AUD", "NZ": "NZD",
}


def inside_country(country: str, latitude: float, longitude: float) -> bool:
    return any(south <= latitude <= north and west <= longitude <= east
               for south, north, west, east in COUNTRY_BOXES[country])


def postcode_fits(country: str, postcode: str) -> bool:
    return POSTCODE_PATTERNS[country].fullmatch(postcode.strip().upper()) is not None


def postcode_warning(country: str, postcode: str) -> str | None:
    """What to tell staff typing a postcode the audit report's rule (postcode_format) would list: a
    warning, never a refusal, since odd but real postcodes exist. None when it fits, or when the rule
    knows no format for the country."""
    country = (country or "").strip().upper()
    if not postcode or not postcode.strip() or country not in POSTCODE_PATTERNS or postcode_fits(country, postcode):
        return None
    return (f"“{postcode.strip()}” is not in the {country} postcode format. It can be saved as it is, but the "
            "next audit report will list it: check it with the driver.")
