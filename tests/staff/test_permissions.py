import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from evadmin.staff.permissions import (
    PUBLIC,
    SIGNED_IN,
    public_view,
    signed_in_required,
    staff_permission_required,
)
from tests.staff.fixtures import make_staff

pytestmark = pytest.mark.django_db


@staff_permission_required("accounts.edit_users")
def edit_view(request):
    return HttpResponse("edited")


def _request(user, *, htmx: bool = False, path: str = "/users/42/edit/?tab=location"):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/users/42/"} if htmx else {}
    request = RequestFactory().get(path, headers=headers)
    request.user = user
    request.htmx = HtmxDetails(request)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_records_the_permission_on_the_view():
    assert edit_view.required_permission == "accounts.edit_users"
    assert edit_view.__name__ == "edit_view"
    assert signed_in_required(lambda request: None).required_permission == SIGNED_IN
    assert public_view(lambda request: None).required_permission == PUBLIC


def test_rejects_short_permission_names():
    with pytest.raises(ValueError):
        staff_permission_required("edit_users")


def test_anonymous_is_sent_to_sign_in_and_back():
    response = edit_view(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/users/42/edit/%3Ftab%3Dlocation"


def test_anonymous_htmx_request_redirects_the_whole_page():
    response = edit_view(_request(AnonymousUser(), htmx=True))
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/users/42/"


def test_member_with_permission_gets_the_view():
    response = edit_view(_request(make_staff("support")))
    assert response.status_code == 200
    assert response.content == b"edited"


def test_member_without_permission_gets_a_403_page_naming_permission_and_roles():
    response = edit_view(_request(make_staff("viewer")))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<html" in html
    assert "accounts.edit_users" in html
    assert "Create and edit ev.energy users and locations" in html
    assert "<strong>support</strong>, <strong>support_lead</strong>, <strong>admin</strong>" in html
    assert "Your roles: <strong>viewer</strong>" in html


def test_member_with_no_role_is_told_so():
    html = edit_view(_request(make_staff(None))).content.decode()
    assert "Your roles: none" in html


def test_htmx_403_is_a_fragment_retargeted_to_flash():
    response = edit_view(_request(make_staff("viewer"), htmx=True))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<html" not in html
    assert "accounts.edit_users" in html
    assert response["HX-Retarget"] == "#flash"
    assert response["HX-Reswap"] == "innerHTML"


def test_signed_in_required_lets_any_member_in():
    view = signed_in_required(lambda request: HttpResponse("ok"))
    assert view(_request(make_staff(None))).status_code == 200
    assert view(_request(AnonymousUser())).status_code == 302
