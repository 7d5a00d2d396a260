"""The API's collections as declarations, and the one generic way the client reads and writes them.

A `Collection` says where a collection lives (its path; nested ones under `{parent}`), its id
prefix, the typed resource of its objects, the `expand` evadmin asks for by default, whether the
driver comes from `EvEnergy-User`, how it pages, the filters the spec gives it, the scopes it needs
and the evadmin feature that uses it. A `Detail` is a one-object sub-resource
(`/charging_sub_sessions/{id}/flags`), an `Action` a write on one object (`POST …/boost_start`),
an `Operation` a call at a fixed path (`GET /evse_compatibility/check`).

`client.collection(DECLARATION)` reads and writes through `EvEnergyClient.request`, the single
choke point (budget, ledger, errors, retries of reads only, secrets scrubbed). Writes go through
`EvEnergyClient.write`: never retried, and an answer lost on the way back is `OutcomeUnknown`, "may
have happened", with what to check. Adding a collection is a declaration here (and a resource
type in charging.py / devices.py); the users, tariffs and sites APIs in client.py came first and
keep their hand-written classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from evadmin.evenergy import carbon, charging, devices, energy, errors, notifications, programs, rebates, tickets
from evadmin.evenergy.pagination import (
    MAX_PAGE_SIZE,
    CursorPage,
    NumberPage,
    check_cursor,
    iter_cursor_pages,
    iter_number_pages,
    list_request,
)
from evadmin.evenergy.resources import Evse, Vehicle, check_id
from evadmin.evenergy.typed import parse_datetime

if TYPE_CHECKING:
    from evadmin.evenergy.client import EvEnergyClient

CURSOR, NUMBER, UNPAGED = "cursor", "number", "unpaged"

# The evadmin features that use the API, for `apicheck` and the README's table of operations.
DRIVERS = "Driver pages, search and the directory sync"
DRIVER_EDITS = "Creating and editing drivers, bulk onboarding"
DEVICES = "A driver's chargers and vehicles"
DEVICE_EVIDENCE = "Device evidence: debug logs, assessments, dispatcher logs"
CHARGING = "Charging sessions and sub-sessions"
CHARGING_FIXES = "Boost and energy recalculation"
DEVICE_FIXES = "Charger and vehicle fixes: settings, reconnect, disconnect, onboarding links"
PRICES = "Tariff prices on the charging timeline"
ACCOUNT = "Password reset emails and the webhook portal"
REFERENCE = "Device names and compatibility (makes, models, trims)"
TICKETS = "The ticket desk: support tickets, their messages and categories"
TICKET_CATEGORISATION = "Recategorising a support ticket"
TICKET_STATS = "The ticket desk's team statistics"
REBATES = "A driver's rebate applications, subscription and payout method"
REBATE_SUBMIT = "Submitting a driver's rebate application"
PROGRAMS_FEATURE = "A driver's programs: eligibility, tiers, vehicle compatibility, the participation agreement"
PROGRAM_ENROLMENT = "Joining a program and verifying a driver on their behalf"
ENERGY = "A driver's energy devices: solar arrays, inverters, home batteries, HEM systems"
NOTIFICATIONS_FEATURE = "A driver's notifications and notification preferences"
NOTIFICATION_PREFERENCES_EDIT = "Changing a driver's notification preferences"
CARBON = "A driver's grid carbon intensity and grid signals"


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_query_value(item) for item in value)
    return str(value)


def _timestamp_key(value: str | datetime) -> str:
    """A log's key, its timestamp, as a path segment: only a date-time gets there (never `..`)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None or moment.tzinfo is None:
        raise errors.NotFound(f"{value!r} is not a log's timestamp.", status=404)
    return quote(_query_value(moment), safe=":")


@dataclass(frozen=True)
class Collection:
    path: str  # "/charging_sub_sessions"; nested: "/evses/{parent}/status_logs"
    resource: Any  # the typed resource of its objects (has from_api)
    feature: str
    scope: str  # for reads; a 403 without a scope named in its detail is reported as this one
    prefix: str = ""  # the id prefix; "" when objects are keyed otherwise (logs: by timestamp)
    parent_prefix: str = ""  # nested collections: the parent's id prefix
    default_expand: tuple[str, ...] = ()
    per_user: bool = False  # the driver comes from EvEnergy-User
    paging: str = CURSOR
    filters: frozenset[str] = frozenset()  # query parameters the spec gives its list
    retrievable: bool = True
    write_scope: str = ""  # PATCH of one object, when the spec allows it
    write_feature: str = ""
    # Scopes a read needs besides `scope`: the operation's second one, or what its default expand
    # reaches (a sub-session's assessment is debug data).
    also_needs: tuple[str, ...] = ()
    max_pages: int | None = None  # a walk of more pages than this is a loop or a waste of the budget

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def list_path(self, parent: str | None) -> str:
        if self.parent_prefix:
            if parent is None:
                raise TypeError(f"{self.path} needs the parent's id")
            return self.path.format(parent=check_id(parent, self.parent_prefix))
        return self.path

    def object_path(self, key: str | datetime, parent: str | None) -> str:
        segment = check_id(key, self.prefix) if self.prefix else _timestamp_key(key)
        return f"{self.list_path(parent)}/{segment}"


@dataclass(frozen=True)
class Detail:
    """GET <collection>/{id}/<name>: one object describing the collection's object."""

    parent: Collection
    name: str
    resource: Any
    scope: str
    feature: str
    filters: frozenset[str] = frozenset()

    @property
    def path(self) -> str:
        return f"{self.parent.path}/{{id}}/{self.name}"


@dataclass(frozen=True)
class Action:
    """A write on one object: <method> <collection>/{id}/<name>. `check` tells staff what to look
    at when the answer was lost (the action may have happened)."""

    parent: Collection
    name: str
    resource: Any  # what the answer holds, or None for an empty answer
    scope: str
    feature: str
    check: str
    method: str = "POST"
    expected: tuple[int, ...] = (200,)

    @property
    def path(self) -> str:
        return f"{self.parent.path}/{{id}}/{self.name}"


@dataclass(frozen=True)
class Operation:
    """A call at a fixed path (a check, a link); `check` as for Action when it is a write."""

    method: str
    path: str
    resource: Any
    scope: str  # "" for the public operations (no token needed)
    feature: str
    check: str = ""
    expected: tuple[int, ...] = (200,)
    filters: frozenset[str] = frozenset()
    per_user: bool = False  # acts for the driver named by EvEnergy-User


def _params(declared: frozenset[str], filters: Mapping[str, Any]) -> dict[str, str]:
    unknown = set(filters) - declared
    if unknown:
        raise TypeError(f"not a filter of this list: {', '.join(sorted(unknown))}")
    return {name: _query_value(value) for name, value in filters.items() if value is not None}


def expand_params(values: Iterable[str]) -> dict[str, list[str]]:
    """`expand` repeated once per value (expand=a&expand=b), or nothing."""
    values = list(values)
    return {"expand": values} if values else {}


def page_size_param(page_size: int) -> int:
    return max(1, min(MAX_PAGE_SIZE, int(page_size)))


class CollectionApi:
    """Reads and writes of one declared collection."""

    def __init__(self, client: EvEnergyClient, collection: Collection) -> None:
        self.client = client
        self.collection = collection

    def _expand(self, expand: Iterable[str] | None) -> dict[str, list[str]]:
        return expand_params(self.collection.default_expand if expand is None else expand)

    def _headers(self, user: str | None) -> dict[str, str] | None:
        if user is None:
            return None
        if not self.collection.per_user:
            raise TypeError(f"{self.collection.path} does not take EvEnergy-User")
        return {"EvEnergy-User": check_id(user, "user")}

    def list(self, *, parent: str | None = None, user: str | None = None, page_size: int = 25,
             page_after: str | None = None, page_before: str | None = None, page: int = 1,
             expand: Iterable[str] | None = None, **filters: Any):
        """One page (one request): a CursorPage, a NumberPage, or a plain list when unpaged."""
        collection = self.collection
        params: dict[str, Any] = {**_params(collection.filters, filters),
                                  **self._expand(expand)}
        if collection.paging != UNPAGED:
            params["page_size"] = page_size_param(page_size)
        if collection.paging == NUMBER:
            params["page"] = max(1, int(page))
        elif page_after:
            params["page_after"] = check_cursor(page_after)
        elif page_before:
            params["page_before"] = check_cursor(page_before)
        response = list_request(self.client, collection.list_path(parent), params=params,
                                paged_by_cursor=bool(page_after or page_before), headers=self._headers(user))
        if collection.paging == NUMBER:
            return NumberPage.from_response(response, collection.resource.from_api, params["page"])
        if collection.paging == CURSOR:
            return CursorPage.from_response(response, collection.resource.from_api)
        return [collection.resource.from_api(item) for item in response.json()]

    def pages(self, *, parent: str | None = None, user: str | None = None, page_size: int = MAX_PAGE_SIZE,
              expand: Iterable[str] | None = None, max_pages: int | None = None, **filters: Any) -> Iterator:
        """Every page in order, lazily (one request each), stopping on a list that does not move."""
        expand = None if expand is None else tuple(expand)
        max_pages = max_pages or self.collection.max_pages
        bound = {"max_pages": max_pages} if max_pages else {}
        if self.collection.paging == UNPAGED:
            return iter([self.list(parent=parent, user=user, expand=expand, **filters)])
        if self.collection.paging == NUMBER:
            return iter_number_pages(
                lambda number: self.list(parent=parent, user=user, page_size=page_size, page=number, expand=expand,
                                         **filters),
                collection=self.collection.name, **bound)
        return iter_cursor_pages(
            lambda cursor: self.list(parent=parent, user=user, page_size=page_size, page_after=cursor,
                                     expand=expand, **filters),
            collection=self.collection.name, **bound)

    def get(self, key: str | datetime, *, parent: str | None = None, user: str | None = None,
            expand: Iterable[str] | None = None):
        collection = self.collection
        params = self._expand(expand)
        response = self.client.request("GET", collection.object_path(key, parent), params=params,
                                       headers=self._headers(user))
        return collection.resource.from_api(response.json())

    def update(self, object_id: str, changes: dict[str, Any], *, check: str, expand: Iterable[str] | None = None):
        """PATCH only `changes`. Never retried; a lost answer is OutcomeUnknown with `check`. None when the
        API answers without a body (the spec documents no body for some PATCHes: support tickets')."""
        collection = self.collection
        if not collection.write_scope:
            raise TypeError(f"{collection.path} objects cannot be changed")
        params = self._expand(expand)
        response = self.client.write("PATCH", collection.object_path(object_id, None), json=changes,
                                     params=params, check=check)
        if not response.content.strip():
            return None
        return collection.resource.from_api(response.json())


def read_detail(client: EvEnergyClient, detail: Detail, object_id: str, **filters: Any):
    path = detail.path.format(id=check_id(object_id, detail.parent.prefix))
    response = client.request("GET", path, params=_params(detail.filters, filters))
    return detail.resource.from_api(response.json())


def perform(client: EvEnergyClient, action: Action, object_id: str, *, json: Any = None):
    """Send the action once. Its answer (typed), or None when the API answers with no body."""
    path = action.path.format(id=check_id(object_id, action.parent.prefix))
    response = client.write(action.method, path, json=json, expected=action.expected, check=action.check)
    if action.resource is None or not response.content:
        return None
    return action.resource.from_api(response.json())


def call(client: EvEnergyClient, operation: Operation, *, json: Any = None, user: str | None = None, **filters: Any):
    params = _params(operation.filters, filters)
    if (user is not None) != operation.per_user:
        raise TypeError(f"{operation.path} {'needs' if operation.per_user else 'does not take'} EvEnergy-User")
    headers = {"EvEnergy-User": check_id(user, "user")} if user is not None else None
    if operation.method == "GET":
        response = client.request("GET", operation.path, params=params, headers=headers, expected=operation.expected)
    else:
        response = client.write(operation.method, operation.path, json=json, params=params, headers=headers,
                                expected=operation.expected, check=operation.check)
    if operation.resource is None or not response.content:
        return None
    body = response.json()
    if not hasattr(operation.resource, "from_api"):
        return body
    if isinstance(body, list):  # an unpaged list (dispatcher logs)
        return [operation.resource.from_api(item) for item in body]
    return operation.resource.from_api(body)


# --- Declarations ----------------------------------------------------------------------------

SUB_SESSION_FILTERS = frozenset({
    "user_id", "evse_id", "vehicle_id", "start__gt", "start__lt", "end__gt", "end__lt", "is_finished", "mode",
    "energy_delivered_watt_hours__gte", "energy_delivered_watt_hours__lte",
})
SAMPLED = frozenset({"sampled_at__gte", "sampled_at__lte"})
LOGGED = frozenset({"logged_at__gte", "logged_at__lte"})

CHARGING_SESSIONS = Collection(
    "/charging_sessions", charging.ChargingSession, CHARGING, "charging_session:read", prefix="cses",
    per_user=True)
# One request shows a sub-session and why it went as it did: the explanations ride along (expand).
CHARGING_SUB_SESSIONS = Collection(
    "/charging_sub_sessions", charging.ChargingSubSession, CHARGING, "charging_session:read", prefix="csub",
    per_user=True, filters=SUB_SESSION_FILTERS,
    default_expand=("flags", "assessment", "tariff", "vehicle.latest_status_log"), also_needs=("debug:read",))
SUB_SESSION_ENERGY_USAGE = Detail(CHARGING_SUB_SESSIONS, "energy_usage", charging.EnergyUsage,
                                  "charging_session:read", CHARGING,
                                  frozenset({"energy_delivered_watt_hours__gt", "merge_consecutive_intervals"}))
SUB_SESSION_FLAGS = Detail(CHARGING_SUB_SESSIONS, "flags", charging.SubSessionFlags, "charging_session:read", CHARGING)
SUB_SESSION_SCHEDULES = Detail(
    CHARGING_SUB_SESSIONS, "schedules", charging.Schedules, "charging_session:read", CHARGING,
    frozenset({"started_at__gte", "started_at__lte", "schedule_plan_id", "only_most_recently_created"}))
SUB_SESSION_SCHEDULE_PLANS = Detail(CHARGING_SUB_SESSIONS, "schedule_plans", charging.SchedulePlans, "debug:read",
                                    DEVICE_EVIDENCE, frozenset({"created_at__gte", "created_at__lte"}))
SUB_SESSION_ASSESSMENT = Detail(CHARGING_SUB_SESSIONS, "assessment", charging.Assessment, "debug:read",
                                DEVICE_EVIDENCE)
SUB_SESSION_DEBUG_METADATA = Detail(CHARGING_SUB_SESSIONS, "debug_metadata", charging.DebugMetadata, "debug:read",
                                    DEVICE_EVIDENCE)
BOOST_START = Action(CHARGING_SESSIONS, "boost_start", charging.ChargingSession, "charging_session:write",
                     CHARGING_FIXES, "Open the driver's charging sessions: a BOOST sub-session has started if it did.")
BOOST_END = Action(CHARGING_SESSIONS, "boost_end", charging.ChargingSession, "charging_session:write",
                   CHARGING_FIXES, "Open the driver's charging sessions: the BOOST sub-session has ended if it did.")
RECALCULATE_ENERGY_USAGES = Action(
    CHARGING_SUB_SESSIONS, "recalculate_energy_usages", charging.EnergyRecalculation, "charging_session:write", CHARGING_FIXES,
    "Reload the sub-session: its energy figures change once a recalculation has run.")
DISPATCHER_LOGS = Operation("GET", "/dispatcher_logs", charging.DispatcherLog, "debug:read", DEVICE_EVIDENCE,
                            filters=frozenset({"charging_sub_session_id"}) | LOGGED)

EVSES = Collection(
    "/evses", Evse, DEVICES, "evse:read", prefix="evse", per_user=True, filters=frozenset({"cpid"}),
    default_expand=("model.make", "latest_status_log"), write_scope="evse:write", write_feature=DEVICE_FIXES)
VEHICLES = Collection(
    "/vehicles", Vehicle, DEVICES, "vehicle:read", prefix="vhcl", per_user=True,
    default_expand=("trim.model.make", "latest_status_log"), write_scope="vehicle:write", write_feature=DEVICE_FIXES)
EVSE_STATUS_LOGS = Collection("/evses/{parent}/status_logs", devices.EvseStatusLog, DEVICES, "evse:read",
                              parent_prefix="evse", filters=SAMPLED)
EVSE_ERROR_LOGS = Collection("/evses/{parent}/error_logs", devices.EvseErrorLog, DEVICE_EVIDENCE, "debug:read",
                             parent_prefix="evse", filters=SAMPLED)
EVSE_OCPP_LOGS = Collection(
    "/evses/{parent}/ocpp_logs", devices.OcppLog, DEVICE_EVIDENCE, "debug:read", parent_prefix="evse",
    filters=SAMPLED | {"action", "action__in", "direction", "error_code", "error_code__in"})
EVSE_COMMAND_LOGS = Collection("/evses/{parent}/command_logs", devices.EvseCommandLog, DEVICE_EVIDENCE, "debug:read",
                               parent_prefix="evse", filters=LOGGED)
VEHICLE_STATUS_LOGS = Collection("/vehicles/{parent}/status_logs", devices.VehicleStatusLog, DEVICES,
                                 "vehicle:read", parent_prefix="vhcl", filters=SAMPLED)
VEHICLE_ERROR_LOGS = Collection("/vehicles/{parent}/error_logs", devices.VehicleErrorLog, DEVICES, "vehicle:read",
                                parent_prefix="vhcl", filters=LOGGED)
VEHICLE_LOCATION_LOGS = Collection("/vehicles/{parent}/location_logs", devices.VehicleLocationLog, DEVICES,
                                   "vehicle:read", parent_prefix="vhcl", filters=SAMPLED)
VEHICLE_COMMAND_LOGS = Collection("/vehicles/{parent}/command_logs", devices.VehicleCommandLog, DEVICE_EVIDENCE,
                                  "debug:read", parent_prefix="vhcl", filters=LOGGED)
EVSE_CONNECTIVITY = Detail(EVSES, "connectivity", devices.EvseConnectivity, "evse:read", DEVICES)
VEHICLE_STATE_OF_CHARGE = Detail(VEHICLES, "state_of_charge", devices.StateOfCharge, "vehicle:read", DEVICES)
EVSE_RECONNECT = Action(EVSES, "reconnect", devices.ReconnectionLink, "evse:write", DEVICE_FIXES,
                        "A reconnection link may have been made: ask for a new one; an unused link does no harm.",
                        expected=(201,))
# The spec asks for a token and names no scope here.
VEHICLE_RECONNECT = Action(VEHICLES, "reconnect", devices.ReconnectionLink, "", DEVICE_FIXES,
                           "A reconnection link may have been made: ask for a new one; an unused link does no harm.",
                           expected=(201,))
VEHICLE_DISCONNECT = Action(VEHICLES, "disconnect", Vehicle, "vehicle:write", DEVICE_FIXES,
                            "Reload the vehicle: its integration no longer reads ACTIVE if the disconnect happened.")
VEHICLE_ONBOARDING_LINK = Operation(
    "POST", "/vehicle_onboarding/onboarding_link", None, "vehicle:write", DEVICE_FIXES,
    "The driver may have been sent an onboarding link: ask them before sending another.", expected=(204,),
    per_user=True)

VEHICLE_MAKES = Collection("/vehicle_makes", devices.Make, REFERENCE, "", prefix="vmak")
VEHICLE_MODELS = Collection("/vehicle_models", devices.DeviceModel, REFERENCE, "", prefix="vmod",
                            filters=frozenset({"make_id", "available_for_user_id"}))
VEHICLE_TRIMS = Collection("/vehicle_trims", devices.VehicleTrim, REFERENCE, "vehicle:read", prefix="trim",
                           filters=frozenset({"model_id"}))
EVSE_MAKES = Collection("/evse_makes", devices.Make, REFERENCE, "", prefix="emak")
EVSE_MODELS = Collection("/evse_models", devices.DeviceModel, REFERENCE, "", prefix="emod",
                         filters=frozenset({"make_id", "available_for_user_id"}))
VEHICLE_COMPATIBILITY = Operation("GET", "/vehicle_compatibility/check", devices.CompatibilityCheck, "", REFERENCE,
                                  filters=frozenset({"vehicle_model_id", "country", "client_id", "program_id"}))
EVSE_COMPATIBILITY = Operation("GET", "/evse_compatibility/check", devices.CompatibilityCheck, "", REFERENCE,
                               filters=frozenset({"evse_model_id", "country", "client_id", "program_id"}))
# A tariff's prices go back years (half-hourly): a walk stops after a month's worth unless bounded.
TARIFF_PRICES = Collection("/tariffs/{parent}/prices", charging.Price, PRICES, "tariff:prices:read",
                           parent_prefix="tari", paging=NUMBER, retrievable=False, also_needs=("tariff:read",),
                           filters=frozenset({"started_at__gte", "started_at__lte"}), max_pages=15)
# Every filter the spec gives GET /support_tickets, by the spec's names.
TICKET_FILTERS = frozenset({
    "external_ticket_id", "status", "status__in", "priority", "priority__in", "priority__isnull", "source",
    "source__in", "tags", "user", "user__isnull",
    *(f"{who}_{level}{suffix}" for who in ("human_verified", "ai_generated") for level in ("category", "subcategory")
      for suffix in ("", "__isnull")),
    *(f"{moment}__{lookup}" for moment in ("created_at", "resolved_at", "ticket_updated_at")
      for lookup in ("gte", "lte", "range")),
    "resolved_at__isnull", "ticket_updated_at__isnull",
})
# A ticket comes with its driver (names in the queue, the driver panel without a request of its own);
# its page asks for the messages too, so a ticket is one request.
SUPPORT_TICKETS = Collection(
    "/support_tickets", tickets.SupportTicket, TICKETS, "support:read", prefix="tick", per_user=True,
    filters=TICKET_FILTERS, default_expand=("user",), write_scope="support:write",
    write_feature=TICKET_CATEGORISATION)
SUPPORT_TICKET_MESSAGES = Collection(
    "/support_tickets/{parent}/messages", tickets.TicketMessage, TICKETS, "support:read", prefix="tmsg",
    parent_prefix="tick", paging=UNPAGED,
    filters=frozenset({"message_type", "message_type__in", "position", "position__gte", "position__lte"}))
# The spec asks for a token and names no scope for the taxonomy and the statistics.
TICKET_CATEGORIES = Operation("GET", "/support_tickets/categories", tickets.TicketTaxonomy, "", TICKETS)
TICKET_STATS_VOLUME = Operation("GET", "/support-ticket-stats/volume", tickets.TicketVolume, "", TICKET_STATS,
                                filters=frozenset({"group_by"}))
TICKET_STATS_RESOLUTION = Operation("GET", "/support-ticket-stats/resolution", tickets.TicketResolution, "",
                                    TICKET_STATS)
TICKET_STATS_STATUS = Operation("GET", "/support-ticket-stats/status", tickets.StatusBreakdown, "", TICKET_STATS)
TICKET_STATS_PRIORITY = Operation("GET", "/support-ticket-stats/priority", tickets.PriorityBreakdown, "",
                                  TICKET_STATS)
TICKET_STATS_SOURCE = Operation("GET", "/support-ticket-stats/source", tickets.SourceBreakdown, "", TICKET_STATS)
TICKET_STATS_TOP_CATEGORIES = Operation("GET", "/support-ticket-stats/top-categories", tickets.TopCategories, "",
                                        TICKET_STATS, filters=frozenset({"limit"}))
TICKET_STATS_SANKEY = Operation("GET", "/support-ticket-stats/sankey", tickets.CategoryFlow, "", TICKET_STATS)

PASSWORD_RESET = Operation("POST", "/auth/password_reset", None, "", ACCOUNT,
                           "A reset email may have been sent: ask the driver to check their inbox before sending "
                           "another.")
WEBHOOK_PORTAL = Operation("GET", "/webhook_portal", dict, "", ACCOUNT)

# --- Rebates, subscriptions and the payout method (issue 17) -----------------------------------
# The spec asks for a token and names no scope for rebate types, applications and evidence files.
# Rebate lists are plain arrays (no pagination). An application comes with its type and the evidence
# the type requires, each with the driver's file and values: one request says what is missing.
REBATE_TYPES = Collection("/rebate_types", rebates.RebateType, REBATES, "", prefix="rbtt", paging=UNPAGED,
                          default_expand=("required_evidence",))
REBATE_EVIDENCE_TYPES = Collection("/rebate_evidence_types", rebates.RebateEvidenceType, REBATES, "", prefix="rbet",
                                   paging=UNPAGED)
USER_REBATES = Collection(
    "/user_rebates", rebates.UserRebate, REBATES, "", prefix="rbtu", per_user=True, paging=UNPAGED,
    default_expand=("rebate_type", "rebate_type.required_evidence"))
REBATE_EVIDENCE_FILES = Collection("/rebate_evidence_files", rebates.RebateEvidenceFile, REBATES, "", prefix="rbef",
                                   per_user=True, paging=UNPAGED, default_expand=("rebate_evidence_type",))
# Sent once with the driver's EvEnergy-User; the spec's path puts the verb after a colon.
USER_REBATE_SUBMIT = Operation(
    "POST", "/user_rebates/{id}:submit", None, "", REBATE_SUBMIT,
    "Reload the driver's rebates: the application reads \"submitted: in evidence review\" if it was submitted.",
    per_user=True)
SUBSCRIPTIONS = Collection("/subscriptions", rebates.Subscription, REBATES, "subscription:read", prefix="subs",
                           per_user=True, retrievable=False, default_expand=("offering",))
# The spec serves an offering by its id only (no list).
SUBSCRIPTION_OFFERING = Operation("GET", "/subscription_offerings/{id}", rebates.SubscriptionOffering,
                                  "subscription:read", REBATES)
_USERS = Collection("/users", dict, DRIVERS, "user:read", prefix="user")  # the parent of a user's details only
PAYOUT_METHOD = Detail(_USERS, "payout_method", rebates.PayoutMethod, "payout_method:read", REBATES)


def user_rebate_submit(client: EvEnergyClient, rebate_id: str, *, user: str) -> None:
    """POST /user_rebates/{id}:submit once, as the driver (EvEnergy-User): never retried."""
    path = USER_REBATE_SUBMIT.path.format(id=check_id(rebate_id, USER_REBATES.prefix))
    client.write("POST", path, headers={"EvEnergy-User": check_id(user, "user")},
                 expected=USER_REBATE_SUBMIT.expected, check=USER_REBATE_SUBMIT.check)


def subscription_offering_get(client: EvEnergyClient, offering_id: str) -> rebates.SubscriptionOffering:
    path = SUBSCRIPTION_OFFERING.path.format(id=check_id(offering_id, "subo"))
    return rebates.SubscriptionOffering.from_api(client.request("GET", path).json())


REBATE_DECLARATIONS = (
    REBATE_TYPES, REBATE_EVIDENCE_TYPES, USER_REBATES, REBATE_EVIDENCE_FILES, USER_REBATE_SUBMIT, SUBSCRIPTIONS,
    SUBSCRIPTION_OFFERING, PAYOUT_METHOD,
)

# --- Programs (issue 17) ---
# Public reads (the spec: no token needed); with EvEnergy-User, /programs answers the programs the
# driver may be eligible for at their location and tiers carry `eligible`. The spec has no expand on
# programs: the panel is the driver's list (1 request); tiers, vehicles and the agreement load per program.
PROGRAMS = Collection(
    "/programs", programs.Program, PROGRAMS_FEATURE, "", prefix="prog", per_user=True, paging=UNPAGED,
    filters=frozenset({"coordinates", "postal_code", "country_code"}))
PROGRAM_TIERS = Collection("/programs/{parent}/tiers", programs.ProgramTier, PROGRAMS_FEATURE, "", prefix="tier",
                           parent_prefix="prog", per_user=True)
PROGRAM_VEHICLE_COMPATIBILITY = Collection(
    "/programs/{parent}/vehicle_compatibility", programs.ProgramVehicleCompatibility, PROGRAMS_FEATURE,
    "vehicle:read", parent_prefix="prog", per_user=True, paging=UNPAGED, retrievable=False,
    default_expand=("model",))  # the models' names, in the same request
PROGRAM_CURRENT_AGREEMENT = Detail(PROGRAMS, "participation_agreement_versions/current",
                                   programs.ParticipationAgreementVersion, "", PROGRAMS_FEATURE)
PROGRAM_JOIN = Action(PROGRAMS, "join", programs.Program, "utility_account:write", PROGRAM_ENROLMENT,
                      "Open the driver's programs in the app or ask the driver: the driver is enrolled in the "
                      "program's default tier if the join happened (joining again changes nothing).",
                      expected=(201,))
# The spec asks for a token and names no scope here (`programs:write` is only the agreement's accept's).
PROGRAM_USER_VERIFICATION = Action(
    PROGRAMS, "user_verification", None, "", PROGRAM_ENROLMENT,
    "The verification data may have been sent: ask the utility or the driver before sending it again.",
    expected=(201,))
INCENTIVE_SCHEMES = Operation("GET", "/incentive_schemes", programs.IncentiveScheme, "", PROGRAMS_FEATURE,
                              per_user=True)
PROGRAM_DECLARATIONS = (PROGRAMS, PROGRAM_TIERS, PROGRAM_VEHICLE_COMPATIBILITY, PROGRAM_CURRENT_AGREEMENT,
                        PROGRAM_JOIN, PROGRAM_USER_VERIFICATION, INCENTIVE_SCHEMES)

# --- Energy devices (issue 17) ------------------------------------------------------------------
# Reads only. Lists are arrays paged by cursor (Link header), each kind its own scope. A solar array
# comes with its inverter; inverters and home batteries with their make, model and latest status log:
# one request a kind. A HEM system's live power and energy statistics have no expand: one request each.
SOLAR_ARRAYS = Collection("/solar_arrays", energy.SolarArray, ENERGY, "solar:read", prefix="solr", per_user=True,
                          default_expand=("inverter",), filters=frozenset({"vehicle_id"}))
INVERTERS = Collection("/inverters", energy.Inverter, ENERGY, "inverter:read", prefix="invt", per_user=True,
                       default_expand=("model", "model.make", "latest_status_log"))
HOME_BATTERIES = Collection("/home_batteries", energy.HomeBattery, ENERGY, "home_battery:read", prefix="hoba",
                            per_user=True, default_expand=("model", "model.make", "latest_status_log"))
HOME_BATTERY_STATUS_LOGS = Collection(
    "/home_batteries/{parent}/status_logs", energy.HomeBatteryStatusLog, ENERGY, "home_battery:read",
    parent_prefix="hoba", filters=frozenset({"sampled_at__gte", "sampled_at__lte"}))
HEM_SYSTEMS = Collection("/hem_systems", energy.HemSystem, ENERGY, "home_energy:read", prefix="hems", per_user=True)
HEM_LIVE_POWER = Detail(HEM_SYSTEMS, "live_power", energy.HemLivePower, "home_energy:read", ENERGY)
# start, end and resolution are all required by the spec.
HEM_ENERGY_STATS = Detail(HEM_SYSTEMS, "energy_stats", energy.HemEnergyStats, "home_energy:read", ENERGY,
                          filters=frozenset({"start", "end", "resolution"}))
ENERGY_DECLARATIONS = (SOLAR_ARRAYS, INVERTERS, HOME_BATTERIES, HOME_BATTERY_STATUS_LOGS, HEM_SYSTEMS, HEM_LIVE_POWER,
                       HEM_ENERGY_STATS)
# --- Notifications (issue 17) ---
# The spec asks for a token and names no scope for notifications (list, retrieve, PATCH); the list is
# the driver's (EvEnergy-User) and pages by cursor. A driver's preferences need their own scopes.
NOTIFICATIONS = Collection("/notifications", notifications.Notification, NOTIFICATIONS_FEATURE, "", prefix="notf",
                           per_user=True)
# Marking a notification read (the spec's only writable field). evadmin does not mark a driver's
# notifications read for them; the client has it for completeness.
NOTIFICATION_UPDATE = Operation(
    "PATCH", "/notifications/{id}", notifications.Notification, "", NOTIFICATIONS_FEATURE,
    "Reload the driver's notifications: the notification reads as read if the change happened.", per_user=True)
NOTIFICATION_PREFERENCES = Detail(_USERS, "notification_preferences", notifications.NotificationPreferences,
                                  "notification_preferences:read", NOTIFICATIONS_FEATURE)
NOTIFICATION_PREFERENCES_UPDATE = Operation(
    "PATCH", "/users/{id}/notification_preferences", notifications.NotificationPreferences,
    "notification_preferences:write", NOTIFICATION_PREFERENCES_EDIT,
    "Reload the driver's notification preferences: they show the change if it happened.")
NOTIFICATION_DECLARATIONS = (NOTIFICATIONS, NOTIFICATION_UPDATE, NOTIFICATION_PREFERENCES,
                             NOTIFICATION_PREFERENCES_UPDATE)


def notification_update(client: EvEnergyClient, notification_id: str, changes: dict[str, Any], *,
                        user: str) -> notifications.Notification:
    """PATCH /notifications/{id} once as the driver; the spec wraps the answer: {"Notification": {...}}."""
    path = NOTIFICATION_UPDATE.path.format(id=check_id(notification_id, NOTIFICATIONS.prefix))
    response = client.write("PATCH", path, json=changes, headers={"EvEnergy-User": check_id(user, "user")},
                            expected=NOTIFICATION_UPDATE.expected, check=NOTIFICATION_UPDATE.check)
    body = response.json() if response.content.strip() else {}
    inner = body.get("Notification", body) if isinstance(body, dict) else {}
    return notifications.Notification.from_api(inner)


def notification_preferences_update(client: EvEnergyClient, user_id: str,
                                    groups: dict[str, bool]) -> notifications.NotificationPreferences:
    """PATCH /users/{id}/notification_preferences once with only the groups that change: never retried."""
    path = NOTIFICATION_PREFERENCES_UPDATE.path.format(id=check_id(user_id, "user"))
    response = client.write("PATCH", path, json={"groups": groups}, expected=NOTIFICATION_PREFERENCES_UPDATE.expected,
                            check=NOTIFICATION_PREFERENCES_UPDATE.check)
    return notifications.NotificationPreferences.from_api(response.json())

# --- Carbon feeds and grid feeds (issue 17) ---
# The feed lists take only paging (the spec gives no filter by postcode, coordinates or region) and
# are sorted by name. A driver's feed is the `carbon_feed` of their charging sub-sessions (the spec's
# only link from a driver to a feed; evenergy/carbon.py). Intensities answer one object, a page of
# them newest first (cursor paging), hence a Detail; levels an array, paged by number.
CARBON_FEEDS = Collection("/carbon_feeds", carbon.CarbonFeed, CARBON, "carbon:read", prefix="cabf")
CARBON_INTENSITIES = Detail(CARBON_FEEDS, "carbon_intensities", carbon.CarbonIntensities, "carbon:read", CARBON,
                            filters=frozenset({"started_at__gte", "started_at__lte", "page_size", "page_after",
                                               "page_before", "expand"}))
GRID_FEEDS = Collection("/grid_feeds", carbon.GridFeed, CARBON, "grid:read", prefix="grfd")
GRID_LEVELS = Collection("/grid_feeds/{parent}/levels", carbon.GridLevel, CARBON, "grid:read",
                         parent_prefix="grfd", paging=NUMBER, retrievable=False,
                         filters=frozenset({"started_at__gte", "started_at__lte"}), max_pages=5)
CARBON_DECLARATIONS = (CARBON_FEEDS, CARBON_INTENSITIES, GRID_FEEDS, GRID_LEVELS)

DECLARATIONS = (
    CHARGING_SESSIONS, CHARGING_SUB_SESSIONS, SUB_SESSION_ENERGY_USAGE, SUB_SESSION_FLAGS, SUB_SESSION_SCHEDULES,
    SUB_SESSION_SCHEDULE_PLANS, SUB_SESSION_ASSESSMENT, SUB_SESSION_DEBUG_METADATA, BOOST_START, BOOST_END,
    RECALCULATE_ENERGY_USAGES, DISPATCHER_LOGS,
    EVSES, VEHICLES, EVSE_STATUS_LOGS, EVSE_ERROR_LOGS, EVSE_OCPP_LOGS, EVSE_COMMAND_LOGS, VEHICLE_STATUS_LOGS,
    VEHICLE_ERROR_LOGS, VEHICLE_LOCATION_LOGS, VEHICLE_COMMAND_LOGS, EVSE_CONNECTIVITY, VEHICLE_STATE_OF_CHARGE,
    EVSE_RECONNECT, VEHICLE_RECONNECT, VEHICLE_DISCONNECT, VEHICLE_ONBOARDING_LINK,
    VEHICLE_MAKES, VEHICLE_MODELS, VEHICLE_TRIMS, EVSE_MAKES, EVSE_MODELS, VEHICLE_COMPATIBILITY, EVSE_COMPATIBILITY,
    TARIFF_PRICES, PASSWORD_RESET, WEBHOOK_PORTAL,
    SUPPORT_TICKETS, SUPPORT_TICKET_MESSAGES, TICKET_CATEGORIES, TICKET_STATS_VOLUME, TICKET_STATS_RESOLUTION,
    TICKET_STATS_STATUS, TICKET_STATS_PRIORITY, TICKET_STATS_SOURCE, TICKET_STATS_TOP_CATEGORIES, TICKET_STATS_SANKEY,
    # Issue 17: rebates, subscriptions and the payout method.
    *REBATE_DECLARATIONS,
    # Issue 17, programs.
    *PROGRAM_DECLARATIONS,
    # Issue 17, energy devices.
    *ENERGY_DECLARATIONS,
    # Issue 17, notifications.
    *NOTIFICATION_DECLARATIONS,
    # Issue 17, carbon and grid feeds (tariff prices: TARIFF_PRICES above).
    *CARBON_DECLARATIONS,
)


@dataclass(frozen=True)
class UsedOperation:
    """One API operation evadmin uses: for `apicheck`, the README and 403s that name no scope."""

    method: str
    path: str  # the spec's path template
    scope: str  # the one a 403 that names none is reported as
    feature: str
    pattern: re.Pattern = field(compare=False, repr=False)
    also_needs: tuple[str, ...] = ()


def _operations_of(declaration) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    if isinstance(declaration, Collection):
        also = declaration.also_needs
        found = [("GET", declaration.path, declaration.scope, declaration.feature, also)]
        one = declaration.path + ("/{id}" if declaration.prefix else "/{timestamp}")
        if declaration.retrievable:
            found.append(("GET", one, declaration.scope, declaration.feature, also))
        if declaration.write_scope:
            found.append(("PATCH", one, declaration.write_scope, declaration.write_feature, ()))
        return found
    if isinstance(declaration, Detail):
        return [("GET", declaration.path, declaration.scope, declaration.feature, ())]
    return [(declaration.method, declaration.path, declaration.scope, declaration.feature, ())]


def _pattern(path: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(path)) + "/?$")


# The operations of the hand-written APIs in client.py (users, tariffs, suppliers, EVSE sites).
HAND_WRITTEN_OPERATIONS = (
    ("GET", "/users", "user:read", DRIVERS), ("GET", "/users/{id}", "user:read", DRIVERS),
    ("POST", "/users", "user:write", DRIVER_EDITS), ("PATCH", "/users/{id}", "user:write", DRIVER_EDITS),
    ("GET", "/tariffs", "tariff:read", DRIVER_EDITS), ("GET", "/tariffs/{id}", "tariff:read", DRIVER_EDITS),
    ("GET", "/suppliers", "tariff:read", DRIVER_EDITS), ("GET", "/suppliers/{id}", "tariff:read", DRIVER_EDITS),
    ("GET", "/evse_sites", "site:read", DRIVER_EDITS), ("GET", "/evse_sites/{id}", "site:read", DRIVER_EDITS),
)


@cache
def used_operations() -> tuple[UsedOperation, ...]:
    """Every operation evadmin uses (the declarations are constants: built once per process)."""
    found = [UsedOperation(method, path, scope, feature, _pattern(path))
             for method, path, scope, feature in HAND_WRITTEN_OPERATIONS]
    for declaration in DECLARATIONS:
        for method, path, scope, feature, also in _operations_of(declaration):
            found.append(UsedOperation(method, path, scope, feature, _pattern(path), also))
    return tuple(found)


def scopes_by_feature() -> dict[str, set[str]]:
    """{feature: the scopes it needs}, in the order features first appear."""
    found: dict[str, set[str]] = {}
    for operation in used_operations():
        found.setdefault(operation.feature, set()).update(
            scope for scope in (operation.scope, *operation.also_needs) if scope)
    return found


def operations_table() -> str:
    """The README's table of the operations evadmin uses, per feature (`apicheck --operations`)."""
    lines = ["| Feature | Scopes | Operations |", "|---|---|---|"]
    by_feature: dict[str, list[str]] = {}
    for operation in used_operations():
        by_feature.setdefault(operation.feature, []).append(
            f"`{operation.method} {operation.path.replace('{parent}', '{id}')}`")
    for feature, scopes in scopes_by_feature().items():
        needed = ", ".join(f"`{scope}`" for scope in sorted(scopes)) or "none"
        lines.append(f"| {feature} | {needed} | {', '.join(by_feature[feature])} |")
    return "\n".join(lines)


def declared_scope(method: str, path: str) -> str:
    """The scope a declared operation needs ("" when no declaration matches or it names none)."""
    for operation in used_operations():
        if operation.method == method and operation.pattern.match(path):
            return operation.scope
    return ""
