import json
from urllib.parse import quote

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from evadmin.audit.services import flatten

register = template.Library()


# What support staff call the fields of a user (audit events keep the API's dotted names).
FIELD_LABELS = {
    "email": "Email",
    "default_location": "Location",
    "default_location.address_1": "Address line 1",
    "default_location.address_2": "Address line 2",
    "default_location.city": "City",
    "default_location.state": "State or county",
    "default_location.postal_code": "Postcode",
    "default_location.country_code": "Country",
    "default_location.coordinates": "Coordinates",
    "default_location.coordinates.latitude": "Latitude",
    "default_location.coordinates.longitude": "Longitude",
    "default_location.tariff": "Tariff",
    "default_location.evse_site": "EVSE site",
}


# Bulk rows record the location they sent as "location"; it is the driver's default location.
FIELD_ALIASES = {"location": "default_location"}
OTHER_LABELS = {"row_number": "Row in the file", "found_by": "Found by", "reason": "Reason"}


@register.filter
def audit_field_label(field: str) -> str:
    """The one name staff read for a field wherever it shows (the driver's form, history, the trail, bulk
    events): "default_location.postal_code" and a bulk row's "location.postal_code" -> "Postcode".
    Exports keep the API's dotted names."""
    head, _, rest = field.partition(".")
    canonical = f"{FIELD_ALIASES.get(head, head)}{'.' if rest else ''}{rest}"
    if canonical in FIELD_LABELS:
        return FIELD_LABELS[canonical]
    if field in OTHER_LABELS:
        return OTHER_LABELS[field]
    return field.replace("_", " ").replace(".", " › ").capitalize()


@register.filter
def audit_changes(event) -> list[dict]:
    """Rows of {field, before, after, in_before, in_after} for showing what an event changed.

    A field on one side only (a create, a cleared value) shows just that side.
    """
    before = flatten(event.before) if isinstance(event.before, dict) else {}
    after = flatten(event.after) if isinstance(event.after, dict) else {}
    fields = list(before) + [key for key in after if key not in before]
    return [
        {
            "field": field,
            "before": before.get(field),
            "after": after.get(field),
            "in_before": field in before,
            "in_after": field in after,
        }
        for field in fields
    ]


@register.inclusion_tag("components/diff.html")
def audit_diff(event, names: dict | None = None, empty: str = "") -> dict:
    """{% audit_diff event names=names empty="—" %}: the event's changes as a diff block; `names`
    ({id: name}) reads the tariffs and sites it holds by name, `empty` shows when nothing changed."""
    return {"changes": audit_changes(event), "names": names or {}, "empty": empty}


@register.filter
def audit_value(value, names: dict | None = None) -> str:
    """A JSON value as short text; autoescaping still applies to the result. An id `names` knows (a
    tariff, a site) reads as its name, the id on hover."""
    if value is None:
        return "—"
    if isinstance(value, str):
        if names and value in names:
            return format_html('<span title="{}">{}</span>', value, names[value])
        return value
    return json.dumps(value, ensure_ascii=False)


@register.filter
def user_detail_url(user_id: str) -> str:
    """Link to the user's page; falls back to the planned path until the users app exists."""
    try:
        return reverse("users:detail", args=[user_id])
    except NoReverseMatch:
        return f"/users/{quote(str(user_id), safe='')}/"
