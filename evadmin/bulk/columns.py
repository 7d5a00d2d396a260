"""The columns a bulk file may have, the header spellings accepted for each, and the template."""

from __future__ import annotations

import re

COLUMNS = (
    "email",
    "address_1",
    "address_2",
    "city",
    "state",
    "postal_code",
    "country_code",
    "latitude",
    "longitude",
    "tariff",
    "evse_site",
)
# The template's example row: every column filled as a file may fill it (a tariff by its name as the
# tariffs page lists it). Its email is at example.com, so an upload that keeps it by mistake creates
# nobody real, and its row says so in the preview.
EXAMPLE_ROW = {
    "email": "example.driver@example.com", "address_1": "1 High Street", "address_2": "Flat 2", "city": "Leeds",
    "state": "West Yorkshire", "postal_code": "LS1 6HD", "country_code": "GB", "latitude": "53.7997",
    "longitude": "-1.5492", "tariff": "Agile Octopus · Octopus Energy", "evse_site": "",
}
# A file with a user_id column is an update job: it changes those accounts' locations and
# tariffs, and needs no email column (imports.py). Not in COLUMNS, so the template (an
# onboarding file) cannot become an update file by accident.
UPDATE_KEY_COLUMN = "user_id"
REQUIRED_COLUMNS = ("email",)
OPTIONAL_COLUMNS = tuple(name for name in COLUMNS if name not in REQUIRED_COLUMNS)

# Header spellings seen in partners' spreadsheets, after header_key() (lower case, runs of
# spaces, hyphens and dots as one underscore). Each canonical name is its own alias.
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("e_mail", "email_address", "e_mail_address", "mail"),
    "address_1": ("address1", "address_line_1", "address_line1", "addressline1", "address", "street", "line_1", "line1"),
    "address_2": ("address2", "address_line_2", "address_line2", "addressline2", "line_2", "line2"),
    "city": ("town", "town_city", "locality"),
    "state": ("county", "region", "province", "state_province"),
    "postal_code": ("postcode", "post_code", "postalcode", "zip", "zip_code", "zipcode"),
    "country_code": ("country", "countrycode", "country_iso", "iso_country"),
    "latitude": ("lat",),
    "longitude": ("lng", "lon", "long"),
    "tariff": ("tariff_id", "tariff_url"),
    "user_id": ("user", "account_id", "userid"),
    "evse_site": ("evse_site_id", "evse_site_url", "evsesite", "site", "site_id"),
}
ALIASES: dict[str, str] = {
    alias: column for column, aliases in _ALIASES.items() for alias in (column, *aliases)
}
# The upload page's update-file explanation, and the preview's note on undoing.
UPDATE_FILE_HELP = (
    "A file with a user_id column (instead of email) updates existing accounts: only the location "
    "and tariff columns it gives are changed (the address rule then applies to the account as changed), "
    "and a finished update job can be reverted. Onboarding cannot be undone: the API cannot delete users."
)

# What each column holds, for the upload page (the template itself is the header row alone, so
# no example row can be uploaded by mistake).
COLUMN_HELP = {
    "email": "Required. The driver's email address.",
    "address_1": "First line of the address.",
    "address_2": "Second line of the address (optional).",
    "city": "Town or city.",
    "state": "State or county (optional).",
    "postal_code": "Postcode or ZIP code.",
    "country_code": "Two-letter ISO country code, e.g. GB.",
    "latitude": "Decimal degrees, -90 to 90, with longitude.",
    "longitude": "Decimal degrees, -180 to 180, with latitude.",
    "tariff": "A tariff id (tari…) or its API URL (optional).",
    "evse_site": "An EVSE site id (site…) or its API URL (optional).",
    "user_id": "Only in update files: the account to change (user…). A file with this column updates "
               "existing accounts (only the columns it gives) instead of onboarding new ones.",
}
ADDRESS_RULE_HELP = (
    "If a row gives any part of the address or coordinates, it must give address_1, city, "
    "postal_code and country_code."
)


def header_key(header: str) -> str:
    """`" Post-Code "` -> `post_code`: the form headers are compared in."""
    return re.sub(r"[\s\-.]+", "_", (header or "").strip().lower()).strip("_")


def canonical_column(header: str) -> str | None:
    """The column a header means, or None for a column evadmin does not use."""
    return ALIASES.get(header_key(header))
