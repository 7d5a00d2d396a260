"""Every view reachable by URL must declare who may use it (accounts/permissions.py)."""

from django.urls import URLPattern, URLResolver, get_resolver

from evadmin.accounts.permissions import PUBLIC, SIGNED_IN

# Django admin has its own staff check; the sandbox is a stand-in for the external API.
EXEMPT_MODULE_PREFIXES = ("django.contrib.admin", "evadmin.sandbox")


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_view_declares_its_permission():
    undeclared = []
    for route, callback in _patterns(get_resolver()):
        module = getattr(callback, "__module__", "") or ""
        if module.startswith(EXEMPT_MODULE_PREFIXES) or route.startswith("admin/"):
            continue
        required = getattr(callback, "required_permission", None)
        if not (required in (PUBLIC, SIGNED_IN) or (isinstance(required, str) and required.startswith("accounts."))):
            undeclared.append(f"{route} -> {module}.{getattr(callback, '__name__', callback)}")
    assert not undeclared, "views without @staff_permission_required / public_view:\n" + "\n".join(undeclared)


def test_the_known_views_declare_what_we_expect():
    routes = dict(_patterns(get_resolver()))
    assert routes["accounts/login/"].required_permission == PUBLIC
    assert routes["audit/"].required_permission == "accounts.view_audit"
    assert routes["audit/export.csv"].required_permission == "accounts.view_audit"
    assert routes[""].required_permission == SIGNED_IN
