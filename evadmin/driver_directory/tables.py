"""Tables over directory accounts. Column names are search.SORT_FIELDS keys, so a header's sort
link (`?sort=city`) means the same to django-tables2 and to directory_search."""

from __future__ import annotations

from functools import cached_property

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html

from evadmin.core.tables import NAMED_HEADER_CELLS, DateTimeColumn
from evadmin.driver_directory.search import SORT_FIELDS

# Matches are counted up to this many. Counting every match of a broad search or filter reads
# every matching row: 55-60 ms for 100,000 accounts on PostgreSQL (a sequential scan), more than
# the search itself; counting the first 1,001 takes ~2 ms. Forty pages of 25 is more than anyone
# pages through: past that, sort or narrow the search.
COUNT_CAP = 1000


class CappedCountPaginator(Paginator):
    """A paginator over at most COUNT_CAP rows, which knows whether there were more (`capped`)."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, queryset: QuerySet, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.queryset = queryset

    @cached_property
    def _counted(self) -> int:
        return self.queryset.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


def _column(verbose_name: str, key: str, accessor: str | None = None, **kwargs) -> tables.Column:
    return tables.Column(verbose_name=verbose_name, accessor=accessor or key, order_by=SORT_FIELDS[key], **kwargs)


def _user_link(record) -> str:
    return format_html('<a href="{}">{}</a>', reverse("users:detail", args=[record.user_id]), record.email)


class DirectoryTable(tables.Table):
    """Sortable, paginated, and swapped by htmx into `htmx_target` (templates/components/table.html)."""

    htmx_target = ""

    class Meta:
        attrs = {"class": "striped"}
        # The search form's own (validated) field, so ?per_page=100000 can't ask for everything.
        per_page_field = "page_size"
        # Rows take the keyboard's focus: Enter on one opens it (static/js/evadmin.js).
        row_attrs = {"tabindex": "0"}

    def render_tariff(self, value, record):
        return format_html('{} <small class="muted">{}</small>', value, record.tariff_currency) if value else "—"

    def render_supplier(self, value):
        return value or "—"


class DirectoryUserTable(DirectoryTable):
    """/users/ served from the directory: the API table's columns, sortable."""

    htmx_target = "#users-results"
    email = _column("Email", "email")
    full_name = _column("Full name", "full_name")
    joined = DateTimeColumn(verbose_name="Joined", accessor="joined_at", format="j M Y", order_by=SORT_FIELDS["joined"])
    city = _column("City", "city")
    postcode = _column("Postcode", "postcode", accessor="postal_code")
    country = _column("Country", "country", accessor="country_code")
    tariff = _column("Tariff", "tariff", accessor="tariff_name")
    supplier = _column("Supplier", "supplier", accessor="supplier_name")
    vehicles = _column("Vehicles", "vehicles", accessor="vehicle_count", attrs={"td": {"class": "number"}})
    chargers = _column("Chargers", "chargers", accessor="evse_count", attrs={"td": {"class": "number"}})

    class Meta(DirectoryTable.Meta):
        attrs = {"class": "striped users-table truncating", **NAMED_HEADER_CELLS}
        empty_text = "No accounts in the directory match."

    def render_email(self, value, record):
        return _user_link(record)


class LocationTable(DirectoryTable):
    """/locations/: every account's default location and its owner."""

    htmx_target = "#locations-results"
    address = _column("Address", "address", accessor="address_1")
    city = _column("City", "city")
    postcode = _column("Postcode", "postcode", accessor="postal_code")
    country = _column("Country", "country", accessor="country_code")
    coordinates = _column("Coordinates", "coordinates", accessor="latitude")
    tariff = _column("Tariff", "tariff", accessor="tariff_name")
    supplier = _column("Supplier", "supplier", accessor="supplier_name")
    evse_site = _column("EVSE site", "evse_site", accessor="evse_site_id")
    owner = _column("Owner", "owner", accessor="email")

    class Meta(DirectoryTable.Meta):
        attrs = {"class": "striped locations-table truncating", **NAMED_HEADER_CELLS}
        empty_text = "No locations match."

    def render_address(self, value, record):
        if record.address_2:
            return format_html("{}<br><small>{}</small>", value, record.address_2)
        return value

    def render_coordinates(self, value, record):
        if record.latitude is None or record.longitude is None:
            return "—"
        return f"{record.latitude:.5f}, {record.longitude:.5f}"

    def render_evse_site(self, value):
        return format_html("<code>{}</code>", value) if value else "—"

    def render_owner(self, value, record):
        return _user_link(record)
