"""/v2/users: list (cursor pages, email filter, expand), create, retrieve, partial update."""

from django.db import transaction
from django.db.models import Prefetch

from evadmin.sandbox import ids, serializers
from evadmin.sandbox.countries import CARBON_INTENSITY, DEFAULT_CARBON_INTENSITY
from evadmin.sandbox.models import Evse, User, Vehicle
from evadmin.sandbox.pagination import cursor_page
from evadmin.sandbox.responses import json_response, not_found, validation_failed
from evadmin.sandbox.validation import user_changes
from evadmin.sandbox.views.base import ApiContext, Operation, api_view

USER_EXPANDS = ("default_location.tariff", "default_location.tariff.supplier", "default_location.evse_site")


def users_queryset(context: ApiContext, expand: set[str]):
    queryset = User.objects.prefetch_related(
        Prefetch("vehicles", queryset=Vehicle.objects.only("id", "user_id").order_by("id")),
        Prefetch("evses", queryset=Evse.objects.only("id", "user_id").order_by("id")),
    )
    if "default_location.tariff" in expand:
        queryset = queryset.select_related("tariff__supplier")
    if "default_location.evse_site" in expand:
        queryset = queryset.select_related("evse_site").prefetch_related(
            Prefetch("evse_site__evses", queryset=Evse.objects.only("id", "evse_site_id").order_by("id")))
    if context.acting_user is not None:  # acting as one user, the client sees only that user
        queryset = queryset.filter(pk=context.acting_user.pk)
    return queryset


def _user_or_404(context: ApiContext, user_id: str, expand: set[str]) -> User:
    user = users_queryset(context, expand).filter(pk=user_id).first() if ids.is_id(user_id, ids.USER) else None
    if user is None:
        raise not_found(f"No user found with id {user_id}.")
    return user


def list_users(context: ApiContext):
    expand = context.expand(USER_EXPANDS)
    queryset = users_queryset(context, expand)
    email = context.request.GET.get("email")
    if email is not None:
        queryset = queryset.filter(email_lower=email.strip().lower())
    page = cursor_page(context.request, queryset, model=User, prefix=ids.USER)
    response = json_response([serializers.user_json(user, context.base, expand) for user in page.items])
    response["Link"] = page.link
    return response


TEXT_FIELDS = ("address_1", "address_2", "city", "state", "postal_code", "country_code")


def _apply(user: User, changes: dict) -> None:
    for field, value in changes.items():
        setattr(user, field, "" if value is None and field in TEXT_FIELDS else value)
    if "country_code" in changes:
        user.carbon_intensity = (
            CARBON_INTENSITY.get(user.country_code, DEFAULT_CARBON_INTENSITY) if user.country_code else None)


def create_user(context: ApiContext):
    expand = context.expand(USER_EXPANDS)
    try:
        changes = user_changes(context.body(), current=None)
    except ValueError as exc:
        raise validation_failed("validation-failed-create-user", exc.args[0]) from None
    user_id = ids.new_id(ids.USER)
    user = User(id=user_id, joined_at=ids.id_time(user_id))
    _apply(user, changes)
    user.save()
    user = _user_or_404(context, user.id, expand)
    return json_response(serializers.user_json(user, context.base, expand, detail=True), status=201)


def retrieve_user(context: ApiContext, user_id: str):
    expand = context.expand(USER_EXPANDS)
    user = _user_or_404(context, user_id, expand)
    return json_response(serializers.user_json(user, context.base, expand, detail=True))


def update_user(context: ApiContext, user_id: str):
    expand = context.expand(USER_EXPANDS)
    with transaction.atomic(using="sandbox"):
        user = _user_or_404(context, user_id, set())
        try:
            changes = user_changes(context.body(), current=user)
        except ValueError as exc:
            raise validation_failed("validation-failed-update-user", exc.args[0]) from None
        _apply(user, changes)
        user.save()
    user = _user_or_404(context, user_id, expand)
    return json_response(serializers.user_json(user, context.base, expand, detail=True))


users_collection = api_view({
    "GET": Operation(list_users, "user:read"),
    "POST": Operation(create_user, "user:write"),
})
user_detail = api_view({
    "GET": Operation(retrieve_user, "user:read"),
    "PATCH": Operation(update_user, "user:write"),
})
