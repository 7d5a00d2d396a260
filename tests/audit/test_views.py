import csv
import io
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.utils import timezone

from evadmin.audit.models import AuditEvent
from evadmin.audit.services import audit_record
from tests.driver_directory.conftest import store_accounts  # noqa: F401  (a fixture, used by name)
from tests.driver_directory.factories import ApiUserFactory
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db

TRAIL = "/audit/"
EXPORT = "/audit/export.csv"
HTMX = {"HX-Request": "true"}


def _record_at(when: datetime, **kwargs) -> AuditEvent:
    with mock.patch.object(timezone, "now", return_value=when):
        return audit_record(**{"actor": None, "action": "user.update", **kwargs})


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "role, status",
    [("viewer", 403), ("support", 403), ("bulk_operator", 403), ("auditor", 200), ("admin", 200), (None, 403)],
)
@pytest.mark.parametrize("url", [TRAIL, EXPORT])
def test_each_role_answer(client_as, role, status, url):
    assert client_as(role).get(url).status_code == status


@pytest.mark.parametrize("url", [TRAIL, EXPORT])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_trail_refuses_post(client_as):
    assert client_as("auditor").post(TRAIL).status_code == 405


def test_trail_lists_newest_first_with_diff_and_user_link(client_as):
    client = client_as("auditor")
    support = make_staff("support")
    older = audit_record(actor=support, action="user.create", target_user_id="u-1", after={"name": "Ada"})
    newer = audit_record(
        actor=support, action="user.update", target_user_id="u-2",
        before={"default_location.city": "Leeds"}, after={"default_location.city": "York"}, reason="moved",
    )
    html = client.get(TRAIL).content.decode()
    assert html.index(f'id="audit-event-{newer.pk}"') < html.index(f'id="audit-event-{older.pk}"')
    assert '<a href="/users/u-2/" title="u-2">u-2</a>' in html  # not in the directory: its id
    assert '<dt title="default_location.city">City</dt>' in html  # the label staff read, the API's name on hover
    assert '<del><span class="visually-hidden">was </span>Leeds</del>' in html
    assert '<ins><span class="visually-hidden">now </span>York</ins>' in html
    assert '<ins><span class="visually-hidden">now </span>Ada</ins>' in html  # a create shows the new side only
    assert "<strong>Reason:</strong> moved" in html


def test_trail_escapes_everything_it_shows(client_as):
    client = client_as("auditor")
    audit_record(
        actor=None, action="user.update", target_user_id='"><script>alert(1)</script>',
        after={"name": "<img src=x onerror=alert(1)>"}, reason="<b>bold</b>",
    )
    html = client.get(TRAIL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "/users/%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E/" in html


def test_htmx_request_gets_only_the_results_partial(client_as):
    client = client_as("auditor")
    audit_record(actor=None, action="user.create", target_user_id="u-9")
    response = client.get(TRAIL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "u-9" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(client_as):
    response = client_as("auditor").get(TRAIL, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_filters(client_as):
    client = client_as("auditor")
    ada, bob = make_staff("support", username="ada"), make_staff("support", username="bob")
    _record_at(datetime(2025, 1, 10, 9, tzinfo=UTC), actor=ada, action="user.create", target_user_id="u-1")
    _record_at(datetime(2025, 1, 20, 23, 59, tzinfo=UTC), actor=bob, action="user.update", target_user_id="u-2")
    _record_at(datetime(2025, 2, 1, 0, 0, tzinfo=UTC), actor=ada, action="user.update", target_user_id="u-3")

    def shown(**params) -> set[str]:
        response = client.get(TRAIL, params)
        # (the auditor's own sign-in is in the trail too; it has no target)
        return {e.target_user_id for e in response.context["page"].object_list if e.target_user_id}

    assert shown() == {"u-1", "u-2", "u-3"}
    assert shown(actor="ADA") == {"u-1", "u-3"}
    assert shown(action="user.update") == {"u-2", "u-3"}
    assert shown(target_user_id="u-2") == {"u-2"}
    assert shown(date_from="2025-01-20", date_to="2025-01-20") == {"u-2"}
    assert shown(date_from="2025-01-11") == {"u-2", "u-3"}
    assert shown(date_to="2025-01-31") == {"u-1", "u-2"}
    assert shown(actor="ada", action="user.update", date_from="2025-01-01") == {"u-3"}
    assert shown(actor="Da") == {"u-1", "u-3"}  # part of a username


def test_the_staff_filter_takes_part_of_a_name_and_the_driver_filter_an_email(client_as, store_accounts):  # noqa: F811
    client = client_as("auditor")
    grace = make_staff("support", username="ghopper")
    grace.first_name, grace.last_name = "Grace", "Hopper"
    grace.save()
    [driver_id] = store_accounts(ApiUserFactory(number=42, email="Ada.Lovelace@Example.com", full_name="Ada"))
    audit_record(actor=grace, action="user.update", target_user_id=driver_id, reason="by name and email")
    audit_record(actor=None, action="user.update", target_user_id="user01HN0000000000000000000099")

    def shown(**params) -> list[str]:
        response = client.get(TRAIL, params)
        return [e.reason for e in response.context["page"].object_list if e.target_user_id]

    assert shown(actor="hopp") == ["by name and email"]  # part of the name
    assert shown(target_user_id="  ada.lovelace@example.COM ") == ["by name and email"]  # any case
    assert shown(target_user_id=driver_id) == ["by name and email"]
    assert shown(target_user_id="nobody@example.com") == []
    html = client.get(TRAIL, {"target_user_id": driver_id}).content.decode()
    assert f'title="{driver_id}">Ada.Lovelace@Example.com</a>' in html  # the driver by email, the id on hover


def test_the_trail_reads_tariffs_by_name_with_the_id_on_hover_and_exports_the_ids(client_as, store_accounts):  # noqa: F811
    from tests.driver_directory.test_search import AGILE, GO, OCTOPUS

    client = client_as("auditor")
    store_accounts(ApiUserFactory(number=1, tariff=AGILE, supplier=OCTOPUS),
                   ApiUserFactory(number=2, tariff=GO, supplier=OCTOPUS))
    audit_record(actor=None, action="user.update", target_user_id="user01HN0000000000000000000001",
                 before={"default_location": {"tariff": AGILE[0]}}, after={"default_location": {"tariff": GO[0]}})
    html = client.get(TRAIL).content.decode()
    assert f'<span title="{GO[0]}">Intelligent Go · Octopus Energy</span>' in html
    assert f">{AGILE[0]}<" not in html  # no bare id for a person to decode
    exported = "\n".join(",".join(row) for row in _csv_rows(client.get(EXPORT)))
    assert GO[0] in exported and "Intelligent Go" not in exported  # exports keep the API's ids


def test_invalid_filters_show_errors_and_no_events(client_as):
    client = client_as("auditor")
    audit_record(actor=None, action="user.create")
    response = client.get(TRAIL, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "must be on or after" in response.content.decode()
    assert list(response.context["page"].object_list) == []
    assert client.get(EXPORT, {"action": "no-such-action"}).status_code == 400


@pytest.mark.parametrize("per_page, expected", [(None, 25), ("25", 25), ("50", 50), ("100", 100), ("7", 0)])
def test_page_sizes(client_as, per_page, expected):
    client = client_as("auditor")
    for n in range(120):
        audit_record(actor=None, action="user.update", target_user_id=f"u-{n}")
    params = {"per_page": per_page} if per_page else {}
    page = client.get(TRAIL, params).context["page"]
    assert len(page.object_list) == expected


def test_pagination_links_keep_filters(client_as):
    client = client_as("auditor")
    for n in range(30):
        audit_record(actor=None, action="user.update", target_user_id="u-1" if n % 2 else "u-2")
    html = client.get(TRAIL, {"action": "user.update", "per_page": "25"}).content.decode()
    assert 'href="?action=user.update&amp;per_page=25&amp;page=2"' in html
    page2 = client.get(TRAIL, {"action": "user.update", "per_page": "25", "page": "2"}, headers=HTMX)
    assert page2.content.decode().count('<tr id="audit-event-') == 5
    assert "Events 26–30 of 30" in page2.content.decode()


def test_export_has_the_filtered_trail_and_neutralises_formulas(client_as):
    client = client_as("auditor")
    audit_record(actor=None, action="user.update", target_user_id="=HYPERLINK(\"http://x\")", reason="+1 call me")
    audit_record(actor=None, action="user.update", target_user_id="@SUM(A1)", reason="-2", after={"name": "Zoë"})
    audit_record(actor=None, action="user.create", target_user_id="\tTAB", reason="\rCR")

    response = client.get(EXPORT, {"action": "user.update"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="evadmin-audit-')
    header, *rows = _csv_rows(response)
    assert header[:5] == ["id", "occurred_at", "actor", "action", "target_user_id"]
    by_target = {row[4]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_target) == {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)"}
    assert by_target["'=HYPERLINK(\"http://x\")"]["reason"] == "'+1 call me"
    assert by_target["'@SUM(A1)"]["reason"] == "'-2"
    assert by_target["'@SUM(A1)"]["after"] == '{"name": "Zoë"}'

    _, *all_rows = _csv_rows(client.get(EXPORT))
    create = next(row for row in all_rows if row[3] == "user.create")
    assert (create[4], create[7]) == ("'\tTAB", "'\rCR")
    for row in all_rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_is_itself_recorded(client_as):
    client = client_as("auditor")
    b"".join(client.get(EXPORT, {"target_user_id": "u-5"}).streaming_content)
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor_username == "auditor-member"
    assert event.after == {"format": "csv", "filters": {"target_user_id": "u-5"}}
