"""Declared collections: how the sandbox serves a part of the API without a view per endpoint.

A collection is a declaration (`Collection`): its URL segment, id prefix, scope (None: public),
the queryset it serves (or a list, for static reference data such as the device catalogue), how
one object becomes JSON, the `expand` values and query filters the spec gives it, its pagination
style (`newest_first` for logs and sessions), how `EvEnergy-User` applies, what to load for a page
in one go (`prefetch`), and (for logs and other nested lists) the collection it hangs under.
`Detail` declares a one-object sub-resource (`/charging_sub_sessions/{id}/flags`),
`Action` a write on one object (`POST …/boost_start`). `routes()` turns every declaration into URL
patterns served by the shared pipeline in views/base.py (faults, token, budget, version, method,
scope), so each declared operation behaves like the hand-written user endpoints.

Adding a collection: declare it in a module of `evadmin/sandbox/collections/`, list it in that
module's `DECLARATIONS`, and seed its data in a module of `evadmin/sandbox/seeding/` named in its
`SEEDERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import re_path

from evadmin.sandbox import ids
from evadmin.sandbox.pagination import cursor_page, link_header, number_page, sequence_page
from evadmin.sandbox.responses import ApiError, json_response, not_found, validation_failed
from evadmin.sandbox.views.base import ApiContext, Operation, api_view

CURSOR, NUMBER, UNPAGED = "cursor", "number", "unpaged"
# How a collection takes its driver from EvEnergy-User: narrows to the driver's objects when given,
# or is required (400 without it, as the spec documents for a few operations), or is not used.
USER_OPTIONAL, USER_REQUIRED, USER_IGNORED = "optional", "required", "ignored"

Serializer = Callable[[Any, ApiContext, set[str]], dict]


def invalid_parameter(name: str, message: str) -> ApiError:
    return validation_failed("invalid-parameter", {name: [message]})


def parse_datetime(name: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_parameter(name, "Enter a valid date/time.") from None
    if value.tzinfo is None:
        raise invalid_parameter(name, "Give a time zone (Z or ±hh:mm).")
    return value


def parse_bool(name: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise invalid_parameter(name, "Must be true or false.")


BIGGEST_INT = 2**63 - 1  # what the database compares; a filter beyond it means the same as at it


def parse_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter(name, "A whole number is required.") from None
    return max(-BIGGEST_INT, min(BIGGEST_INT, value))


def parse_id(prefix: str) -> Callable[[str, str], str]:
    """The parser of a query parameter taking one id of `prefix` (the spec's pattern: prefix and 26
    capitals or digits); anything else is a 400, not an empty list."""
    shape = re.compile(prefix + r"[A-Z\d]{26}")

    def parse(name: str, raw: str) -> str:
        if not shape.fullmatch(raw):
            raise invalid_parameter(name, f"Enter a valid id ({prefix} followed by 26 capitals or digits).")
        return raw

    return parse


@dataclass(frozen=True)
class Filter:
    """A query parameter: its value parsed, then applied as a queryset lookup (or a function)."""

    lookup: str | Callable[[Any, Any], Any]
    parse: Callable[[str, str], Any] = lambda name, raw: raw
    choices: tuple[str, ...] = ()
    many: bool = False  # `x__in`: a comma-separated list
    with_context: bool = False  # the lookup function also takes the request's ApiContext

    def apply(self, queryset, name: str, raw: str, context=None):
        values = [part for part in raw.split(",") if part] if self.many else [raw]
        parsed = []
        for value in values:
            if self.choices and value not in self.choices:
                raise invalid_parameter(name, f'"{value}" is not one of {", ".join(self.choices)}.')
            parsed.append(self.parse(name, value))
        value = parsed if self.many else parsed[0]
        if callable(self.lookup):
            return self.lookup(queryset, value, context) if self.with_context else self.lookup(queryset, value)
        return queryset.filter(**{self.lookup: value})


@dataclass(frozen=True)
class Collection:
    name: str  # the URL segment: /v2/<name> (or /v2/<parent>/<id>/<name>)
    prefix: str  # the id prefix of its objects
    scope: str | None  # None: public (no token needed); "": any token
    # A queryset, or a list (static reference data: then filters are functions and `key` finds one).
    queryset: Callable[[], Any]
    serialize: Serializer
    expands: tuple[str, ...] = ()
    filters: Mapping[str, Filter] = field(default_factory=dict)
    paging: str = CURSOR
    acting_user: str = USER_OPTIONAL
    owner_field: str = "user_id"  # the queryset's field holding the driver's id
    parent: Collection | None = None
    parent_field: str = "parent_id"
    # Objects keyed by something other than their id (logs: /status_logs/{sampled_at}).
    key: Callable[[Any, str], Any] | None = None
    retrieve: bool = True
    list: bool = True
    # Called with the objects about to be served (a page, or the one retrieved) and the expand
    # set, before serializing: loads what they relate to in a few queries, not one per object.
    prefetch: Callable[[list, ApiContext, set[str]], None] | None = None
    # Writes on the collection or one object: {"POST": handler(context) , "PATCH": handler(context, obj)}.
    create: Callable[..., Any] | None = None
    create_scope: str = ""
    update: Callable[..., Any] | None = None
    update_scope: str = ""
    # Cursor pages newest first (descending ids), for lists the spec says are "sorted newest first".
    newest_first: bool = False
    # Expand values that need a scope beyond the collection's: {"assessment": "debug:read"}.
    expand_scopes: Mapping[str, str] = field(default_factory=dict)

    def expand_of(self, context: ApiContext) -> set[str]:
        """The request's expand values; expanding a part needing a scope the token lacks is a 403 naming it."""
        expand = context.expand(self.expands)
        for name, scope in self.expand_scopes.items():
            if name in expand and not context.has_scope(scope):
                raise ApiError(403, "Forbidden", f"Expanding {name} requires the scope: {scope}", "insufficient-scope")
        return expand

    def objects(self, context: ApiContext, expand: set[str], parent: Any = None):
        queryset = self.queryset()
        if parent is not None:
            queryset = queryset.filter(**{self.parent_field: parent.pk})
        elif self.acting_user == USER_REQUIRED and context.acting_user is None:
            raise ApiError(400, "EvEnergy-User header required",
                           f"/{self.name} acts for one driver: send the EvEnergy-User header.", "user-header-required")
        if context.acting_user is not None and self.acting_user != USER_IGNORED and parent is None:
            queryset = queryset.filter(**{self.owner_field: context.acting_user.pk})
        return queryset

    def find(self, context: ApiContext, object_id: str, parent: Any = None):
        """The object with this id (or key) that the request may see, else 404."""
        queryset = self.objects(context, set(), parent)
        if self.key is not None:
            found = self.key(queryset, object_id)
        else:
            found = queryset.filter(pk=object_id).first() if ids.is_id(object_id, self.prefix) else None
        if found is None:
            raise not_found(f"No {self.name.rstrip('s').replace('_', ' ')} found with id {object_id}.")
        return found


@dataclass(frozen=True)
class Detail:
    """A single-object sub-resource of a collection's object: GET /<collection>/{id}/<name>."""

    parent: Collection
    name: str
    scope: str
    serialize: Serializer
    expands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """A write on one object: <method> /<collection>/{id}/<name>; handler(context, obj) -> response."""

    parent: Collection
    name: str
    scope: str
    handler: Callable[..., Any]
    method: str = "POST"


@dataclass(frozen=True)
class Endpoint:
    """An operation at a fixed path (a check, a portal link): handler(context) -> response."""

    path: str
    handlers: Mapping[str, Operation]


def _parent_of(collection: Collection, context: ApiContext, kwargs: dict) -> Any:
    if collection.parent is None:
        return None
    return collection.parent.find(context, kwargs["parent_id"])


def _filtered(collection: Collection, context: ApiContext, queryset):
    for name, value in context.request.GET.items():
        declared = collection.filters.get(name)
        if declared is not None:
            queryset = declared.apply(queryset, name, value, context)
    return queryset


def list_response(collection: Collection, context: ApiContext, **kwargs):
    expand = collection.expand_of(context)
    parent = _parent_of(collection, context, kwargs)
    queryset = _filtered(collection, context, collection.objects(context, expand, parent))
    if collection.paging == UNPAGED:
        items, link = list(queryset), link_header(None, None)
    elif collection.paging == NUMBER:
        page = number_page(context.request, queryset)
        items, link = page.items, page.link
    elif isinstance(queryset, list):
        page = sequence_page(context.request, queryset, prefix=collection.prefix)
        items, link = page.items, page.link
    else:
        page = cursor_page(context.request, queryset, model=queryset.model, prefix=collection.prefix,
                           newest_first=collection.newest_first)
        items, link = page.items, page.link
    if collection.prefetch is not None:
        collection.prefetch(items, context, expand)
    response = json_response([collection.serialize(item, context, expand) for item in items])
    response["Link"] = link
    return response


def retrieve_response(collection: Collection, context: ApiContext, object_id: str, **kwargs):
    expand = collection.expand_of(context)
    parent = _parent_of(collection, context, kwargs)
    found = collection.find(context, object_id, parent)
    if collection.prefetch is not None:
        collection.prefetch([found], context, expand)
    return json_response(collection.serialize(found, context, expand))


def _bind(function, *args):
    def handler(context, **kwargs):
        return function(*args, context, **kwargs)
    return handler


def _collection_routes(collection: Collection) -> list:
    if collection.parent is None:
        base = rf"^v2/{collection.name}"
    else:
        base = rf"^v2/{collection.parent.name}/(?P<parent_id>[^/]+)/{collection.name}"
    routes = []
    operations: dict[str, Operation] = {}
    if collection.list:
        operations["GET"] = Operation(_bind(list_response, collection), collection.scope)
    if collection.create is not None:
        operations["POST"] = Operation(_bind(_create, collection), collection.create_scope or collection.scope)
    if operations:
        routes.append(re_path(base + "/?$", api_view(operations)))
    detail: dict[str, Operation] = {}
    if collection.retrieve:
        detail["GET"] = Operation(_bind(retrieve_response, collection), collection.scope)
    if collection.update is not None:
        detail["PATCH"] = Operation(_bind(_update, collection), collection.update_scope or collection.scope)
    if detail:
        routes.append(re_path(base + r"/(?P<object_id>[^/]+)/?$", api_view(detail)))
    return routes


def _create(collection: Collection, context: ApiContext, **kwargs):
    return collection.create(context)


def _update(collection: Collection, context: ApiContext, object_id: str, **kwargs):
    return collection.update(context, collection.find(context, object_id, _parent_of(collection, context, kwargs)))


def _detail_response(detail: Detail, context: ApiContext, parent_id: str):
    expand = context.expand(detail.expands)
    return json_response(detail.serialize(detail.parent.find(context, parent_id), context, expand))


def _action_response(action: Action, context: ApiContext, parent_id: str):
    return action.handler(context, action.parent.find(context, parent_id))


def routes(declarations) -> list:
    """URL patterns for declared collections, details, actions and endpoints, most specific first."""
    found: list = []
    sub_resources: dict[tuple[str, str], dict[str, Operation]] = {}
    for declaration in declarations:
        if isinstance(declaration, Collection):
            found += _collection_routes(declaration)
        elif isinstance(declaration, Detail):
            sub_resources.setdefault((declaration.parent.name, declaration.name), {})["GET"] = Operation(
                _bind(_detail_response, declaration), declaration.scope)
        elif isinstance(declaration, Action):
            sub_resources.setdefault((declaration.parent.name, declaration.name), {})[declaration.method] = Operation(
                _bind(_action_response, declaration), declaration.scope)
        elif isinstance(declaration, Endpoint):
            found.append(re_path(rf"^v2/{declaration.path}/?$", api_view(dict(declaration.handlers))))
    for (parent, name), operations in sub_resources.items():
        found.append(re_path(rf"^v2/{parent}/(?P<parent_id>[^/]+)/{name}/?$", api_view(operations)))
    return found
