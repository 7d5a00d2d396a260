"""Every view reachable by URL must declare who may use it (accounts/permissions.py)."""

from evadmin.staff.permissions import PUBLIC, SIGNED_IN
from tests.urls import project_routes

# Django admin has its own staff check; the sandbox is a stand-in for the external API.
EXEMPT_MODULE_PREFIXES = ("django.contrib.admin", "evadmin.sandbox")


def test_every_view_declares_its_permission():
    undeclared = []
    for route in project_routes():
        if route.module.startswith(EXEMPT_MODULE_PREFIXES) or route.route.startswith("admin/"):
            continue
        required = getattr(route.callback, "required_permission", None)
        if not (required in (PUBLIC, SIGNED_IN) or (isinstance(required, str) and required.startswith("accounts."))):
            undeclared.append(f"{route.route} -> {route.module}.{getattr(route.callback, '__name__', route.callback)}")
    assert not undeclared, "views without @staff_permission_required / public_view:\n" + "\n".join(undeclared)


def test_the_known_views_declare_what_we_expect():
    routes = {r.route: r.callback for r in project_routes()}
    assert routes["accounts/login/"].required_permission == PUBLIC
    assert routes["audit/"].required_permission == "accounts.view_audit"
    assert routes["audit/export.csv"].required_permission == "accounts.view_audit"
    assert routes[""].required_permission == SIGNED_IN
    assert routes["api-budget/"].required_permission == "accounts.view_audit"
