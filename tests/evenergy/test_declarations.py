"""The client's declarations agree with the published spec: every operation exists, every filter is
one of its query parameters, and every scope is the one the spec names (or a documented quirk).

A filter the API does not know is ignored by it: without this check, a "models of this make" list
would quietly answer every model.
"""

import re

import pytest

from evadmin.evenergy import collections as c
from tests import spec

# Where the declaration departs from the spec's security, and why (API-NOTES.md).
SCOPE_QUIRKS = {
    # The spec names "chargingsession:read" here, almost certainly a typo.
    ("GET", "/charging_sub_sessions/{}/schedules"): {"chargingsession:read": "charging_session:read"},
}
# Operations that act for one driver without declaring the header: under client credentials the
# driver is named by EvEnergy-User (API-NOTES.md, "Authentication").
UNDECLARED_USER_HEADER = {
    "/vehicle_onboarding/onboarding_link": "its description: a link 'for the authenticated user'",
    "/notifications/{id}": "a notification of 'the user making the request', as the list's description says",
}
# Scopes a declaration adds for what its default expand reaches (not in the list operation's own security).
EXPAND_SCOPES = {"debug:read"}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def spec_operations() -> dict[tuple[str, str], dict]:
    spec.require_spec()
    return {(method.upper(), _shape(path)): operation
            for path, item in spec.loaded_spec()["paths"].items()
            for method, operation in item.items() if isinstance(operation, dict) and "responses" in operation}


def _parameters(operation: dict) -> dict[str, str]:
    raw = spec.loaded_spec()
    found = {}
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = raw["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        found[parameter["name"]] = parameter["in"]
    return found


def _scopes(operation: dict) -> set[str]:
    return {scope for requirement in operation.get("security") or [] for names in requirement.values()
            for scope in names}


def declared_operations():
    for operation in c.used_operations():
        yield pytest.param(operation, id=f"{operation.method} {operation.path}")


@pytest.mark.parametrize("operation", list(declared_operations()))
def test_each_operation_evadmin_uses_is_in_the_spec_with_the_scopes_it_names(operation):
    key = (operation.method, _shape(operation.path))
    found = spec_operations().get(key)
    assert found is not None, f"{operation.method} {operation.path} is not in openapi.yaml"
    named = {SCOPE_QUIRKS.get(key, {}).get(scope, scope) for scope in _scopes(found)}
    declared = {scope for scope in (operation.scope, *operation.also_needs) if scope}
    assert declared - EXPAND_SCOPES <= named, f"declared {declared}, the spec names {named}"
    assert not named or operation.scope in named, f"a 403 would be blamed on {operation.scope!r}, not {named}"


def _declarations_with_filters():
    for declaration in c.DECLARATIONS:
        if getattr(declaration, "filters", None):
            yield pytest.param(declaration, id=declaration.path)


@pytest.mark.parametrize("declaration", list(_declarations_with_filters()))
def test_each_declared_filter_is_a_query_parameter_of_its_operation(declaration):
    path = declaration.path.replace("{parent}", "{}").replace("{id}", "{}")
    method = getattr(declaration, "method", "GET")
    operation = spec_operations()[(method, _shape(path))]
    query = {name for name, where in _parameters(operation).items() if where == "query"}
    assert set(declaration.filters) <= query, f"not query parameters of {method} {path}: {set(declaration.filters) - query}"


def test_the_collections_that_take_evenergy_user_are_those_the_spec_gives_the_header():
    for declaration in c.DECLARATIONS:
        if not getattr(declaration, "per_user", False) or declaration.path in UNDECLARED_USER_HEADER:
            continue
        path = _shape(declaration.path.replace("{parent}", "{}"))
        method = getattr(declaration, "method", "GET")
        assert "EvEnergy-User" in _parameters(spec_operations()[(method, path)]), declaration.path


def test_the_ticket_list_declares_every_filter_the_spec_gives_it():
    """The ticket desk's queue can use all of them: none is missing, none invented."""
    parameters = _parameters(spec_operations()[("GET", "/support_tickets")])
    named = {name for name, where in parameters.items() if where == "query"} - {
        "page_before", "page_after", "page_size", "expand"}
    assert set(c.TICKET_FILTERS) == named
