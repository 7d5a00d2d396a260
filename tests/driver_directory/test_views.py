"""The directory's pages: /users/ in directory mode, /locations/ and its exports, the sync state page."""

import csv
import io

import pytest
from openpyxl import load_workbook

from evadmin.audit.models import AuditEvent
from evadmin.driver_directory.models import DirectoryAccount, DirectorySync
from evadmin.driver_directory.sync import directory_sync_step
from evadmin.driver_directory.tables import CappedCountPaginator
from tests.driver_directory.factories import ApiUserFactory
from tests.driver_directory.test_search import AGILE, OCTOPUS, SITE, TEMPO


@pytest.fixture
def accounts(store_accounts):
    return store_accounts(
        ApiUserFactory(number=1, email="ada@example.com", full_name="Ada Lovelace", postal_code="SW1A 1AA",
                       tariff=AGILE, supplier=OCTOPUS),
        ApiUserFactory(number=2, email="jean@example.fr", full_name="Jean Dupont", address_1="8 rue de la Paix",
                       city="Paris", postal_code="75002", country_code="FR", tariff=TEMPO, evse_site=SITE),
        ApiUserFactory(number=3, email="=HYPERLINK(\"http://evil.example\")@example.com", full_name="+Mallory",
                       city="-Leeds", postal_code="LS6 2AB"),
        ApiUserFactory(number=4, email="nobody@example.net", full_name="Noor Khan", location=False),
    )


def rows_of(html: str, table_class: str) -> int:
    body = html.split(f'class="striped {table_class}', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


# --- /users/ in directory mode ---------------------------------------------------------------
def test_users_search_is_answered_by_the_directory_without_the_api(client_as, accounts, settings):
    settings.EVADMIN_API_BASE_URL = "http://127.0.0.1:9/v2"  # nothing listens: any API call would fail
    response = client_as("viewer").get("/users/", {"q": "lovelace"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ada@example.com" in html and "jean@example.fr" not in html
    assert f'href="/users/{accounts[0]}/"' in html
    assert "1 account matches." in html
    assert "directory has not completed a sync" in html


def test_users_directory_search_as_an_htmx_partial_shows_directory_as_of(client_as, directory_api):
    directory_sync_step(kind="full")
    target = DirectoryAccount.objects.filter(country_code="GB").exclude(postal_code="").order_by("user_id")[7]
    response = client_as("viewer").get("/users/", {"q": target.postal_code.replace(" ", "").lower()},
                                       HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="users-results"' in html
    assert "Directory as of <time" in html
    assert f'href="/users/{target.user_id}/"' in html


def test_users_filters_and_sorting(client_as, accounts):
    viewer = client_as("viewer")
    html = viewer.get("/users/", {"country": "FR"}).content.decode()
    assert "jean@example.fr" in html and "ada@example.com" not in html
    html = viewer.get("/users/", {"directory": "1", "no_location": "on"}).content.decode()
    assert "nobody@example.net" in html and rows_of(html, "users-table") == 1
    html = viewer.get("/users/", {"directory": "1", "sort": "-full_name"}).content.decode()
    names = [name for name in ("Noor Khan", "Jean Dupont", "Ada Lovelace", "+Mallory") if name in html]
    assert sorted(names, key=html.index) == ["Noor Khan", "Jean Dupont", "Ada Lovelace", "+Mallory"]
    assert 'aria-sort="descending"' in html
    assert 'hx-get="?directory=1&amp;sort=full_name&amp;page=1"' in html  # the header's next sort, via htmx


def test_users_directory_pages_with_django_tables2(client_as, store_accounts):
    store_accounts(*(ApiUserFactory(number=n, full_name=f"Driver {n:03d}") for n in range(1, 61)))
    html = client_as("viewer").get("/users/", {"directory": "1", "page_size": 25, "page": 3}).content.decode()
    assert "Page 3 of 3" in html and rows_of(html, "users-table") == 10
    assert 'rel="prev"' in html and 'rel="next"' not in html


def test_counting_stops_at_the_cap_and_pages_reach_that_far(client_as, store_accounts, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 50)
    store_accounts(*(ApiUserFactory(number=n, full_name=f"Driver {n:03d}", city="Leeds" if n <= 9 else "York")
                     for n in range(1, 61)))
    viewer = client_as("viewer")
    html = viewer.get("/users/", {"q": "driver", "page_size": 25}).content.decode()
    assert "More than 50 accounts match" in html and "Page 1 of 2+" in html
    html = viewer.get("/users/", {"q": "driver", "page_size": 25, "page": 2}).content.decode()
    assert rows_of(html, "users-table") == 25 and 'rel="next"' not in html
    html = viewer.get("/users/", {"q": "driver leeds"}).content.decode()
    assert "9 accounts match." in html


def test_the_page_size_is_the_forms_choice_only(client_as, store_accounts):
    store_accounts(*(ApiUserFactory(number=n) for n in range(1, 31)))
    viewer = client_as("viewer")
    assert rows_of(viewer.get("/users/", {"directory": "1", "per_page": 1000}).content.decode(), "users-table") == 25
    html = viewer.get("/users/", {"directory": "1", "page_size": 1000}).content.decode()
    assert "Select a valid choice" in html


def test_an_unknown_filter_value_says_so(client_as, accounts):
    html = client_as("viewer").get("/users/", {"tariff": "tari-nonsense"}).content.decode()
    assert "Select a valid choice" in html


def test_the_api_list_and_email_lookup_stay_when_no_directory_parameter_is_given(client_as, accounts, monkeypatch):
    from evadmin.drivers import views

    called = []
    monkeypatch.setattr(views.selectors, "user_list_page", lambda **kwargs: called.append(kwargs) or _empty_page())
    client_as("viewer").get("/users/", {"email": "ada@example.com"})
    assert called and called[0]["email"] == "ada@example.com"


def _empty_page():
    from django.utils import timezone

    from evadmin.evenergy.pagination import CursorPage
    from evadmin.evenergy.read_cache import Read

    return Read(value=CursorPage(items=[]), fetched_at=timezone.now(), live=True)


# --- /locations/ -----------------------------------------------------------------------------------
def test_locations_lists_every_account_with_owner_links_and_country_counts(client_as, accounts):
    html = client_as("viewer").get("/locations/").content.decode()
    assert rows_of(html, "locations-table") == 4
    assert "8 rue de la Paix" in html and "75002" in html and "Tempo" in html and SITE in html
    assert "51.50000, -0.12000" in html
    assert f'<a href="/users/{accounts[1]}/">jean@example.fr</a>' in html
    assert '<span data-country="GB">2</span>' in html and '<span data-country="FR">1</span>' in html
    assert '<span data-country="">1</span>' in html  # the account without a location


def test_locations_filtered_by_country_as_an_htmx_partial(client_as, accounts):
    response = client_as("viewer").get("/locations/", {"country": "FR"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="locations-results"' in html
    assert rows_of(html, "locations-table") == 1 and "jean@example.fr" in html
    assert '<span data-country="GB">2</span>' in html  # counts keep the other countries to switch to
    assert 'href="/locations/export.csv?country=FR"' in html


@pytest.mark.parametrize(("role", "status"), [
    ("viewer", 200), ("support", 200), ("bulk_operator", 200), ("auditor", 200), ("admin", 200), (None, 403),
])
def test_locations_needs_view_users(client_as, role, status):
    assert client_as(role).get("/locations/").status_code == status


def test_locations_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/locations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_csv_export_round_trip_is_filtered_and_neutralised(client_as, accounts):
    response = client_as("viewer").get("/locations/export.csv", {"country": "GB", "sort": "postcode"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["User id", "Email", "Full name", "Address line 1"]
    assert [row[0] for row in rows[1:]] == [accounts[2], accounts[0]]  # GB only, by postcode
    mallory = rows[1]
    assert mallory[1] == "'=HYPERLINK(\"http://evil.example\")@example.com"
    assert mallory[2] == "'+Mallory" and mallory[5] == "'-Leeds"
    assert mallory[9:11] == ["51.5", "-0.12"]  # numbers are numbers, not neutralised text
    event = AuditEvent.objects.get(action="directory.export_locations")
    assert event.after == {"format": "csv", "query": "", "filters": {"country": "GB"}}


def test_xlsx_export_round_trip_is_filtered_and_neutralised(client_as, accounts):
    response = client_as("viewer").get("/locations/export.xlsx", {"q": "example.com"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "User id"
    assert [row[0] for row in rows[1:]] == [accounts[0], accounts[2]]
    assert rows[2][1].startswith("'=HYPERLINK") and rows[2][2] == "'+Mallory"
    assert rows[1][9] == 51.5 and rows[1][10] == -0.12


def test_export_with_invalid_filters_is_refused(client_as, accounts):
    assert client_as("viewer").get("/locations/export.csv", {"tariff": "nonsense"}).status_code == 400


def test_export_needs_view_users(client_as):
    assert client_as(None).get("/locations/export.xlsx").status_code == 403


# --- the sync state page ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["viewer", "support", "bulk_operator", "auditor", None])
def test_only_admins_see_the_sync_state_or_sync_now(client_as, role):
    client = client_as(role)
    assert client.get("/directory/").status_code == 403
    assert client.post("/directory/sync/").status_code == 403
    assert not DirectorySync.objects.exists()


def test_sync_state_shows_running_last_complete_requests_and_accounts(client_as, directory_api):
    done = directory_sync_step(kind="full")
    running = directory_sync_step(kind="full", max_pages=1)  # and one left running
    admin = client_as("admin")
    html = admin.get("/directory/").content.decode()
    assert f"Full sync #{done.sync_id}" in html and "250 accounts, 3 requests spent" in html
    assert f"Full sync #{running.sync_id}" in html and "100 accounts, 1 request spent" in html
    assert "next page after" in html
    assert '<span id="directory-accounts">250</span>' in html
    assert 'hx-trigger="every 5s"' in html  # refreshes itself while a sync runs
    partial = admin.get("/directory/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="sync-state"' in partial


def test_sync_now_starts_one_sync_and_says_so_when_one_runs(client_as, monkeypatch, django_capture_on_commit_callbacks):
    from evadmin.celery import app

    queued = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, **options: queued.append(kwargs))
    admin = client_as("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/directory/sync/", {"kind": "incremental"}, follow=True)
    sync = DirectorySync.objects.get()
    assert sync.kind == "full"  # nothing synced yet: incremental has nothing to start from
    assert queued == [{"kind": "full", "sync_id": sync.pk}]
    assert "Full sync started." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/directory/sync/", {"kind": "full"}, follow=True)
    assert "already running" in response.content.decode()
    assert DirectorySync.objects.count() == 1 and len(queued) == 1


def test_nav_links_to_locations_for_staff_who_view_users(client_as):
    assert 'href="/locations/"' in client_as("viewer").get("/users/", {"directory": "1"}).content.decode()
