"""How a bulk job's pages write a row: words for nothing, not "None"; the report's postcode rule as a warning."""

from django import template
from django.utils.html import format_html

from evadmin.audit.templatetags.audit_tags import audit_field_label
from evadmin.data_quality.rules.countries import postcode_warning

register = template.Library()

# What "empty" means, said per field: clearing a driver's tariff reads "no tariff".
NOTHING = {"tariff": "no tariff", "evse_site": "no EVSE site", "coordinates": "no coordinates"}


@register.filter
def change_label(field: str) -> str:
    """A row's change is to the driver's location: "address_1" reads "Address line 1", as everywhere."""
    return audit_field_label(f"location.{field}")


@register.filter
def change_value(value, field: str) -> str:
    """A value of a row's change (current or new), for people."""
    if value is None or value == "" or value == {}:
        return NOTHING.get(field, "(empty)")
    if field == "coordinates" and isinstance(value, dict):
        return f"{value.get('latitude')}, {value.get('longitude')}"
    return str(value)


@register.filter
def postcode_note(location) -> str:
    """The audit report's postcode rule for a row about to be sent: a warning, the row is still sent."""
    if not isinstance(location, dict):
        return ""
    return postcode_warning(location.get("country_code") or "", location.get("postal_code") or "") or ""


@register.filter
def named(value, names: dict) -> str:
    """A tariff or EVSE site id as its name (the id on hover) when evadmin knows it, else the id."""
    if isinstance(value, str) and names and value in names:
        return format_html('<span title="{}">{}</span>', value, names[value])
    return value or ""
