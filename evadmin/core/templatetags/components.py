"""Tags of the page components in templates/components/: `{% load components %}`.

{% pager page target="#results" label="Pages of …" %}    previous and next links (components/pager.html)
{% table_rows table %}                                   a django-tables2 table's rows (components/table.html)
"""

from django import template

from evadmin.core import tables
from evadmin.core.pager import pager_for

register = template.Library()


@register.inclusion_tag("components/pager.html", takes_context=True)
def pager(context, page, **options) -> dict:
    """The pager of `page` (a Django Page or a CursorPage); options as evadmin.core.pager.pager_for takes them."""
    return {"pager": None if page in (None, "") else pager_for(context["request"], page, **options)}


@register.simple_tag
def table_rows(table):
    return tables.table_rows(table)
