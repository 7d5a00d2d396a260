import pytest
from django.urls import reverse

from evadmin.audit.models import AuditEvent
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_sign_in_page_renders_our_template(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sign in</h1>" in html
    assert 'name="password"' in html
    assert "Sign out" not in html  # no session controls when nobody is signed in


def test_sign_in_records_event_and_redirects_to_next(client):
    user = make_staff("support")
    response = client.post(
        LOGIN, {"username": "support-member", "password": "evadmin-support-demo", "next": "/"},
        headers={"X-Request-ID": "req-sign-in-1"}, REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    assert response.url == "/"
    event = AuditEvent.objects.get(action="auth.sign_in")
    assert event.actor == user
    assert event.actor_username == "support-member"
    assert event.client_ip == "10.1.2.3"
    assert event.request_id == "req-sign-in-1"


def test_failed_sign_in_records_attempted_username_but_never_the_password(client):
    make_staff("support")
    response = client.post(LOGIN, {"username": "support-member", "password": "Wr0ng-Secret-xyz"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.actor is None
    assert event.after == {"attempted_username": "support-member"}
    stored = " ".join(str(value) for value in AuditEvent.objects.values_list().get(pk=event.pk))
    assert "Wr0ng-Secret-xyz" not in stored
    assert "*****" not in stored  # not even Django's masked placeholder


def test_sign_out_is_post_only_and_recorded(client):
    user = make_staff("viewer")
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    event = AuditEvent.objects.get(action="auth.sign_out")
    assert event.actor == user
    assert client.get("/").status_code == 302  # signed out now


def test_start_page_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/"


@pytest.mark.parametrize(
    "role, sees_users, sees_audit, sees_staff_admin",
    [
        ("viewer", True, False, False),
        ("support", True, False, False),
        ("bulk_operator", True, False, False),
        ("auditor", True, True, False),
        ("admin", True, True, True),
        (None, False, False, False),
    ],
)
def test_nav_shows_only_permitted_sections(client_as, role, sees_users, sees_audit, sees_staff_admin):
    html = client_as(role).get("/").content.decode()
    assert ('href="/users/"' in html) is sees_users
    assert (f'href="{reverse("audit:trail")}"' in html) is sees_audit
    assert ('href="/admin/"' in html) is sees_staff_admin
    assert "Sign out" in html
    name = f"{role or 'norole'}-member"
    assert f'Signed in as </span><strong title="Signed in as {name}">{name}</strong>' in html


def test_start_page_lists_roles_and_what_they_allow(client_as):
    html = client_as("auditor").get("/").content.decode()
    assert "<strong>auditor</strong>: Read the audit trail and reports" in html
    assert "View the audit trail and reports" in html


def test_start_page_for_member_without_roles(client_as):
    assert "You have no roles yet" in client_as(None).get("/").content.decode()


def test_admin_role_can_open_django_admin_and_staff_list(client_as):
    client = client_as("admin")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
    assert client_as("support").get("/admin/").status_code == 302  # not is_staff: admin login page


@pytest.mark.parametrize("role", ["viewer", "support", None])
def test_staff_without_the_admin_role_get_the_403_page_at_django_admin_not_a_sign_in_form(client_as, role):
    response = client_as(role).get("/admin/", follow=True)
    html = response.content.decode()
    assert response.status_code == 403
    assert "You don’t have access to this" in html and "Django admin (/admin/) is for the admin role" in html
    assert 'name="password"' not in html
