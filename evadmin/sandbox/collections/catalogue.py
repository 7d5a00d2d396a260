"""The device catalogue (vehicle makes, models and trims; EVSE makes and models) and the public
compatibility checks, served from the static data in evadmin/sandbox/catalogue.py.

Makes and models are public (the spec gives them no security); trims need vehicle:read. Lists
are cursor-paged in catalogue (creation) order, or by name with `ordering=name` / `-name` (any
other value falls back to the default, as the spec says). `available_for_user_id` keeps what is
offered in the driver's country (catalogue.MAKE_COUNTRIES); the checks answer for a country
given, else the Accept-Language region, else US.
"""

from __future__ import annotations

import re

from evadmin.sandbox import catalogue, ids
from evadmin.sandbox.models import User
from evadmin.sandbox.resources import USER_IGNORED, Collection, Endpoint, Filter
from evadmin.sandbox.responses import ApiError, json_response, validation_failed
from evadmin.sandbox.seed_data import COUNTRIES
from evadmin.sandbox.views.base import Operation

LANGUAGE_REGION = re.compile(r"^[A-Za-z]{2,3}[-_]([A-Za-z]{2})\b")


def _by_id(items, object_id: str):
    return next((item for item in items if item.id == object_id), None)


def _ordering(items, value: str):
    if value in ("name", "-name"):
        return sorted(items, key=lambda item: item.name.lower(), reverse=value == "-name")
    return items


def _user_country(name: str, raw: str) -> str | None:
    user = User.objects.filter(pk=raw).only("country_code").first() if ids.is_id(raw, ids.USER) else None
    if user is None:
        raise validation_failed("invalid-parameter", {name: [f"No user found with id {raw}."]})
    return user.country_code or None  # a driver with no address: every make


def _offered(make_of):
    def keep(items, country: str | None):
        return items if country is None else [item for item in items if catalogue.offered_in(make_of(item), country)]
    return keep


def _field_is(attribute: str):
    return lambda items, value: [item for item in items if getattr(item, attribute) == value]


def _catalogue(name: str, prefix: str, scope: str | None, items: dict, serialize, *, expands=(), filters=None):
    return Collection(
        name=name, prefix=prefix, scope=scope, queryset=lambda: list(items.values()),
        serialize=serialize, expands=expands, acting_user=USER_IGNORED, key=_by_id,
        filters={"ordering": Filter(_ordering), **(filters or {})},
    )


def _vehicle_model_make(model):
    return catalogue.VEHICLE_MAKES[model.make_id]


def _evse_model_make(model):
    return catalogue.EVSE_MAKES[model.make_id]


VEHICLE_MAKES = _catalogue(
    "vehicle_makes", ids.VEHICLE_MAKE, None, catalogue.VEHICLE_MAKES,
    lambda make, context, expand: catalogue.vehicle_make_json(make, context.base),
    filters={"available_for_user_id": Filter(_offered(lambda make: make), _user_country)},
)
VEHICLE_MODELS = _catalogue(
    "vehicle_models", ids.VEHICLE_MODEL, None, catalogue.VEHICLE_MODELS,
    lambda model, context, expand: catalogue.vehicle_model_json(model, context.base, expand), expands=("make",),
    filters={"make_id": Filter(_field_is("make_id")),
             "available_for_user_id": Filter(_offered(_vehicle_model_make), _user_country)},
)
VEHICLE_TRIMS = _catalogue(
    "vehicle_trims", ids.VEHICLE_TRIM, "vehicle:read", catalogue.VEHICLE_TRIMS,
    lambda trim, context, expand: catalogue.vehicle_trim_json(trim, context.base, expand),
    expands=("model", "model.make"), filters={"model_id": Filter(_field_is("model_id"))},
)
EVSE_MAKES = _catalogue(
    "evse_makes", ids.EVSE_MAKE, None, catalogue.EVSE_MAKES,
    lambda make, context, expand: catalogue.evse_make_json(make, context.base),
    filters={"available_for_user_id": Filter(_offered(lambda make: make), _user_country)},
)
EVSE_MODELS = _catalogue(
    "evse_models", ids.EVSE_MODEL, None, catalogue.EVSE_MODELS,
    lambda model, context, expand: catalogue.evse_model_json(model, context.base, expand), expands=("make",),
    filters={"make_id": Filter(_field_is("make_id")),
             "available_for_user_id": Filter(_offered(_evse_model_make), _user_country)},
)


# --- compatibility checks --------------------------------------------------------------------

def _check_country(context, slug: str) -> str:
    params = context.request.GET
    if "country" in params:
        if not re.fullmatch(r"[A-Za-z]{2}", params["country"]):
            raise validation_failed(slug, {"country": ["Enter a two-letter ISO 3166-1 country code."]})
        return params["country"].upper()
    for language in context.request.headers.get("Accept-Language", "").split(","):
        match = LANGUAGE_REGION.match(language.strip())
        if match:
            return match.group(1).upper()
    return "US"


def _checked_model(context, parameter: str, prefix: str, models: dict, slug: str, what: str):
    raw = context.request.GET.get(parameter)
    if not raw:
        raise validation_failed(slug, {parameter: ["This field is required."]})
    if not ids.is_id(raw, prefix):
        raise validation_failed(slug, {parameter: [f"Enter a valid {what} id."]})
    return models.get(raw)


def _no_program(context, slug: str) -> None:
    program_id = context.request.GET.get("program_id")
    if program_id is not None:  # the sandbox has no programs
        raise ApiError(404, "Program not found", f"No program found with id {program_id}.", slug)


def vehicle_compatibility(context):
    slug = "validation-failed-vehicle-compatibility-check"
    model = _checked_model(context, "vehicle_model_id", ids.VEHICLE_MODEL, catalogue.VEHICLE_MODELS, slug,
                           "vehicle model")
    country = _check_country(context, slug)
    if model is None:
        raise ApiError(404, "Vehicle model not found", "No vehicle model found with that id.",
                       "vehicle-model-not-found")
    _no_program(context, "program-not-found-vehicle-compatibility")
    make = catalogue.VEHICLE_MAKES[model.make_id]
    return json_response({"compatible": country in COUNTRIES and catalogue.offered_in(make, country),
                          "recommendation_rank": catalogue.RECOMMENDATION_RANKS.get(make.name)})


def evse_compatibility(context):
    slug = "validation-failed-evse-compatibility-check"
    model = _checked_model(context, "evse_model_id", ids.EVSE_MODEL, catalogue.EVSE_MODELS, slug, "EVSE model")
    country = _check_country(context, slug)
    if model is None:
        raise ApiError(404, "EVSE model not found", "No EVSE model found with that id.", "evse-model-not-found")
    _no_program(context, "program-not-found")
    make = catalogue.EVSE_MAKES[model.make_id]
    compatible = country in COUNTRIES and catalogue.offered_in(make, country)
    return json_response({"compatible": compatible, "beta": compatible and make.name in catalogue.BETA_EVSE_MAKES,
                          "recommendation_rank": catalogue.RECOMMENDATION_RANKS.get(make.name)})


DECLARATIONS = (
    VEHICLE_MAKES, VEHICLE_MODELS, VEHICLE_TRIMS, EVSE_MAKES, EVSE_MODELS,
    Endpoint("vehicle_compatibility/check", {"GET": Operation(vehicle_compatibility, None)}),
    Endpoint("evse_compatibility/check", {"GET": Operation(evse_compatibility, None)}),
)
