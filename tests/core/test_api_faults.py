"""Every page under API faults: a friendly message, never a 500, and back to normal once they stop.

The pages are every GET route of the project (found by walking the URL patterns, so a new page is
covered or the enumeration test fails), with real path arguments (a sandbox user, a bulk job, an
audit report), plus the query-string variants that take other paths (directory search, exact-email
lookup, cursor paging and history paging as htmx fragments). Each is requested by a role that may
see it, against the real sandbox with faults injected: 20% and 100% 5xx, 429 bursts, revoked tokens,
2 s latency and answers that never come within the client's timeout. Writes (create, edit) keep the
form and never create a user twice, even when the answer to the POST is lost.
"""

from __future__ import annotations

import html
import io
import re
import time
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.data_quality.models import AuditReport
from evadmin.data_quality.services import audit_report_run_rules
from evadmin.driver_directory.export_jobs import location_export_request, location_export_run
from evadmin.driver_directory.models import DirectoryAccount
from evadmin.driver_directory.search import DirectoryFilters
from evadmin.evenergy.client import UsersApi, evenergy_client, reset_evenergy_client
from evadmin.evenergy.ratelimit import rate_budget
from evadmin.staff.permissions import PUBLIC, SIGNED_IN
from evadmin.staff.roles import roles_with_permission
from tests.bulk.conftest import offline_checker
from tests.bulk.factories import address, csv_bytes
from tests.conftest import sent
from tests.driver_directory.factories import directory_full_sync
from tests.processes import wait_for
from tests.staff.fixtures import make_staff
from tests.urls import project_routes

# Views that only accept POST (a GET answers 405); they are exercised by the write tests below
# or by their own packages' tests.
POST_ONLY = {
    "accounts:logout", "audit_reports:run", "users:form_field", "users:clear_address", "bulk:submit",
    "bulk:approve", "bulk:revert", "bulk:control", "directory:sync_now", "directory:exports",
}
# Pages that read the API while rendering and have no copy of their own: the API's trouble is a
# friendly error page (the edit form sends the agent back to the driver's page, saying why).
API_BACKED = {"users:create", "users:tariff_options", "reference:lists", "users:edit", "charging:panel", "charging:sub_session",
              "charging:night", "charging:logs", "fixes:fix", "tickets:list", "tickets:detail",
              "tickets:recategorise", "tickets:list?external_id", "rebates:submit",
              "notifications:edit_preferences"}
# Pages that read the API but, when it cannot answer, are drawn from evadmin's own copies with a
# note saying so (issue "People first": never a dead end). Every other page never reads the API.
FALLS_BACK = {"users:detail", "devices:list", "users:list?email", "users:list?after", "devices:list-htmx",
              "devices:vehicles", "devices:chargers", "devices:connectivity", "devices:vehicle_errors",
              "tickets:driver", "tickets:stats", "rebates:panel", "rebates:subscription", "rebates:payout",
              "programs:driver", "programs:part", "energy:solar", "energy:inverters", "energy:batteries", "energy:hem",
              "energy:live_power", "energy:energy_stats", "notifications:panel", "notifications:preferences",
              "notifications:detail", "carbon:panel", "carbon:prices"}
LOCAL_COPY_NOTES = ("Live data is unavailable", "can't be shown right now", "The API's own list can't be read right now")
# A few pages for the slow modes (each request there costs seconds).
REPRESENTATIVE = ("users:list", "users:detail", "devices:list", "users:list?q")
FRIENDLY_HEADLINES = ("The ev.energy API is not answering properly.", "The API&#x27;s hourly budget is used up.",
                      "evadmin could not sign in to the API.")
HTMX = {"HX-Request": "true"}
# Fragments only htmx asks for (a plain GET is sent to the page they belong to).
HTMX_ONLY = {"users:summary"}


@dataclass(frozen=True)
class Page:
    name: str  # the URL name, or name?variant for a query-string variant
    path: str
    role: str | None  # None: signed out (public pages)
    headers: dict

    @property
    def api_backed(self) -> bool:
        return self.name in API_BACKED

    @property
    def falls_back(self) -> bool:
        return self.name in FALLS_BACK

    @property
    def reads_the_api(self) -> bool:
        return self.api_backed or self.falls_back


def _role_for(callback) -> str | None:
    required = getattr(callback, "required_permission", None)
    if required == PUBLIC:
        return None
    if required == SIGNED_IN:
        return "viewer"
    return roles_with_permission(required)[0]  # the least role listed that holds the permission


def evadmin_routes() -> dict:
    """{url name: Route} of evadmin's own views (not Django admin, not the sandbox)."""
    return {route.name: route for route in project_routes()
            if route.name and not route.name.startswith("admin:") and not route.module.startswith("evadmin.sandbox")}


def path_arguments(route) -> list[str]:
    """The route's path arguments, its include's prefix too (users/<str:user_id>/devices/...): <name>,
    <str:name> or a regex's (?P<name>...)."""
    return list(dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", route.route)))


@dataclass(frozen=True)
class World:
    user_id: str  # a driver with a vehicle, a charger and a month of charging (a seeded support case's)
    job_id: int
    report_id: int
    case: dict  # that support case's truth: its devices, sub-session and night
    ticket: dict  # a seeded ticket case's truth (the offline-charger night's)
    export_id: int  # a finished large locations export, requested by the viewer the pages are read as
    rebate: dict | None = None  # the rebate case's truth (issue 17): a driver with an application ready to submit
    program: dict | None = None  # the program case's truth (issue 17): a driver eligible for a program, not enrolled
    energy: dict | None = None  # the energy case's truth (issue 17): a driver with solar, a home battery, a HEM system
    notification: dict | None = None  # the notifications case's truth (issue 17): notifications sent, all switched off


@pytest.fixture
def world(api_settings, sandbox_api, settings):
    """The sandbox's users in the directory, a bulk job and an audit report; a quick-failing client."""
    settings.EVADMIN_API_MAX_RETRIES = 1
    settings.EVADMIN_API_MAX_RETRY_WAIT = 0.05
    settings.EVADMIN_API_TIMEOUT = 4.0  # above the 2 s latency mode
    reset_evenergy_client()
    directory_full_sync()
    case = sandbox_api.seed_cases()["healthy_control"]
    operator = make_staff("bulk_operator", username="faults-operator")
    job = bulk_job_create_from_upload(
        file=io.BytesIO(csv_bytes([{"email": "faults-a@example.org", **address()}, {"email": "not-an-email"}])),
        file_name="drivers.csv", actor=operator, checker=offline_checker())
    report = audit_report_run_rules(report=AuditReport.objects.create())
    ticket = sandbox_api.seed_cases()["ticket_offline_charger_night"]
    export = location_export_request(actor=make_staff("viewer", username="faults-viewer"), file_format="csv",
                                     query="", filters=DirectoryFilters(), sort="")
    location_export_run(export_id=export.pk)
    return World(user_id=case["user_id"], job_id=job.pk, report_id=report.pk, case=case, ticket=ticket,
                 export_id=export.pk, rebate=sandbox_api.seed_cases()["rebate_stuck_in_evidence_review"],
                 program=sandbox_api.seed_cases()["program_eligible_not_enrolled"],
                 energy=sandbox_api.seed_cases()["solar_and_home_battery"],
                 notification=sandbox_api.seed_cases()["notifications_switched_off"])


def all_pages(world: World) -> list[Page]:
    night = world.case["night"]["plugged_in_at"][:10]  # a UTC date near the night: any date is a night's page
    arguments = {"user_id": world.user_id, "job_id": world.job_id, "report_id": world.report_id,
                 "evse_id": world.case["evse_id"], "vehicle_id": world.case["vehicle_id"],
                 "sub_session_id": world.case["sub_session_id"], "night": night, "fix_name": "password_reset",
                 "ticket_id": world.ticket["ticket"], "subcategory": "NO_CHARGE", "export_id": world.export_id,
                 "program_id": world.program["program"], "part": "tiers"}
    pages = []
    for name, entry in evadmin_routes().items():
        if name in POST_ONLY:
            continue
        if name == "rebates:submit":  # the rebate case's driver and the application they can submit
            kwargs = {"user_id": world.rebate["user_id"], "rebate_id": world.rebate["ready_rebate"]}
        elif name.startswith("programs:"):  # the program case's driver and the program they are eligible for
            kwargs = {key: arguments[key] for key in path_arguments(entry)} | {"user_id": world.program["user_id"]}
        elif name.startswith("energy:"):  # the energy case's driver and their HEM system
            kwargs = {key: {"user_id": world.energy["user_id"], "hem_id": world.energy["hem_system_id"]}[key]
                      for key in path_arguments(entry)}
        elif name.startswith("notifications:"):  # the notifications case's driver and their newest notification
            kwargs = {key: arguments.get(key) for key in path_arguments(entry)} | {
                "user_id": world.notification["user_id"]}
            if "notification_id" in kwargs:
                kwargs["notification_id"] = world.notification["newest_notification"]
        else:
            kwargs = {key: arguments[key] for key in path_arguments(entry)}
        query = {"charging:logs": f"?night={night}"}.get(name, "")  # the log timeline of a night
        headers = HTMX if name in HTMX_ONLY else {}
        pages.append(Page(name, reverse(name, kwargs=kwargs) + query, _role_for(entry.callback), headers))
    second_user = DirectoryAccount.objects.order_by("user_id").values_list("user_id", flat=True)[25]
    users, detail = reverse("users:list"), reverse("users:detail", args=[world.user_id])
    pages += [
        Page("users:list?q", f"{users}?q=example", "viewer", {}),
        Page("users:list?q-htmx", f"{users}?q=example&page=2", "viewer", HTMX),
        Page("users:list?email", f"{users}?email=nobody%40example.org", "viewer", {}),
        Page("users:list?after", f"{users}?source=api&after={second_user}", "viewer", HTMX),
        Page("users:detail?history_page", f"{detail}?history_page=1", "viewer", HTMX),
        Page("directory:locations?page", f"{reverse('directory:locations')}?page=2", "viewer", HTMX),
        Page("devices:list-htmx", reverse("devices:list", args=[world.user_id]), "viewer", HTMX),
        Page("tickets:list?external_id", f"{reverse('tickets:list')}?external_id={world.ticket['external_ticket_id']}",
             "viewer", {}),
    ]
    return pages


REDIRECTS_ON_SUCCESS = {"tickets:list?external_id"}


class Agents:
    """One signed-in test client per role (the same staff member across the test)."""

    def __init__(self) -> None:
        self.clients: dict[str | None, Client] = {}

    def get(self, page: Page):
        if page.role not in self.clients:
            client = Client()
            if page.role is not None:
                username = f"faults-{page.role}"  # the world's export was requested by faults-viewer
                client.force_login(get_user_model().objects.filter(username=username).first()
                                   or make_staff(page.role, username=username))
            self.clients[page.role] = client
        return self.clients[page.role].get(page.path, headers=page.headers)


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def shows_a_local_copy(text: str) -> bool:
    return any(note in html.unescape(text) for note in LOCAL_COPY_NOTES)


def assert_friendly(page: Page, response, *, status: int | tuple[int, ...]) -> None:
    text = body(response)
    if page.falls_back:  # evadmin's own copy, saying so: never an error page
        assert response.status_code == 200, (page, response.status_code, text[:1500])
        assert shows_a_local_copy(text), (page, text[:1500])
        assert "HX-Retarget" not in response, page
        return
    if page.name == "users:edit" and response.status_code == 302:  # no live driver: back to their page, saying why
        assert response["Location"].endswith(f"/users/{page.path.split('/')[2]}/"), page
        return
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (page, response.status_code, text[:1500])
    assert any(headline in text for headline in FRIENDLY_HEADLINES), (page, text[:1500])
    if page.headers:  # htmx: a banner retargeted to #flash, not a page inside the fragment's target
        assert response["HX-Retarget"] == "#flash", page
        assert "<html" not in text, page
    assert 'href="None"' not in text, page  # the Try again link leads somewhere


def success(page: Page) -> int:
    """What the page answers when the API does: opening a ticket by its number redirects to it."""
    return 302 if page.name in REDIRECTS_ON_SUCCESS else 200


def assert_recovers(agents: Agents, pages: list[Page], sandbox_api) -> None:
    sandbox_api.reset()
    for page in pages:
        response = agents.get(page)
        assert response.status_code == success(page), (page, response.status_code, body(response)[:1500])


def test_every_get_route_is_a_page_or_declared_post_only(world):
    routes, agents = evadmin_routes(), Agents()
    assert POST_ONLY <= set(routes), POST_ONLY - set(routes)
    for name in POST_ONLY:  # really refuses GET, so it needs no page under faults
        page = Page(name, "", None, {})
        kwargs = {key: {"user_id": world.user_id, "job_id": world.job_id, "report_id": world.report_id,
                        "field_name": "email", "action": "pause"}[key]
                  for key in path_arguments(routes[name])}
        roles = [_role_for(routes[name].callback)]
        response = agents.get(Page(name, reverse(name, kwargs=kwargs), roles[0], {}))
        assert response.status_code == 405, (page, response.status_code)
    assert {page.name for page in all_pages(world)} >= set(routes) - POST_ONLY
    assert API_BACKED | FALLS_BACK <= {page.name for page in all_pages(world)}


@pytest.mark.parametrize("mode", ["errors-20%", "errors-all", "429-burst"])
def test_every_page_is_friendly_under_api_errors_and_recovers(world, sandbox_api, mode):
    pages, agents = all_pages(world), Agents()
    if mode == "errors-20%":
        sandbox_api.faults(error_rate=0.2, error_status=503)
    elif mode == "errors-all":
        sandbox_api.faults(error_rate=1.0, error_status=502)
    else:
        sandbox_api.faults(force_429=10_000, retry_after=1)
    for page in pages:
        cache.clear()  # nothing served from the reference-data cache: every API-backed page asks the API
        response = agents.get(page)
        assert response.status_code != 500, page
        if not page.reads_the_api:
            assert response.status_code == 200, (page, response.status_code, body(response)[:1500])
        elif mode == "errors-20%":
            if response.status_code != success(page) or shows_a_local_copy(body(response)):
                assert_friendly(page, response, status=503)
        elif mode == "errors-all":
            assert_friendly(page, response, status=503)
        else:
            assert_friendly(page, response, status=429)
    if mode == "429-burst":
        time.sleep(1.1)  # the Retry-After evadmin was told to honour
    # The other pages answered 200 throughout.
    assert_recovers(agents, [page for page in pages if page.reads_the_api], sandbox_api)


def test_revoked_tokens_are_renewed_and_every_page_works(world, sandbox_api):
    pages, agents = all_pages(world), Agents()
    agents.get(pages[0])
    evenergy_client().token.get()  # a token in hand, so the revocation hits it
    sandbox_api.faults(revoke_all_tokens=True)
    for page in pages:
        response = agents.get(page)
        assert response.status_code == success(page), (page, response.status_code, body(response)[:1500])
    assert sent(sandbox_api, "POST", "/o/token/"), "the revoked token was never renewed"
    assert_recovers(agents, pages, sandbox_api)


def test_slow_api_pages_wait_and_answer(world, sandbox_api, settings):
    pages = [page for page in all_pages(world) if page.name in REPRESENTATIVE]
    agents = Agents()
    sandbox_api.faults(latency_ms=2000)
    for page in pages:
        response = agents.get(page)
        assert response.status_code == 200, (page, response.status_code, body(response)[:1500])
    assert_recovers(agents, pages, sandbox_api)


def test_an_api_hanging_past_the_timeout_gives_the_friendly_page(world, sandbox_api, settings):
    settings.EVADMIN_API_TIMEOUT = 1.0
    settings.EVADMIN_API_MAX_RETRIES = 0
    reset_evenergy_client()
    evenergy_client().token.get()  # token requests are never hung; fetch it before the hang
    pages = [page for page in all_pages(world) if page.name in REPRESENTATIVE]
    agents = Agents()
    sandbox_api.faults(hang_next=100, hang_seconds=1.5)
    for page in pages:
        cache.clear()
        response = agents.get(page)
        if page.reads_the_api:
            assert_friendly(page, response, status=503)
            assert "did not answer in time" in body(response), page  # the timeout, not some other error
        else:
            assert response.status_code == 200, page
    time.sleep(1.6)  # let the hung requests end before the sandbox's log is cleared
    assert_recovers(agents, pages, sandbox_api)


# --- Writes -------------------------------------------------------------------------------

def create_form(email: str) -> dict:
    return {"email": email, "reason": "fault test", **address(), "tariff": "", "evse_site": ""}


def sandbox_users_with(sandbox_api, email: str) -> list[dict]:
    import requests as http

    response = http.get(sandbox_api.url("/users"), params={"email": email},
                        headers={"Authorization": f"Bearer {sandbox_api.token()}", "EvEnergy-Version": "2"},
                        timeout=30)
    response.raise_for_status()
    return response.json()


def test_create_under_5xx_keeps_the_form_and_creates_once_after(world, sandbox_api, client_as):
    client, email = client_as("support"), f"faults-create-{time.monotonic_ns()}@example.org"
    client.get(reverse("users:create"))  # the form's reference data, as the agent loaded it
    sandbox_api.faults(error_rate=1.0, error_status=503)
    response = client.post(reverse("users:create"), create_form(email))
    assert response.status_code == 503
    text = body(response)
    assert "not answering properly" in text or "could not complete" in text, text[:2000]
    assert f'value="{email}"' in text and 'value="1 High Street"' in text  # nothing the agent typed is lost
    sandbox_api.reset()
    assert sandbox_users_with(sandbox_api, email) == []
    response = client.post(reverse("users:create"), create_form(email))
    assert response.status_code == 302, body(response)[:2000]
    assert len(sandbox_users_with(sandbox_api, email)) == 1


def test_create_whose_answer_is_lost_is_never_duplicated(world, sandbox_api, client_as, settings, monkeypatch):
    """The POST reaches the API but its answer never comes back within the timeout (no idempotency key)."""
    settings.EVADMIN_API_TIMEOUT = 1.0
    reset_evenergy_client()
    client, email = client_as("support"), f"faults-lost-{time.monotonic_ns()}@example.org"
    client.get(reverse("users:create"))
    real_create = UsersApi.create

    def create_with_its_answer_lost(self, **kwargs):
        sandbox_api.faults(hang_next=1, hang_seconds=1.5)  # exactly this POST hangs past the timeout
        return real_create(self, **kwargs)

    monkeypatch.setattr(UsersApi, "create", create_with_its_answer_lost)
    response = client.post(reverse("users:create"), create_form(email))
    text = body(response)
    # The look-up after the timeout runs while the POST still hangs, so it finds nothing: the form
    # comes back with the banner rather than a guess.
    assert response.status_code == 503, text[:2000]
    assert "cannot tell whether the account was created" in text and f'value="{email}"' in text
    monkeypatch.setattr(UsersApi, "create", real_create)
    wait_for(lambda: sandbox_users_with(sandbox_api, email), timeout=10,  # the hung POST is processed after its hang
             message=lambda: "the lost POST never created the user")
    # The agent presses Save again: evadmin looks before creating and says it exists.
    response = client.post(reverse("users:create"), create_form(email))
    assert response.status_code == 422, body(response)[:2000]
    assert "An account with this email already exists." in body(response)
    assert len(sandbox_users_with(sandbox_api, email)) == 1
    assert len([r for r in sent(sandbox_api, "POST") if r["path"].rstrip("/").endswith("/users")]) == 1


def test_edit_under_5xx_keeps_the_form_and_saves_after(world, sandbox_api, client_as):
    client = client_as("support")
    edit = reverse("users:edit", args=[world.user_id])
    form = client.get(edit).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(address(city="Faultsbury"), reason="fault test")
    sandbox_api.faults(error_rate=1.0, error_status=503)
    response = client.post(edit, data)
    assert response.status_code == 503, body(response)[:2000]
    assert 'value="Faultsbury"' in body(response)
    sandbox_api.reset()
    assert evenergy_client().users.get(world.user_id).default_location.city != "Faultsbury"
    response = client.post(edit, data)
    assert response.status_code == 302, body(response)[:2000]
    assert evenergy_client().users.get(world.user_id).default_location.city == "Faultsbury"
    rate_budget().clear()
