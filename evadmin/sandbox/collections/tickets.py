"""Support tickets, their messages, the category taxonomy and the team's statistics, as the spec has them.

Tickets are `Record`s of kind "support_ticket" (`user_id` blank when no driver wrote it, `at` =
created_at, `ends_at` = resolved_at); messages are Records of kind "support_ticket_message"
parented by their ticket, in position order. `PATCH` changes the categorisation only (API-NOTES);
read-only and unknown keys are ignored, as the real API (Django REST framework) does.

The statistics are computed from the tickets as stored, so every chart agrees with the list.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.collections.records import record_json
from evadmin.sandbox.models import Record, User
from evadmin.sandbox.resources import (
    UNPAGED,
    Collection,
    Endpoint,
    Filter,
    invalid_parameter,
    parse_bool,
    parse_datetime,
    parse_int,
)
from evadmin.sandbox.responses import json_response, validation_failed
from evadmin.sandbox.seeding.tickets import (
    CATEGORIES,
    MESSAGE_PREFIX,
    SUBCATEGORIES,
    TICKET,
    TICKET_MESSAGE,
    TICKET_PREFIX,
    category_label,
    subcategory_label,
)
from evadmin.sandbox.serializers import iso_datetime, sub_expand, user_json
from evadmin.sandbox.validation import Errors
from evadmin.sandbox.views.base import Operation

READ, WRITE = "support:read", "support:write"
MESSAGE_TYPES = ("INITIAL_REQUEST", "CUSTOMER_RESPONSE", "HUMAN_AGENT_RESPONSE", "AI_AGENT_RESPONSE")
CATEGORY_FIELDS = {"human_verified_category": CATEGORIES, "human_verified_subcategory": SUBCATEGORIES,
                   "ai_generated_category": CATEGORIES, "ai_generated_subcategory": SUBCATEGORIES}
VOLUME_GROUPS = ("day", "week", "month")


def message_json(record, context, expand) -> dict:
    data = {"id": record.id}
    data.update((key, value) for key, value in record.data.items() if not key.startswith("_"))
    return data


def message_url(context, message) -> str:
    return f"{context.base}/support_tickets/{message.parent_id}/messages/{message.id}"


def ticket_json(record, context, expand) -> dict:
    data = record_json(record, context, expand, collection="support_tickets")
    if not hasattr(record, "_messages"):  # one ticket on its own (a PATCH's answer)
        _prefetch_tickets([record], context, expand)
    data["user"] = None
    if record.user_id:
        user = record._user if "user" in expand else None
        data["user"] = (user_json(user, context.base, sub_expand(expand, "user")) if user is not None
                        else f"{context.base}/users/{record.user_id}")
    data["messages"] = ([message_json(message, context, set()) for message in record._messages]
                        if "messages" in expand else [message_url(context, message) for message in record._messages])
    return data


def _prefetch_tickets(records: list, context, expand: set[str]) -> None:
    """A page's messages (their URLs at least) in one query, and its drivers in one more when expanded."""
    by_ticket: dict[str, list] = {record.id: [] for record in records}
    for message in Record.objects.filter(kind=TICKET_MESSAGE, parent_id__in=list(by_ticket)).order_by(
            "parent_id", "data__position"):  # the spec: in conversation order
        by_ticket[message.parent_id].append(message)
    users = {}
    if "user" in expand:
        wanted = {record.user_id for record in records if record.user_id}
        users = {user.id: user for user in User.objects.filter(pk__in=wanted).prefetch_related("vehicles", "evses")}
    for record in records:
        record._messages = by_ticket[record.id]
        record._user = users.get(record.user_id)


# --- filters ----------------------------------------------------------------------------------

def _is_null(field: str):
    """`<field>__isnull`: the stored value is JSON null (or absent)."""
    def apply(queryset, missing: bool):
        return queryset.filter(**{f"data__{field}": None}) if missing else queryset.exclude(**{f"data__{field}": None})
    return apply


def _datetime_range(name: str, raw: str):
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 2 or not all(parts):
        raise invalid_parameter(name, "Enter two date-times separated by a comma.")
    return parse_datetime(name, parts[0]), parse_datetime(name, parts[1])


def _updated_at(lookup: str):
    """ticket_updated_at lives in `data` as UTC ISO text, which compares as time does."""
    def apply(queryset, moment):
        if lookup == "range":
            low, high = moment
            return queryset.filter(data__ticket_updated_at__gte=iso_datetime(low),
                                   data__ticket_updated_at__lte=iso_datetime(high))
        return queryset.filter(**{f"data__ticket_updated_at__{lookup}": iso_datetime(moment)})
    return apply


def _user_filter(queryset, raw: str):
    """`user` is the driver's URL (the spec's format: uri); a bare id is taken too."""
    user_id = raw.rstrip("/").rsplit("/", 1)[-1]
    if not ids.is_id(user_id, "user"):
        raise invalid_parameter("user", "Enter a user's URL (…/v2/users/user…).")
    return queryset.filter(user_id=user_id)


def _tags_filter(queryset, raw: str):
    """Tickets carrying every comma-separated tag (kept as ",tag,…," text: SQLite has no JSON contains)."""
    for tag in (part.strip() for part in raw.split(",")):
        if tag:
            queryset = queryset.filter(data___tags_text__icontains=f",{tag},")
    return queryset


def _moment_filters(name: str, column: str) -> dict[str, Filter]:
    return {f"{name}__gte": Filter(f"{column}__gte", parse_datetime),
            f"{name}__lte": Filter(f"{column}__lte", parse_datetime),
            f"{name}__range": Filter(f"{column}__range", _datetime_range)}


TICKET_FILTERS: dict[str, Filter] = {
    "external_ticket_id": Filter("data__external_ticket_id"),
    **{name: Filter(f"data__{name}", choices=choices) for name, choices in CATEGORY_FIELDS.items()},
    **{f"{name}__isnull": Filter(_is_null(name), parse_bool) for name in CATEGORY_FIELDS},
    "status": Filter("data__status"), "status__in": Filter("data__status__in", many=True),
    "priority": Filter("data__priority"), "priority__in": Filter("data__priority__in", many=True),
    "priority__isnull": Filter(_is_null("priority"), parse_bool),
    "source": Filter("data__source"), "source__in": Filter("data__source__in", many=True),
    "tags": Filter(_tags_filter),
    "user": Filter(_user_filter),
    "user__isnull": Filter(lambda queryset, missing: queryset.filter(user_id="") if missing
                           else queryset.exclude(user_id=""), parse_bool),
    **_moment_filters("created_at", "at"),
    **_moment_filters("resolved_at", "ends_at"),
    "resolved_at__isnull": Filter("ends_at__isnull", parse_bool),
    "ticket_updated_at__gte": Filter(_updated_at("gte"), parse_datetime),
    "ticket_updated_at__lte": Filter(_updated_at("lte"), parse_datetime),
    "ticket_updated_at__range": Filter(_updated_at("range"), _datetime_range),
    "ticket_updated_at__isnull": Filter(_is_null("ticket_updated_at"), parse_bool),
}


# --- PATCH ------------------------------------------------------------------------------------

def ticket_update(context, ticket: Record):
    """Only the four category fields are written: each an enum value or null."""
    body = context.body()
    if not isinstance(body, dict):
        raise validation_failed("validation-failed-update-support-ticket", {"non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]})
    errors, changes = Errors(), {}
    for name, choices in CATEGORY_FIELDS.items():
        if name not in body:
            continue
        value = body[name]
        if value in (None, ""):
            changes[name] = None
        elif not isinstance(value, str) or value not in choices:
            errors.add(name, f'"{value}" is not a valid choice.')
        else:
            changes[name] = value
    if errors:
        raise validation_failed("validation-failed-update-support-ticket", errors)
    if changes:
        ticket.data = {**ticket.data, **changes}
        ticket.save(update_fields=["data"])
    expand = SUPPORT_TICKETS.expand_of(context)
    _prefetch_tickets([ticket], context, expand)
    return json_response(ticket_json(ticket, context, expand))


SUPPORT_TICKETS = Collection(
    name="support_tickets", prefix=TICKET_PREFIX, scope=READ,
    queryset=lambda: Record.objects.filter(kind=TICKET), serialize=ticket_json,
    expands=("user", "messages"), filters=TICKET_FILTERS, newest_first=True, prefetch=_prefetch_tickets,
    update=ticket_update, update_scope=WRITE,
)

SUPPORT_TICKET_MESSAGES = Collection(
    name="messages", prefix=MESSAGE_PREFIX, scope=READ, parent=SUPPORT_TICKETS, paging=UNPAGED,
    queryset=lambda: Record.objects.filter(kind=TICKET_MESSAGE).order_by("data__position"), serialize=message_json,
    filters={
        "message_type": Filter("data__message_type", choices=MESSAGE_TYPES),
        "message_type__in": Filter("data__message_type__in", choices=MESSAGE_TYPES, many=True),
        "position": Filter("data__position", parse_int),
        "position__gte": Filter("data__position__gte", parse_int),
        "position__lte": Filter("data__position__lte", parse_int),
    },
)


# --- the taxonomy and the statistics ------------------------------------------------------------

def categories(context):
    return json_response({
        "categories": [{"value": value, "label": category_label(value)} for value in CATEGORIES],
        "subcategories": [{"value": value, "label": subcategory_label(value)} for value in SUBCATEGORIES],
    })


def _tickets() -> list[tuple[dict, object, object]]:
    """(data, created_at, resolved_at) of every ticket: the team's statistics count them all."""
    return list(Record.objects.filter(kind=TICKET).values_list("data", "at", "ends_at"))


def _category_of(data: dict) -> tuple[str | None, str | None]:
    """The human categorisation where there is one, else the AI's."""
    if data.get("human_verified_category"):
        return data["human_verified_category"], data.get("human_verified_subcategory")
    return data.get("ai_generated_category"), data.get("ai_generated_subcategory")


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _period_start(moment, group_by: str):
    day = moment.date()
    if group_by == "week":
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def _next_period(day, group_by: str):
    if group_by == "week":
        return day + timedelta(days=7)
    if group_by == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def volume(context):
    group_by = context.request.GET.get("group_by", "day")
    if group_by not in VOLUME_GROUPS:
        raise invalid_parameter("group_by", f'"{group_by}" is not one of {", ".join(VOLUME_GROUPS)}.')
    counts = Counter(_period_start(created, group_by) for _, created, _ in _tickets())
    series = []
    if counts:  # every period from the first to the last, empty ones as 0: a chart's axis has no holes
        period, last = min(counts), max(counts)
        while period <= last:
            series.append({"date": period.isoformat(), "count": counts.get(period, 0)})
            period = _next_period(period, group_by)
    return json_response({"time_series": series})


def resolution(context):
    tickets = _tickets()
    hours = [(resolved - created).total_seconds() / 3600 for _, created, resolved in tickets if resolved]
    return json_response({
        "resolution_rate": _share(len(hours), len(tickets)),
        "avg_resolution_time_hours": round(statistics.fmean(hours), 1) if hours else None,
        "median_resolution_time_hours": round(statistics.median(hours), 1) if hours else None,
        "total_resolved": len(hours), "total_unresolved": len(tickets) - len(hours),
    })


def _breakdown(field: str):
    def answer(context):
        tickets = _tickets()
        counts = Counter(data.get(field) for data, _, _ in tickets if data.get(field))
        return json_response({"breakdown": [
            {field: value, "count": count, "percentage": _share(count, len(tickets))}
            for value, count in counts.most_common()]})
    return answer


def top_categories(context):
    raw = context.request.GET.get("limit", "10")
    limit = parse_int("limit", raw)
    if limit < 1:
        raise invalid_parameter("limit", "Ensure this value is greater than or equal to 1.")
    tickets = _tickets()
    by_category, by_subcategory = Counter(), Counter()
    for data, _, _ in tickets:
        category, subcategory = _category_of(data)
        if category:
            by_category[category] += 1
            if subcategory:
                by_subcategory[(subcategory, category)] += 1
    total = len(tickets)
    return json_response({
        "categories": [{"category": category, "count": count, "percentage": _share(count, total)}
                       for category, count in by_category.most_common(limit)],
        "subcategories": [{"subcategory": subcategory, "category": category, "count": count,
                           "percentage": _share(count, total)}
                          for (subcategory, category), count in by_subcategory.most_common(limit)],
    })


def sankey(context):
    """The spec: only tickets with human-verified categories."""
    flows = Counter()
    for data, _, _ in _tickets():
        category, subcategory = data.get("human_verified_category"), data.get("human_verified_subcategory")
        if category and subcategory:
            flows[(category, subcategory)] += 1
    nodes: dict[str, str] = {}
    links = []
    for (category, subcategory), count in flows.most_common():
        source, target = f"category:{category_label(category)}", f"subcategory:{subcategory_label(subcategory)}"
        nodes.setdefault(source, category_label(category))
        nodes.setdefault(target, subcategory_label(subcategory))
        links.append({"source": source, "target": target, "value": count})
    return json_response({"nodes": [{"id": node, "label": label} for node, label in nodes.items()], "links": links})


# The spec asks for a token and names no scope for the taxonomy and the statistics.
STATS = {"volume": volume, "resolution": resolution, "status": _breakdown("status"),
         "priority": _breakdown("priority"), "source": _breakdown("source"), "top-categories": top_categories,
         "sankey": sankey}

DECLARATIONS = (
    # Before the collection's detail route, which would take "categories" for a ticket id.
    Endpoint("support_tickets/categories", {"GET": Operation(categories, "")}),
    SUPPORT_TICKETS, SUPPORT_TICKET_MESSAGES,
    *(Endpoint(f"support-ticket-stats/{name}", {"GET": Operation(handler, "")}) for name, handler in STATS.items()),
)
