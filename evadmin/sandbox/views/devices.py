"""/v2/vehicles and /v2/evses: every device the token can see, or one user's with `EvEnergy-User`."""

from evadmin.sandbox import ids, serializers
from evadmin.sandbox.models import Evse, Vehicle
from evadmin.sandbox.pagination import cursor_page
from evadmin.sandbox.responses import json_response, not_found
from evadmin.sandbox.views.base import ApiContext, Operation, api_view

VEHICLE_EXPANDS = ("user", "trim", "trim.model", "trim.model.make", "latest_status_log")
EVSE_EXPANDS = ("user", "model", "model.make", "latest_status_log", "ct_clamp")


def _devices(context: ApiContext, model, expand: set[str]):
    queryset = model.objects.all()
    if "user" in expand:
        queryset = queryset.select_related("user").prefetch_related("user__vehicles", "user__evses")
    if context.acting_user is not None:
        queryset = queryset.filter(user=context.acting_user)
    return queryset


def _list(context: ApiContext, model, prefix: str, allowed: tuple[str, ...], to_json):
    expand = context.expand(allowed)
    queryset = _devices(context, model, expand)
    if model is Evse and context.request.GET.get("cpid"):
        queryset = queryset.filter(cpid=context.request.GET["cpid"])
    page = cursor_page(context.request, queryset, model=model, prefix=prefix)
    response = json_response([to_json(device, context.base, expand) for device in page.items])
    response["Link"] = page.link
    return response


def _retrieve(context: ApiContext, model, device_id: str, allowed: tuple[str, ...], to_json):
    expand = context.expand(allowed)
    device = _devices(context, model, expand).filter(pk=device_id).first()
    if device is None:
        raise not_found(f"No {model.__name__.lower()} found with id {device_id}.")
    return json_response(to_json(device, context.base, expand))


def list_vehicles(context: ApiContext):
    return _list(context, Vehicle, ids.VEHICLE, VEHICLE_EXPANDS, serializers.vehicle_json)


def retrieve_vehicle(context: ApiContext, vehicle_id: str):
    return _retrieve(context, Vehicle, vehicle_id, VEHICLE_EXPANDS, serializers.vehicle_json)


def list_evses(context: ApiContext):
    return _list(context, Evse, ids.EVSE, EVSE_EXPANDS, serializers.evse_json)


def retrieve_evse(context: ApiContext, evse_id: str):
    return _retrieve(context, Evse, evse_id, EVSE_EXPANDS, serializers.evse_json)


vehicles_collection = api_view({"GET": Operation(list_vehicles, "vehicle:read")})
vehicle_detail = api_view({"GET": Operation(retrieve_vehicle, "vehicle:read")})
evses_collection = api_view({"GET": Operation(list_evses, "evse:read")})
evse_detail = api_view({"GET": Operation(retrieve_evse, "evse:read")})
