"""Filters of the charging pages: `{% load charging %}`.

{{ minor_units|money:currency }}   a cost in the currency's major unit ("3.42 GBP")
{{ watt_hours|kwh }}               energy in kWh ("12.3 kWh")
{{ code|rating_mark }}             RED/AMBER/GREEN as a badge with the word in it (never colour alone)
"""

from django import template
from django.utils.html import format_html

from evadmin.charging import words

register = template.Library()
RATING_CLASSES = {"RED": "rating-red", "AMBER": "rating-amber", "GREEN": "rating-green"}


@register.filter
def money(minor_units, currency=""):
    """The API's minor units (pence, cents) as major units with the currency; "—" when unknown."""
    if minor_units is None or minor_units == "" or isinstance(minor_units, bool):
        return "—"
    try:
        amount = int(minor_units) / 100
    except (TypeError, ValueError):
        return "—"
    return f"{amount:,.2f} {currency}".strip()


@register.filter
def kwh(watt_hours):
    if watt_hours is None or watt_hours == "" or isinstance(watt_hours, bool):
        return "—"
    try:
        return f"{float(watt_hours) / 1000:,.1f} kWh"
    except (TypeError, ValueError):
        return "—"


@register.filter
def rating_mark(code):
    if not isinstance(code, str) or not code:
        return format_html('<span class="badge">{}</span>', "not assessed")
    return format_html('<span class="badge rating {}" title="{}">{}</span>', RATING_CLASSES.get(code, ""),
                       words.RATING_WORDS.get(code, ""), code)


@register.filter
def mode_words(mode):
    return words.mode_words(mode)


@register.filter
def readable(code):
    return words.readable(code)
