"""Programs, their tiers, vehicle compatibility, participation agreements, join, user verification and
incentive schemes, as the spec has them (seed data: seeding/programs.py).

`GET /programs` is public; with a driver (EvEnergy-User) it answers the programs the driver may be
eligible for at their stored location; `coordinates` and `postal_code` are mutually exclusive (400),
`postal_code` needs `country_code`. Tiers' `eligible` is null without a driver. `POST …/join` needs
`utility_account:write` and enrols the driver in the default tier (leaving any other program);
`user_verification` asks for a token and names no scope. `GET /incentive_schemes` requires EvEnergy-User (400 without it).
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils import timezone

from evadmin.sandbox import catalogue, ids
from evadmin.sandbox.countries import COUNTRY_CODES
from evadmin.sandbox.models import Record
from evadmin.sandbox.pagination import sequence_page
from evadmin.sandbox.resources import Endpoint, invalid_parameter
from evadmin.sandbox.responses import ApiError, json_response, not_found, validation_failed
from evadmin.sandbox.seeding.programs import BY_ID, ENROLMENT, PROGRAMS, available_at, eligible_for
from evadmin.sandbox.views.base import Operation

COORDINATES = re.compile(
    r"^[-+]?([1-8]?\d(\.\d+)?|90(\.0+)?),\s*[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)$")
# Rough bounding boxes of the programs' areas, for a coordinates search.
AREAS = {"GB": (49.8, 60.9, -8.7, 1.8), "US": (24.0, 49.5, -125.0, -66.0)}
JOIN_SCOPE = "utility_account:write"
INCENTIVE_SCHEMES = (
    {"id": "incs01JPRG0US10000000000000001", "name": "Off-Peak Charging Incentives",
     "description": "Earn $0.10 per kWh when charging off-peak", "visible": True, "available": True},
    {"id": "incs01JPRG0GB10000000000000001", "name": "Sign-up bonus",
     "description": "A one-off £20 credit for a new charger", "visible": False, "available": False},
)


def program_json(program, context) -> dict:
    return {"id": program.id, "url": f"{context.base}/programs/{program.id}", "name": program.name,
            "description": program.description, "logo": None, "sponsor_name": program.sponsor_name,
            "external_url": program.external_url}


def tier_json(program, tier, context, eligible) -> dict:
    return {"id": tier.id, "url": f"{context.base}/programs/{program.id}/tiers/{tier.id}",
            "short_name": tier.short_name, "name": tier.name, "logo_svg": None,
            "description_short": tier.description, "description_long": tier.description,
            "smart_charging_enabled": tier.smart_charging_enabled, "disable_changing_tariff": False,
            "visible": True, "eligible": eligible}


def _program(program_id: str):
    program = BY_ID.get(program_id)
    if program is None:
        raise not_found(f"No program found with id {program_id}.")
    return program


def _user_eligible(context, program) -> bool | None:
    user = context.acting_user
    return None if user is None else available_at(program, user.country_code, user.postal_code)


def list_programs(context):
    params = context.request.GET
    coordinates, postal_code, country = params.get("coordinates"), params.get("postal_code"), params.get("country_code")
    if coordinates is not None and (postal_code is not None or country is not None):
        raise validation_failed("validation-failed-list-programs", {
            "non_field_errors": ["Coordinates and postal code searching are mutually exclusive."]})
    if country is not None and country not in COUNTRY_CODES:
        raise invalid_parameter("country_code", f'"{country}" is not a valid choice.')
    if postal_code is not None and country is None:
        raise invalid_parameter("country_code", "This field is required when postal_code is used.")
    programs = list(PROGRAMS)
    if context.acting_user is not None:
        programs = eligible_for(context.acting_user)
    if coordinates is not None:
        if not COORDINATES.match(coordinates):
            raise invalid_parameter("coordinates", "Enter latitude,longitude.")
        latitude, longitude = (float(part) for part in coordinates.split(","))
        inside = {code for code, (south, north, west, east) in AREAS.items()
                  if south <= latitude <= north and west <= longitude <= east}
        programs = [program for program in programs if program.country in inside]
    elif country is not None:
        programs = [program for program in programs
                    if available_at(program, country, postal_code if postal_code is not None else "")
                    or (postal_code is None and program.country == country)]
    return json_response([program_json(program, context) for program in programs])


def retrieve_program(context, program_id):
    return json_response(program_json(_program(program_id), context))


def list_tiers(context, program_id):
    program = _program(program_id)
    eligible = _user_eligible(context, program)
    page = sequence_page(context.request, list(program.tiers), prefix="tier")
    response = json_response([tier_json(program, tier, context, eligible) for tier in page.items])
    response["Link"] = page.link
    return response


def retrieve_tier(context, program_id, tier_id):
    program = _program(program_id)
    tier = next((tier for tier in program.tiers if tier.id == tier_id), None)
    if tier is None:
        raise not_found(f"No tier found with id {tier_id}.")
    return json_response(tier_json(program, tier, context, _user_eligible(context, program)))


def vehicle_compatibility(context, program_id):
    program = _program(program_id)
    expand = context.expand(("model",))
    found = []
    for model in catalogue.VEHICLE_MODELS.values():
        make = catalogue.VEHICLE_MAKES[model.make_id]
        if not catalogue.offered_in(make, program.country):
            continue
        found.append({
            "can_control_charge": True,
            "model": (catalogue.vehicle_model_json(model, context.base, set()) if "model" in expand
                      else f"{context.base}/vehicle_models/{model.id}"),
            "type": "BEV", "supported_countries": [program.country]})
    return json_response(found)


def current_agreement(context, program_id):
    program = _program(program_id)
    return json_response({
        "id": program.agreement_id,
        "url": f"{context.base}/programs/{program.id}/participation_agreement_versions/{program.agreement_id}",
        "version_number": 1, "published": True, "content": program.agreement,
        "created_at": "2026-01-01T00:00:00Z"})


def _driver(context):
    if context.acting_user is None:
        raise ApiError(400, "EvEnergy-User header required",
                       "This operation acts for one driver: send the EvEnergy-User header.", "user-header-required")
    return context.acting_user


def join(context, program_id):
    program = _program(program_id)
    user = _driver(context)
    default = next((tier for tier in program.tiers if tier.default), None)
    if default is None:
        raise not_found("The program has no default tier.")
    current = Record.objects.filter(kind=ENROLMENT, user_id=user.id).first()
    if current is not None and current.data.get("program") == program.id:
        return json_response(program_json(program, context), status=201)
    Record.objects.filter(kind=ENROLMENT, user_id=user.id).delete()  # leaves any other program
    Record.objects.create(id=ids.new_id("penr"), kind=ENROLMENT, user_id=user.id, at=timezone.now(),
                          data={"program": program.id, "tier": default.id})
    return json_response(program_json(program, context), status=201)


def user_verification(context, program_id):
    _program(program_id)
    _driver(context)
    body = context.body()
    if not isinstance(body, dict):
        raise validation_failed("validation-failed-user-verification",
                                {"non_field_errors": ["Send the program's verification data as a JSON object."]})
    return HttpResponse(status=201)


def incentive_schemes(context):
    _driver(context)
    return json_response(list(INCENTIVE_SCHEMES))


PROGRAM = r"(?P<program_id>[^/]+)"
DECLARATIONS = (
    Endpoint("programs", {"GET": Operation(list_programs, None)}),
    Endpoint(f"programs/{PROGRAM}/tiers", {"GET": Operation(list_tiers, None)}),
    Endpoint(f"programs/{PROGRAM}/tiers/(?P<tier_id>[^/]+)", {"GET": Operation(retrieve_tier, None)}),
    Endpoint(f"programs/{PROGRAM}/vehicle_compatibility", {"GET": Operation(vehicle_compatibility, "vehicle:read")}),
    Endpoint(f"programs/{PROGRAM}/participation_agreement_versions/current",
             {"GET": Operation(current_agreement, None)}),
    Endpoint(f"programs/{PROGRAM}/join", {"POST": Operation(join, JOIN_SCOPE)}),
    Endpoint(f"programs/{PROGRAM}/user_verification", {"POST": Operation(user_verification, "")}),
    Endpoint(f"programs/{PROGRAM}", {"GET": Operation(retrieve_program, None)}),
    Endpoint("incentive_schemes", {"GET": Operation(incentive_schemes, "")}),
)
