"""Rebate types, evidence types, a driver's rebate applications and evidence files, subscriptions,
offerings and the payout method, as the spec has them (seeding/rebates.py says how they are stored).

Rebate lists are plain arrays (the spec gives them no pagination); subscriptions page by cursor.
Within a driver's application, each evidence type the rebate requires carries the driver's `file`
(null when none) and the values the driver entered. `PATCH /user_rebates/{id}` records one evidence
type's values; `POST /user_rebates/{id}:submit` moves a form whose evidence is all given to COMPLETE.
The spec names no scope for the rebate operations: any token will do.
"""

from __future__ import annotations

from django.http import HttpResponse

from evadmin.sandbox.collections.records import Relation, record_json, record_url
from evadmin.sandbox.models import Record, User
from evadmin.sandbox.resources import UNPAGED, Collection, Endpoint
from evadmin.sandbox.responses import json_response, not_found, validation_failed
from evadmin.sandbox.seeding.rebates import (
    EVIDENCE_FILE,
    EVIDENCE_FILE_PREFIX,
    EVIDENCE_TYPE,
    EVIDENCE_TYPE_PREFIX,
    OFFERING,
    OFFERING_PREFIX,
    PAYOUT_METHOD,
    REBATE_TYPE,
    REBATE_TYPE_PREFIX,
    SUBSCRIPTION,
    SUBSCRIPTION_PREFIX,
    USER_REBATE,
    USER_REBATE_PREFIX,
)
from evadmin.sandbox.serializers import sub_expand, user_json
from evadmin.sandbox.validation import Errors
from evadmin.sandbox.views.base import Operation

SUBSCRIPTION_READ, PAYOUT_READ = "subscription:read", "payout_method:read"


def _load(kind: str):
    return lambda record_id: Record.objects.filter(kind=kind, pk=record_id).first()


def evidence_type_json(record, context, expand, *, application=None) -> dict:
    data = record_json(record, context, expand, collection="rebate_evidence_types")
    if application is not None:  # within a driver's application: their file and values
        found = next((file for file in application._files if file.data["_rebate_evidence_type"] == record.id), None)
        data["file"] = ({"name": found.data["file_name"],
                         "url": f"https://files.example.com/evidence/{found.id}?signature=sandbox"}
                        if found is not None else None)
        values = application.data.get("_values", {}).get(record.id, [])
        data["evidence_data"] = [{**item, "value": values[index] if index < len(values) else None}
                                 for index, item in enumerate(data["evidence_data"])]
    return data


def rebate_type_json(record, context, expand, *, application=None) -> dict:
    data = record_json(record, context, expand, collection="rebate_types")
    evidence_ids = record.data.get("_required_evidence", [])
    if "required_evidence" in expand:
        found = {item.id: item for item in Record.objects.filter(kind=EVIDENCE_TYPE, pk__in=evidence_ids)}
        data["required_evidence"] = [evidence_type_json(found[item], context, set(), application=application)
                                     for item in evidence_ids if item in found]
    else:
        data["required_evidence"] = [record_url(context, "rebate_evidence_types", item) for item in evidence_ids]
    return data


def user_rebate_json(record, context, expand) -> dict:
    if not hasattr(record, "_files"):
        _prefetch_rebates([record], context, expand)
    data = record_json(record, context, expand, collection="user_rebates")
    type_id = record.data.get("_rebate_type")
    data["rebate_type"] = None
    if type_id:
        found = record._type if "rebate_type" in expand else None
        data["rebate_type"] = (rebate_type_json(found, context, sub_expand(expand, "rebate_type"), application=record)
                               if found is not None else record_url(context, "rebate_types", type_id))
    return data


def _prefetch_rebates(records: list, context, expand: set[str]) -> None:
    """A list's files in one query and its rebate types in one more (when expanded)."""
    files: dict[str, list] = {record.id: [] for record in records}
    for found in Record.objects.filter(kind=EVIDENCE_FILE, parent_id__in=list(files)):
        files[found.parent_id].append(found)
    wanted = {record.data.get("_rebate_type") for record in records} - {None}
    types = {item.id: item for item in Record.objects.filter(kind=REBATE_TYPE, pk__in=wanted)} \
        if "rebate_type" in expand else {}
    for record in records:
        record._files = files[record.id]
        record._type = types.get(record.data.get("_rebate_type"))


def evidence_file_json(record, context, expand) -> dict:
    return record_json(record, context, expand, collection="rebate_evidence_files", relations={
        "rebate_evidence_type": Relation("rebate_evidence_types", lambda row: row.data.get("_rebate_evidence_type"),
                                         _load(EVIDENCE_TYPE), evidence_type_json)})


def offering_json(record, context, expand) -> dict:
    return record_json(record, context, expand, collection="subscription_offerings")


def subscription_json(record, context, expand) -> dict:
    data = record_json(record, context, expand, collection="subscriptions", relations={
        "offering": Relation("subscription_offerings", lambda row: row.data.get("_offering"), _load(OFFERING),
                             offering_json)})
    user = User.objects.filter(pk=record.user_id).first() if "user" in expand else None
    data["user"] = (user_json(user, context.base, sub_expand(expand, "user")) if user is not None
                    else f"{context.base}/users/{record.user_id}")
    return data


def _url_id(value, prefix: str) -> str | None:
    if not isinstance(value, str):
        return None
    found = value.rstrip("/").rsplit("/", 1)[-1]
    return found if found.startswith(prefix) else None


def user_rebate_update(context, application: Record):
    """Record one evidence type's values: rebate_type, evidence_type and evidence_data are required."""
    body = context.body()
    if not isinstance(body, dict):
        raise validation_failed("validation-failed", {"non_field_errors": ["Expected a JSON object."]})
    errors = Errors()
    for name in ("rebate_type", "evidence_type", "evidence_data"):
        if body.get(name) is None:
            errors.add(name, "This field is required.")
    if errors:
        raise validation_failed("validation-failed", errors)
    if application.data.get("status") == "COMPLETE":
        raise validation_failed("validation-failed", {"status": ["The application has been submitted."]})
    rebate = Record.objects.filter(kind=REBATE_TYPE, pk=_url_id(body["rebate_type"], REBATE_TYPE_PREFIX) or "").first()
    if rebate is None:
        raise validation_failed("validation-failed", {"rebate_type": ["Enter a rebate type's URL."]})
    evidence_id = _url_id(body["evidence_type"], EVIDENCE_TYPE_PREFIX)
    evidence = Record.objects.filter(kind=EVIDENCE_TYPE, pk=evidence_id or "").first()
    if evidence is None or evidence.id not in rebate.data.get("_required_evidence", []):
        raise validation_failed("validation-failed", {"evidence_type": ["Not evidence this rebate requires."]})
    items = body["evidence_data"]
    if not isinstance(items, list):
        raise validation_failed("validation-failed", {"evidence_data": ["Expected a list."]})
    fields = evidence.data["evidence_data"]
    values = list(application.data.get("_values", {}).get(evidence.id, [None] * len(fields)))
    values += [None] * (len(fields) - len(values))
    for item in items:
        number = item.get("id") if isinstance(item, dict) else None
        if not isinstance(number, (int, float)) or isinstance(number, bool) or not 1 <= number <= len(fields) \
                or number != int(number) or not isinstance(item.get("value"), str):
            raise validation_failed("validation-failed", {"evidence_data": ["Each item needs an id and a value."]})
        values[int(number) - 1] = item["value"]
    application.data = {**application.data, "_rebate_type": rebate.id, "status": "PENDING_IN_PROGRESS",
                        "_values": {**application.data.get("_values", {}), evidence.id: values}}
    application.save(update_fields=["data"])
    return json_response({"id": application.id, "url": record_url(context, "user_rebates", application.id)})


def _missing(application: Record) -> list[str]:
    rebate = Record.objects.filter(kind=REBATE_TYPE, pk=application.data.get("_rebate_type") or "").first()
    if rebate is None:
        return ["No rebate type chosen."]
    uploaded = set(Record.objects.filter(kind=EVIDENCE_FILE, parent_id=application.id)
                   .values_list("data___rebate_evidence_type", flat=True))
    missing = []
    for evidence in Record.objects.filter(kind=EVIDENCE_TYPE, pk__in=rebate.data.get("_required_evidence", [])):
        values = application.data.get("_values", {}).get(evidence.id, [])
        if evidence.data["upload_required"] and evidence.id not in uploaded:
            missing.append(f"{evidence.data['title']}: no file uploaded.")
        for index, item in enumerate(evidence.data["evidence_data"]):
            if item["required"] and not (values[index] if index < len(values) else None):
                missing.append(f"{evidence.data['title']}: {item['title']} is required.")
    return missing


def user_rebate_submit(context, user_rebate_id: str):
    """Submit the form: every piece of required evidence must be there; COMPLETE twice is a 400."""
    application = USER_REBATES.find(context, user_rebate_id)
    if application.data.get("status") == "COMPLETE":
        raise validation_failed("validation-failed", {"status": ["The application has already been submitted."]})
    missing = _missing(application)
    if missing:
        raise validation_failed("validation-failed", {"evidence": missing})
    application.data = {**application.data, "status": "COMPLETE"}
    application.save(update_fields=["data"])
    return HttpResponse(status=200)


def payout_method(context, user_id: str):
    user = User.objects.filter(pk=user_id).first()
    if user is None or (context.acting_user is not None and context.acting_user.pk != user.pk):
        raise not_found(f"No user found with id {user_id}.")
    found = Record.objects.filter(kind=PAYOUT_METHOD, user_id=user.pk).first()
    data = found.data if found is not None else {"receiver": None, "receiver_type": None, "receiver_wallet": None}
    return json_response({"url": f"{context.base}/users/{user.pk}/payout_method", **data})


def _reference(kind: str):
    return lambda: Record.objects.filter(kind=kind, user_id="")


REBATE_TYPES = Collection(name="rebate_types", prefix=REBATE_TYPE_PREFIX, scope="", queryset=_reference(REBATE_TYPE),
                          serialize=rebate_type_json, expands=("required_evidence",), paging=UNPAGED,
                          acting_user="ignored")
REBATE_EVIDENCE_TYPES = Collection(name="rebate_evidence_types", prefix=EVIDENCE_TYPE_PREFIX, scope="",
                                   queryset=_reference(EVIDENCE_TYPE), serialize=evidence_type_json, paging=UNPAGED,
                                   acting_user="ignored")
USER_REBATES = Collection(
    name="user_rebates", prefix=USER_REBATE_PREFIX, scope="", queryset=lambda: Record.objects.filter(kind=USER_REBATE),
    serialize=user_rebate_json, expands=("rebate_type", "rebate_type.required_evidence"), paging=UNPAGED,
    prefetch=_prefetch_rebates, update=user_rebate_update)
REBATE_EVIDENCE_FILES = Collection(
    name="rebate_evidence_files", prefix=EVIDENCE_FILE_PREFIX, scope="",
    queryset=lambda: Record.objects.filter(kind=EVIDENCE_FILE), serialize=evidence_file_json,
    expands=("rebate_evidence_type",), paging=UNPAGED)
SUBSCRIPTIONS = Collection(name="subscriptions", prefix=SUBSCRIPTION_PREFIX, scope=SUBSCRIPTION_READ,
                           queryset=lambda: Record.objects.filter(kind=SUBSCRIPTION), serialize=subscription_json,
                           expands=("user", "offering"), retrieve=False)
SUBSCRIPTION_OFFERINGS = Collection(name="subscription_offerings", prefix=OFFERING_PREFIX, scope=SUBSCRIPTION_READ,
                                    queryset=_reference(OFFERING), serialize=offering_json, expands=("user", "offering"),
                                    list=False, acting_user="ignored")

DECLARATIONS = (
    REBATE_TYPES, REBATE_EVIDENCE_TYPES,
    # Before the collection's detail route, which would take "rbtu…:submit" for an application's id.
    Endpoint(r"user_rebates/(?P<user_rebate_id>[^/]+):submit",
             {"POST": Operation(user_rebate_submit, "")}),
    USER_REBATES, REBATE_EVIDENCE_FILES, SUBSCRIPTIONS, SUBSCRIPTION_OFFERINGS,
    Endpoint(r"users/(?P<user_id>[^/]+)/payout_method", {"GET": Operation(payout_method, PAYOUT_READ)}),
)
