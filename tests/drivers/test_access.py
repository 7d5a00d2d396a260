"""Who may do what on the user pages."""

import pytest

USER_ID = "user" + "0" * 26


@pytest.mark.parametrize("role", ["viewer", "support", "bulk_operator", "auditor", "admin"])
def test_every_role_can_read_users(pages, role):
    assert pages(role).get("/users/").status_code == 200


@pytest.mark.parametrize("role,allowed", [("viewer", False), ("bulk_operator", False), ("auditor", False),
                                          ("support", True), ("admin", True)])
def test_only_support_and_admin_create_and_edit(pages, role, allowed):
    client = pages(role)
    assert (client.get("/users/new/").status_code == 200) is allowed
    list_html = client.get("/users/").content.decode()
    assert ("New user" in list_html) is allowed
    if not allowed:
        response = client.post("/users/new/", {"email": "x@example.com"})
        assert response.status_code == 403
        assert "support" in response.content.decode()  # says which role would allow it
        assert client.post(f"/users/{USER_ID}/clear-address/").status_code == 403


def test_no_role_cannot_read_users(pages):
    assert pages(None).get("/users/").status_code == 403


def test_anonymous_is_sent_to_sign_in(api_settings, client):
    response = client.get("/users/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
