"""Tags of the page components in templates/components/: `{% load components %}`.

{% pager page target="#results" label="Pages of …" %}    previous and next links (components/pager.html)
{% table_rows table %}                                   a django-tables2 table's rows (components/table.html)
{% local_time moment zone %}                             a time in the driver's zone, UTC on hover
"""

from datetime import UTC, tzinfo

from django import template
from django.utils import dateformat
from django.utils.html import format_html

from evadmin.core import tables
from evadmin.core.pager import pager_for
from evadmin.core.timezones import zone_named

register = template.Library()


@register.inclusion_tag("components/pager.html", takes_context=True)
def pager(context, page, **options) -> dict:
    """The pager of `page` (a Django Page or a CursorPage); options as evadmin.core.pager.pager_for takes them."""
    return {"pager": None if page in (None, "") else pager_for(context["request"], page, **options)}


@register.simple_tag
def table_rows(table):
    return tables.table_rows(table)


@register.simple_tag
def local_time(moment, zone=None, fmt="j M H:i"):
    """`moment` in the driver's zone (a tzinfo or an IANA name), its UTC time on hover:
    {% local_time sub_session.start zone %}. "—" when there is no time."""
    if moment is None or moment == "":
        return "—"
    if not isinstance(zone, tzinfo):
        zone = zone_named(zone)
    shown = moment.astimezone(zone)
    in_utc = moment.astimezone(UTC)
    return format_html('<time datetime="{}" title="{} UTC">{}</time>', in_utc.isoformat().replace("+00:00", "Z"),
                       dateformat.format(in_utc, "Y-m-d H:i"), dateformat.format(shown, fmt))
