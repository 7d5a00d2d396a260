"""The sandbox's device catalogue and compatibility checks, and the API root, over real HTTP."""

import pytest
import requests

from evadmin.sandbox import catalogue
from tests import spec
from tests.sandbox.helpers import Api, all_pages, problem

# (collection, number in the catalogue, public per the spec)
CATALOGUE = (
    ("vehicle_makes", len(catalogue.VEHICLE_MAKES), True),
    ("vehicle_models", len(catalogue.VEHICLE_MODELS), True),
    ("vehicle_trims", len(catalogue.VEHICLE_TRIMS), False),
    ("evse_makes", len(catalogue.EVSE_MAKES), True),
    ("evse_models", len(catalogue.EVSE_MODELS), True),
)


@pytest.fixture
def anonymous(sandbox_api):
    spec.require_spec()
    return Api(sandbox_api, None)


@pytest.mark.parametrize("name, count, public", CATALOGUE)
def test_catalogue_lists_page_to_the_end_and_retrieve_each(api, anonymous, name, count, public):
    items, pages = all_pages(api, f"/{name}", params={"page_size": 4})
    assert len(items) == count and pages == -(-count // 4)
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)  # creation order
    first = items[0]
    assert api.get(first["url"]).json() == first
    if public:
        assert anonymous.get(f"/{name}", params={"page_size": 100}).json() == items
        assert anonymous.get(first["url"]).json() == first
    else:
        problem(anonymous.get(f"/{name}"), 401)
    by_name = api.get(f"/{name}", params={"page_size": 100, "ordering": "name"}).json()
    assert [item["name"].lower() for item in by_name] == sorted(item["name"].lower() for item in items)
    reverse = api.get(f"/{name}", params={"page_size": 100, "ordering": "-name"}).json()
    assert [item["id"] for item in reverse] == [item["id"] for item in by_name][::-1] or name.endswith("trims")
    problem(api.get(f"/{name}/{first['id'][:4]}01HN2NJ9NMRZBXT1H6FT9N7735"), 404)
    problem(api.get(f"/{name}", params={"page_after": "vhcl01HN2NJ9NMRZBXT1H6FT9N7735"}), 400,
            "Invalid pagination parameter")


def test_name_ordering_pages_by_cursor(api):
    by_name = api.get("/vehicle_makes", params={"page_size": 100, "ordering": "name"}).json()
    walked, _ = all_pages(api, "/vehicle_makes", params={"page_size": 3, "ordering": "name"})
    assert walked == by_name
    # An ordering the spec does not know falls back to creation order.
    assert api.get("/vehicle_makes", params={"page_size": 100, "ordering": "size"},
                   check_request=False).json() == all_pages(api, "/vehicle_makes", params={"page_size": 100})[0]


def test_make_and_model_filters_follow_the_catalogue_links(api):
    make = next(m for m in api.get("/vehicle_makes", params={"page_size": 100}).json() if m["name"] == "Volkswagen")
    models = api.get(make["models"], params={"expand": "make"}).json()
    assert {m["name"] for m in models} == {"ID.3", "ID.4", "ID. Buzz Cargo"}
    assert all(m["make"] == make for m in models)
    id3 = next(m for m in models if m["name"] == "ID.3")
    trims = api.get(id3["vehicle_trims"], params={"expand": "model.make"}).json()
    assert {t["name"] for t in trims} == {"Pro", "Pro S"}
    assert all(t["model"]["id"] == id3["id"] and t["model"]["make"]["id"] == make["id"] for t in trims)
    evse_make = next(m for m in api.get("/evse_makes").json() if m["name"] == "Ohme")
    evse_models = api.get(evse_make["evse_models"], params={"expand": "make"}).json()
    assert {m["display_name"] for m in evse_models} == {"Home Pro", "ePod"}
    assert all(m["make"]["id"] == evse_make["id"] for m in evse_models)


def test_available_for_user_keeps_what_the_drivers_country_is_offered(api):
    users = api.get("/users", params={"page_size": 100}).json()
    american = next(u for u in users if u["default_location"].get("country_code") == "US")
    british = next(u for u in users if u["default_location"].get("country_code") == "GB")
    for user, absent, present in ((american, {"MG", "Renault"}, {"Chevrolet", "Tesla"}),
                                  (british, {"Chevrolet"}, {"MG", "Tesla"})):
        makes = {m["name"] for m in api.get("/vehicle_makes", params={
            "available_for_user_id": user["id"], "page_size": 100}).json()}
        assert present <= makes and not absent & makes
    us_chargers = {catalogue.EVSE_MAKES[model["make"].rsplit("/", 1)[1]].name for model in api.get(
        "/evse_models", params={"available_for_user_id": american["id"], "page_size": 100}).json()}
    assert "ChargePoint" in us_chargers and "myenergi" not in us_chargers
    found = problem(api.get("/vehicle_models", params={"available_for_user_id": "user01HN2NJ9NMRZBXT1H6FT9N7735"}),
                    400)
    assert list(found["field_errors"]) == ["available_for_user_id"]


def _model_id(models: dict, make: str) -> str:
    return next(model.id for model in models.values()
                if (catalogue.VEHICLE_MAKES | catalogue.EVSE_MAKES)[model.make_id].name == make)


def test_compatibility_checks_are_public_and_follow_the_country(anonymous):
    chevrolet = _model_id(catalogue.VEHICLE_MODELS, "Chevrolet")
    tesla = _model_id(catalogue.VEHICLE_MODELS, "Tesla")
    check = "/vehicle_compatibility/check"
    assert anonymous.get(check, params={"vehicle_model_id": chevrolet, "country": "us"}).json() == {
        "compatible": True, "recommendation_rank": None}
    assert anonymous.get(check, params={"vehicle_model_id": chevrolet, "country": "GB"}).json()["compatible"] is False
    assert anonymous.get(check, params={"vehicle_model_id": tesla, "country": "JP"}).json() == {
        "compatible": False, "recommendation_rank": 1}  # a country the API does not serve
    # No country: the Accept-Language region, else US.
    assert anonymous.get(check, params={"vehicle_model_id": chevrolet},
                         headers={"Accept-Language": "en-GB,en;q=0.8"}).json()["compatible"] is False
    assert anonymous.get(check, params={"vehicle_model_id": chevrolet}).json()["compatible"] is True
    andersen = _model_id(catalogue.EVSE_MODELS, "Andersen")
    evse_check = "/evse_compatibility/check"
    assert anonymous.get(evse_check, params={"evse_model_id": andersen, "country": "GB"}).json() == {
        "compatible": True, "beta": True, "recommendation_rank": None}
    assert anonymous.get(evse_check, params={"evse_model_id": andersen, "country": "DE"}).json() == {
        "compatible": False, "beta": False, "recommendation_rank": None}


def test_compatibility_check_errors(anonymous):
    check = "/vehicle_compatibility/check"
    missing = problem(anonymous.get(check, check_request=False), 400)
    assert missing["field_errors"] == {"vehicle_model_id": ["This field is required."]}
    assert missing["type"].endswith("/validation-failed-vehicle-compatibility-check/")
    bad_country = anonymous.get(check, params={"vehicle_model_id": _model_id(catalogue.VEHICLE_MODELS, "Kia"),
                                               "country": "GBR"}, check_request=False)
    assert list(problem(bad_country, 400)["field_errors"]) == ["country"]
    unknown = problem(anonymous.get(check, params={"vehicle_model_id": "vmod01HN2NJ9NMRZBXT1H6FT9N7735"}), 404)
    assert unknown["type"].endswith("/vehicle-model-not-found/")
    no_program = anonymous.get("/evse_compatibility/check", params={
        "evse_model_id": _model_id(catalogue.EVSE_MODELS, "Ohme"), "program_id": "prog01HN2NJ9NMRZBXT1H6FT9N7735"})
    assert problem(no_program, 404)["type"].endswith("/program-not-found/")


def test_the_root_advertises_only_what_is_served(sandbox_api, api):
    root = requests.get(sandbox_api.url("/v2"), timeout=10)
    spec.validate_response("GET", sandbox_api.url("/v2"), 200, dict(root.headers), root.content)
    served = root.json()
    assert {"users", "vehicles", "evses", "vehicle_trims", "evse_models", "tariffs"} <= set(served)
    for name, url in served.items():
        assert api.get(url, params={"page_size": 1}).status_code == 200, name
