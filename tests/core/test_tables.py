"""evadmin draws django-tables2's rows itself (evadmin/core/tables.py): the same cells django-tables2's own
template draws, for each way a column can get its value and its markup."""

from datetime import UTC, datetime
from types import SimpleNamespace

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils.html import format_html

from evadmin.core.tables import DateTimeColumn, table_rows
from evadmin.driver_directory.models import DirectorySync

RECORDS = [
    {"name": "Ada <b>", "city": {"name": "Leeds"}, "count": 3, "ratio": 0.25, "when": datetime(2025, 3, 1, 23, 30, tzinfo=UTC)},
    {"name": "", "city": None, "count": 0, "ratio": None, "when": None},
    {"name": "=1+1", "city": {"name": ""}, "count": None, "ratio": 1234.5, "when": datetime(2024, 1, 9, 9, 5, tzinfo=UTC)},
]


class EveryShape(tables.Table):
    name = tables.Column(attrs={"td": {"class": "who", "data-x": lambda record: record["count"]}})
    city = tables.Column(accessor="city__name", default="(none)")
    count = tables.Column(attrs={"td": {"class": "number"}}, empty_values=())
    ratio = tables.Column()
    when = tables.Column(verbose_name="When")
    linked = tables.Column(accessor="name", linkify=lambda record: f"/people/{record['count']}/", empty_values=())
    missing = tables.Column(accessor="no__such__key")
    record_only = tables.Column(accessor="name", empty_values=())
    catch_all = tables.Column(accessor="count")
    wants_more = tables.Column(accessor="count")
    badge = tables.Column(accessor="name")

    class Meta:
        attrs = {"class": "striped"}
        row_attrs = {"data-count": lambda record: record["count"]}
        empty_text = "Nothing <here>."

    def render_city(self, value, record):
        return format_html("<em>{}</em> ({})", value, record["count"])

    def render_record_only(self, record):
        return record["name"].upper()

    def render_catch_all(self, **kwargs):
        return f"{kwargs['value']} of {len(kwargs['table'].data)} in row {kwargs['bound_row'].row_counter}"

    def render_wants_more(self, value, unknown):
        return "never drawn"

    @staticmethod
    def render_badge(value):
        return format_html('<span class="badge">{}</span>', value)


class Plain(tables.Table):
    name = tables.Column()
    count = tables.Column()


def _tbody(html: str) -> str:
    return html.split("<tbody", 1)[1].split(">", 1)[1].split("</tbody>", 1)[0]


def _as_django_tables2_draws_it(table_class, data, **kwargs) -> str:
    table = table_class(data, template_name="django_tables2/table.html", **kwargs)
    return _tbody(table.as_html(RequestFactory().get("/")))


def _as_evadmin_draws_it(table_class, data, **kwargs) -> str:
    return table_rows(table_class(data, **kwargs))


def assert_same_rows(table_class, data, **kwargs):
    theirs = parse_html(_as_django_tables2_draws_it(table_class, data, **kwargs))
    ours = parse_html(_as_evadmin_draws_it(table_class, data, **kwargs))
    assert ours == theirs, f"\nours:   {ours}\ntheirs: {theirs}"


@pytest.mark.parametrize("data", [RECORDS, RECORDS[:1], []], ids=["rows", "one row", "empty"])
def test_the_same_cells_as_django_tables2(data):
    assert_same_rows(EveryShape, data)


def test_plain_rows_alternate_even_and_odd_without_row_attrs():
    assert_same_rows(Plain, [{"name": "a", "count": 1}, {"name": "b", "count": 2}, {"name": "c", "count": 3}])
    assert _as_evadmin_draws_it(Plain, [{"name": "a", "count": 1}]).startswith('<tr class="even"><td>a</td>')


def test_attribute_records_and_a_page_of_them():
    people = [SimpleNamespace(name=f"p{n}", count=n) for n in range(30)]
    table = Plain(people)
    table.paginate(page=2, per_page=10)
    theirs = Plain(people, template_name="django_tables2/table.html")
    theirs.paginate(page=2, per_page=10)
    assert parse_html(table_rows(table)) == parse_html(_tbody(theirs.as_html(RequestFactory().get("/"))))
    assert table_rows(table).count("<tr") == 10


def test_markup_in_values_is_escaped():
    html = _as_evadmin_draws_it(EveryShape, RECORDS)
    assert "Ada &lt;b&gt;" in html and "Ada <b>" not in html
    assert "Nothing &lt;here&gt;." in _as_evadmin_draws_it(EveryShape, [])


class Dates(tables.Table):
    theirs = tables.DateTimeColumn(accessor="when", format="j M Y")
    ours = DateTimeColumn(accessor="when", format="j M Y")
    theirs_short = tables.DateTimeColumn(accessor="when")
    ours_short = DateTimeColumn(accessor="when")


def test_date_time_column_formats_as_django_tables2s_does(settings):
    settings.TIME_ZONE = "Europe/London"
    data = [{"when": datetime(2025, 7, 1, 23, 30, tzinfo=UTC)}, {"when": None}]
    assert_same_rows(Dates, data)
    assert _as_evadmin_draws_it(Dates, data[:1]).count("<td>2 Jul 2025</td>") == 2  # in the site's time zone


class Syncs(tables.Table):
    kind = tables.Column()
    status = tables.Column()
    started_by = tables.Column(accessor="started_by__username")


@pytest.mark.django_db
def test_model_fields_with_choices_show_their_labels():
    DirectorySync.objects.create(kind="full", status="complete")
    DirectorySync.objects.create(kind="incremental", status="running")
    assert_same_rows(Syncs, DirectorySync.objects.order_by("pk"))
    assert "Incremental" in _as_evadmin_draws_it(Syncs, DirectorySync.objects.all())
