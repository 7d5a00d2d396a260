"""Free-text search, filters and sorting over the directory.

Every account keeps one lower-cased `search_text` (email, name, address, postcode with and without
its spaces, user id, plus a copy without accents and punctuation when it differs: "O'Brien" is found
by "obrien" and "o'brien" alike). A query is split into words and
each word must occur somewhere in it: "smith sw1a" finds Smiths in SW1A, "sw1a1aa" and "SW1A 1AA"
both find that postcode. The lookup is a case-sensitive `contains` on the lower-cased text, i.e.
`search_text LIKE '%word%'`, which PostgreSQL answers from the trigram index of migration 0002
(Django's `icontains` would wrap the column in UPPER() and miss the index). SQLite scans.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields

from django.db.models import QuerySet

from evadmin.driver_directory.models import DirectoryAccount
from evadmin.evenergy.resources import is_resource_id

# A query is cut to this many words of this length: enough for a name and a postcode, and no
# pathological request can build a huge WHERE clause.
MAX_TERMS = 6
MAX_TERM_LENGTH = 100

# Sort keys offered to the pages (django-tables2 column names) -> model fields, each ending
# with user_id so pages of equal values keep a stable order.
SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "user_id": ("user_id",),
    "email": ("email_normalised", "user_id"),
    "full_name": ("full_name", "user_id"),
    "joined": ("joined_at", "user_id"),
    "address": ("address_1", "user_id"),
    "city": ("city", "user_id"),
    "postcode": ("postal_code", "user_id"),
    "country": ("country_code", "user_id"),
    "coordinates": ("latitude", "longitude", "user_id"),
    "tariff": ("tariff_name", "user_id"),
    "supplier": ("supplier_name", "user_id"),
    "evse_site": ("evse_site_id", "user_id"),
    "vehicles": ("vehicle_count", "user_id"),
    "chargers": ("evse_count", "user_id"),
    "owner": ("email_normalised", "user_id"),
}
DEFAULT_SORT = "user_id"  # creation order, as the API lists


def fold(text: str) -> str:
    """Lower-case, drop accents and invisible characters: "Zoë Müller" -> "zoe muller".

    Invisible format characters (zero-width spaces and joiners, direction marks and overrides:
    Unicode category Cf) would otherwise hide "Zo\u200be" from a search for "zoe".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )


def unpunctuated(text: str) -> str:
    """Without punctuation: "o'brien" -> "obrien", "smith-jones" -> "smithjones". People type a name
    without its apostrophe or hyphen as often as with it (and with other quote marks than the stored one)."""
    return "".join(char for char in text if not unicodedata.category(char).startswith("P"))


def search_text_for(
    *, user_id: str, email: str, full_name: str, address_1: str = "", address_2: str = "", city: str = "",
    state: str = "", postal_code: str = "",
) -> str:
    """The text an account is found by (stored in DirectoryAccount.search_text)."""
    parts = [user_id, email, full_name, address_1, address_2, city, state, postal_code]
    if " " in postal_code.strip():
        parts.append(postal_code.replace(" ", ""))  # "SW1A 1AA" is typed "sw1a1aa" as often as not
    lowered = " ".join(part.strip().lower() for part in parts if part and part.strip())
    folded = unpunctuated(fold(lowered))
    return lowered if folded == lowered else f"{lowered} {folded}"


def search_terms(query: str) -> list[str]:
    """The words of a query, folded and unpunctuated like search_text's copy (postcode spaces need no
    special case); a word of punctuation alone is dropped."""
    terms = (unpunctuated(term)[:MAX_TERM_LENGTH] for term in fold(query or "").split())
    return [term for term in terms if term][:MAX_TERMS]


@dataclass(frozen=True)
class DirectoryFilters:
    country: str = ""  # ISO 3166-1 alpha-2
    tariff: str = ""  # tariff id
    supplier: str = ""  # supplier id
    evse_site: str = ""  # EVSE site id
    no_location: bool = False
    no_tariff: bool = False
    include_gone: bool = False  # accounts a full sync no longer found

    def active(self) -> dict[str, object]:
        """The filters that narrow the result (for summaries and the audit trail)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def directory_search(
    query: str = "", filters: DirectoryFilters | None = None, order: str = DEFAULT_SORT
) -> QuerySet[DirectoryAccount]:
    """Accounts matching every word of `query` and all `filters`, sorted by `order`.

    `order` is a SORT_FIELDS key, with "-" for descending; an unknown key sorts by user id.
    Lazy: slice or paginate the result; nothing is read until then.
    """
    filters = filters or DirectoryFilters()
    accounts = DirectoryAccount.objects.all()
    for term in search_terms(query):
        user_id = "user" + term[4:].upper()  # search terms are folded to lower case
        if term.startswith("user") and is_resource_id(user_id, "user"):  # the unique index answers at once
            accounts = accounts.filter(user_id=user_id)
        else:
            accounts = accounts.filter(search_text__contains=term)
    if not filters.include_gone:
        accounts = accounts.filter(gone_at__isnull=True)
    if filters.country:
        accounts = accounts.filter(country_code=filters.country.upper())
    if filters.tariff:
        accounts = accounts.filter(tariff_id=filters.tariff)
    if filters.supplier:
        accounts = accounts.filter(supplier_id=filters.supplier)
    if filters.evse_site:
        accounts = accounts.filter(evse_site_id=filters.evse_site)
    if filters.no_location:
        accounts = accounts.filter(has_location=False)
    if filters.no_tariff:
        accounts = accounts.filter(tariff_id="")
    return accounts.order_by(*order_fields(order))


def order_fields(order: str) -> list[str]:
    descending = (order or "").startswith("-")
    key = (order or "").lstrip("-")
    names = SORT_FIELDS.get(key, SORT_FIELDS[DEFAULT_SORT])
    return [f"-{name}" if descending else name for name in names]
