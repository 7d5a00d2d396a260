"""django-tables2 declares evadmin's tables (columns, sorting, pagination); evadmin draws their rows.

django-tables2's own template draws every cell through template work: the row's items, the column's
attributes rebuilt per cell, `inspect.signature` of the render method per cell, `{{ cell }}` in a
generic template (about 90 µs a cell; 250 cells were most of the users list's server time).
`table_rows` draws the same `<tr>`s in Python: per column, once a page, the accessor, the render
method (the table's `render_<column>` or the column's own) and the arguments it asks for, and the
`<td>` attributes; per cell, the value, the render call and escaping as `{{ cell }}` does. Every
table's template is templates/components/table.html, which calls it (`{% table_rows table %}`).

Columns whose own `render` uses a template (django-tables2's TemplateColumn, DateTimeColumn, ...)
would still cost a template per cell: use `DateTimeColumn` below, or a `render_<column>` with
format_html.
"""

from __future__ import annotations

from collections.abc import Mapping

import django_tables2 as tables
from django.db import models
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.utils import A, signature

# Table Meta attrs that give each header cell its column's name (`column-email`): the stylesheet sizes
# columns by name, so adding or moving one does not shift every width after it.
NAMED_HEADER_CELLS = {"th": {"class": lambda bound_column: f"column-{bound_column.name}"}}

_CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})


class DateTimeColumn(tables.Column):
    """django-tables2's DateTimeColumn (`format` as Django's `date` filter takes it), without its template."""

    def __init__(self, *args, format: str | None = None, short: bool = True, **kwargs) -> None:
        self.format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return date_format(template_localtime(value), self.format)


def table_rows(table: tables.Table) -> SafeString:
    """The `<tr>`s of the table's current page (or its empty text), as django-tables2's template draws them."""
    columns = [_Cells(table, bound_column) for bound_column in table.columns]
    rows = []
    for index, row in enumerate(table.paginated_rows):
        attrs = row.attrs.as_html() if table.row_attrs else ('class="odd"' if index % 2 else 'class="even"')
        rows.append(f"<tr {attrs}>{''.join([column.draw(row) for column in columns])}</tr>")
    if not rows and table.empty_text:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text)
    return mark_safe("\n".join(rows))  # every cell is escaped in _Cells.draw


class _Cells:
    """One column's cells: what django-tables2's BoundRow.get_cell does, with the per-column work done once."""

    def __init__(self, table: tables.Table, bound_column) -> None:
        column = bound_column.column
        self.table, self.bound_column, self.column = table, bound_column, column
        self.accessor = A(bound_column.accessor)
        self.render = bound_column.render
        names, catch_all = signature(self.render)
        # As django_tables2.utils.call_with_appropriate: a render asking for more than a cell offers gets None.
        self.arguments = None if catch_all else tuple(names)
        self.callable = catch_all is not None or _CELL_ARGUMENTS.issuperset(names)
        self.default = bound_column.default
        self.link = bound_column.link
        self.choices = _has_choices(table, self.accessor)
        self.text_link = isinstance(column, BaseLinkColumn) and column.text is not None
        self.many_to_many = isinstance(column, ManyToManyColumn)
        merged = {**table.attrs, **column.attrs}
        self.dynamic_attrs = _computed(merged.get("td", merged.get("cell", {})))
        self.td = "" if self.dynamic_attrs else _td(bound_column)

    def draw(self, row) -> str:
        record = row.record
        try:
            value = self._value(record)
        except Exception:
            if self.text_link:  # as django-tables2: a link with fixed text needs no value
                return self._td_html(self._call(None, record, row), record)
            value = None
        if value in self.column.empty_values or (self.many_to_many and not value.exists()):
            return self._td_html(self.default, record)
        return self._td_html(self._call(value, record, row), record)

    def _value(self, record):
        if self.choices and isinstance(record, models.Model):
            owner, name = self.accessor.penultimate(record)
            display = getattr(owner, f"get_{name}_display", None)
            if isinstance(owner, models.Model) and display:
                return display()
        return self.accessor.resolve(record)

    def _call(self, value, record, row):
        if not self.callable:
            return None
        offered = {"value": value, "record": record, "column": self.column, "bound_column": self.bound_column,
                   "bound_row": row, "table": self.table}
        kwargs = offered if self.arguments is None else {name: offered[name] for name in self.arguments}
        content = self.render(**kwargs)
        return self.link(content, **offered) if self.link else content

    def _td_html(self, content, record) -> str:
        td = self.td
        if self.dynamic_attrs:
            self.bound_column.current_value, self.bound_column.current_record = content, record
            td = _td(self.bound_column)
        return f"<td{td}>{_as_cell(content, self.column.localize)}</td>"


def _as_cell(content, localized: bool | None) -> str:
    """`{{ cell }}` (or `{{ cell|localize }}` / `|unlocalize`, as the column asks) in an autoescaping template."""
    if localized is None:
        content = template_localtime(content)
    return conditional_escape(localize(content, use_l10n=localized))


def _td(bound_column) -> str:
    attributes = bound_column.attrs["td"].as_html()
    return f" {attributes}" if attributes else ""


def _computed(attrs) -> bool:
    if isinstance(attrs, Mapping):
        return any(_computed(value) for value in attrs.values())
    return callable(attrs)


def _has_choices(table: tables.Table, accessor: A) -> bool:
    """Whether a model record may show get_<field>_display() for this column, as in django-tables2: when
    the table's model gives the field choices, or when the data has no model to ask (then per record)."""
    model = getattr(table.data, "model", None)
    field = accessor.get_field(model) if model is not None else None
    return model is None or bool(getattr(field, "choices", None))
