"""The users table: columns declared for API data (no Meta.model), one row per User."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from evadmin.core.tables import NAMED_HEADER_CELLS, DateTimeColumn


class UserTable(tables.Table):
    email = tables.Column(accessor="email", verbose_name="Email")
    full_name = tables.Column(accessor="full_name", verbose_name="Full name")
    joined = DateTimeColumn(accessor="joined_at", verbose_name="Joined", format="j M Y")
    city = tables.Column(accessor="default_location__city", verbose_name="City")
    postcode = tables.Column(accessor="default_location__postal_code", verbose_name="Postcode")
    country = tables.Column(accessor="default_location__country_code", verbose_name="Country")
    tariff = tables.Column(accessor="default_location__tariff__name", verbose_name="Tariff")
    supplier = tables.Column(accessor="default_location__tariff__supplier__name", verbose_name="Supplier")
    vehicles = tables.Column(accessor="vehicle_urls", verbose_name="Vehicles", attrs={"td": {"class": "number"}})
    chargers = tables.Column(accessor="evse_urls", verbose_name="Chargers", attrs={"td": {"class": "number"}})

    class Meta:
        orderable = False  # the API lists in creation order only
        empty_text = "No users found."
        attrs = {"class": "striped users-table truncating", **NAMED_HEADER_CELLS}
        row_attrs = {"tabindex": "0"}  # Enter on a row opens it (static/js/evadmin.js)

    def render_email(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("users:detail", args=[record.id]), value)

    def render_vehicles(self, value):
        return len(value)

    def render_chargers(self, value):
        return len(value)
