"""Tags of the page components in templates/components/: `{% load components %}`.

{% pager page target="#results" label="Pages of …" %}    previous and next links (components/pager.html)
{% table_rows table %}                                   a django-tables2 table's rows (components/table.html)
{% local_time moment zone %}                             a time in the driver's zone, UTC on hover
{{ currency|minor_units }}                                "pence (GBP)": what a price in minor units is counted in
{% lazy_panel id=… url=… title=… what=… %}…{% endlazy_panel %}  a panel read when opened (components/lazy_panel.html)
"""

from datetime import UTC, tzinfo

from django import template
from django.template import loader
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


# The API gives prices in the currency's minor units: agents read them as pence or cents.
MINOR_UNITS = {"GBP": "pence", "EUR": "cents", "USD": "cents", "CAD": "cents", "AUD": "cents", "NZD": "cents"}


@register.filter
def minor_units(currency) -> str:
    """"pence (GBP)" for "GBP"; "SEK minor units" for a currency without a name here."""
    if not currency:
        return "the currency's minor units"
    return f"{MINOR_UNITS[currency]} ({currency})" if currency in MINOR_UNITS else f"{currency} minor units"


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


class LazyPanelNode(template.Node):
    def __init__(self, nodelist, options: dict):
        self.nodelist, self.options = nodelist, options

    def render(self, context) -> str:
        options = {name: value.resolve(context) for name, value in self.options.items()}
        body = "" if context.get("unavailable") else self.nodelist.render(context)
        with context.push(panel=options, panel_body=body):
            return loader.get_template("components/lazy_panel.html").render(context.flatten())


@register.tag
def lazy_panel(parser, token):
    """The shell of a driver-page panel read from the API when opened (components/lazy_panel.html): its
    element, "can't be shown right now" with Try again when the read failed (the context's `unavailable`),
    else how fresh the read is, then the body. The body renders only when the read succeeded.

    {% lazy_panel id="driver-payout" url=panel_url title="The payout method" what="the driver's payout method" %}
      …the read's value…
    {% endlazy_panel %}
    """
    bits = token.split_contents()[1:]
    options = {}
    for bit in bits:
        name, _, value = bit.partition("=")
        if not value:
            raise template.TemplateSyntaxError(f"lazy_panel takes name=value options, not {bit!r}")
        options[name] = parser.compile_filter(value)
    missing = {"id", "url", "title", "what"} - set(options)
    if missing:
        raise template.TemplateSyntaxError(f"lazy_panel needs {', '.join(sorted(missing))}")
    nodelist = parser.parse(("endlazy_panel",))
    parser.delete_first_token()
    return LazyPanelNode(nodelist, options)
