"""Uptime monitors and link checkers ask with HEAD: every page that answers GET answers HEAD too."""

import pytest
from django.views.decorators.http import require_GET, require_safe

from tests.urls import project_routes


@pytest.mark.django_db
def test_head_answers_like_get_without_a_body(client_as, client):
    assert client.head("/accounts/login/").status_code == 200
    assert client.head("/").status_code == 302  # anonymous: to sign in, as GET
    admin = client_as("admin")
    for path in ("/", "/users/?q=smith", "/locations/", "/audit/", "/api-budget/"):
        response = admin.head(path)
        assert response.status_code == 200, path
        assert response.content == b"", path


def test_no_evadmin_page_refuses_head():
    # require_GET and require_http_methods(["GET", ...]) without HEAD answer a monitor's HEAD with 405.
    assert _allowed_methods(require_GET(lambda request: None)) == {"GET"}  # the check sees them
    assert _allowed_methods(require_safe(lambda request: None)) == {"GET", "HEAD"}
    refusing = [route.route for route in project_routes()
                if route.module.startswith("evadmin.") and not route.module.startswith("evadmin.sandbox")
                and "GET" in (allowed := _allowed_methods(route.callback)) and "HEAD" not in allowed]
    assert not refusing, refusing


def _allowed_methods(view) -> set[str]:
    # django.views.decorators.http.require_http_methods keeps the list in its closure.
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, (list, tuple)) and value and all(isinstance(item, str) for item in value):
                if {item.upper() for item in value} <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}:
                    return {item.upper() for item in value}
        view = getattr(view, "__wrapped__", None)
    return {"GET", "HEAD"}
