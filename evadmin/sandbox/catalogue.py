"""The vehicle and charger catalogue (makes, models, trims) that seeded devices point at.

It is static reference data, not database rows: ids are derived from a fixed seed, so they are
the same in every sandbox, and `expand=trim.model.make` / `expand=model.make` read from here.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from evadmin.sandbox import ids


@dataclass(frozen=True)
class VehicleTrim:
    id: str
    name: str
    battery_size_watt_hours: int
    model_id: str


@dataclass(frozen=True)
class VehicleModel:
    id: str
    name: str
    make_id: str
    default_battery_size_watt_hours: int
    default_connector_type: str | None
    vehicle_class: str


@dataclass(frozen=True)
class Make:
    id: str
    name: str
    slug: str


@dataclass(frozen=True)
class EvseModel:
    id: str
    name: str
    display_name: str
    make_id: str
    cpid_prefix: str


# make -> model -> (connector, class, [(trim, battery Wh)])
_VEHICLES = {
    "Tesla": {"Model 3": ("NACS", "PASSENGER", [("Standard Range Plus", 57500), ("Long Range AWD", 75000)]),
              "Model Y": ("NACS", "PASSENGER", [("Long Range AWD", 75000), ("Performance", 79000)])},
    "Nissan": {"Leaf": ("CHADEMO", "PASSENGER", [("40 kWh", 40000), ("e+ 62 kWh", 62000)])},
    "Volkswagen": {"ID.3": ("CCS", "PASSENGER", [("Pro", 58000), ("Pro S", 77000)]),
                   "ID.4": ("CCS", "PASSENGER", [("Pro", 77000)]),
                   "ID. Buzz Cargo": ("CCS", "COMMERCIAL", [("Cargo", 77000)])},
    "Kia": {"EV6": ("CCS", "PASSENGER", [("Long Range RWD", 77400)]),
            "Niro EV": ("CCS", "PASSENGER", [("64 kWh", 64800)])},
    "Hyundai": {"Ioniq 5": ("CCS", "PASSENGER", [("Long Range", 77400), ("Standard Range", 58000)]),
                "Kona Electric": ("CCS", "PASSENGER", [("64 kWh", 64000)])},
    "BMW": {"i4": ("CCS", "PASSENGER", [("eDrive40", 83900)]), "iX3": ("CCS", "PASSENGER", [("M Sport", 80000)])},
    "Renault": {"Zoe": ("CCS", "PASSENGER", [("R135", 52000)]),
                "Megane E-Tech": ("CCS", "PASSENGER", [("EV60", 60000)])},
    "Ford": {"Mustang Mach-E": ("CCS", "PASSENGER", [("Extended Range", 91000)]),
             "F-150 Lightning": ("CCS", "PASSENGER", [("Standard Range", 98000), ("Extended Range", 131000)]),
             "E-Transit": ("CCS", "COMMERCIAL", [("Van", 68000)])},
    "Chevrolet": {"Bolt EV": ("CCS", "PASSENGER", [("LT", 65000)])},
    "Polestar": {"2": ("CCS", "PASSENGER", [("Long Range Single Motor", 78000)])},
    "MG": {"MG4": ("CCS", "PASSENGER", [("SE", 51000), ("Long Range", 64000)]),
           "ZS EV": ("CCS", "PASSENGER", [("Long Range", 72600)])},
    "Audi": {"Q4 e-tron": ("CCS", "PASSENGER", [("40", 82000)])},
    "Peugeot": {"e-208": ("CCS", "PASSENGER", [("GT", 50000)])},
}

# make -> [(model, display name, cpid prefix)]
_EVSES = {
    "myenergi": [("zappi-v2", "zappi 2", "ZAP"), ("zappi-v2-1", "zappi 2.1", "ZAP")],
    "Wallbox": [("pulsar-plus", "Pulsar Plus", "WBX"), ("commander-2", "Commander 2", "WBC")],
    "Ohme": [("home-pro", "Home Pro", "OHM"), ("epod", "ePod", "OHE")],
    "Easee": [("home", "Home", "EH")],
    "ChargePoint": [("home-flex", "Home Flex", "CPF")],
    "Tesla": [("wall-connector-gen-3", "Wall Connector (Gen 3)", "TWC")],
    "Hypervolt": [("home-3-pro", "Home 3 Pro", "HV3")],
    "Andersen": [("a2", "A2", "AND")],
}

_EUROPE = frozenset({"GB", "IE", "NL", "DE", "FR", "ES"})
# The countries (of the sandbox's eight) where a make is offered; a make not listed is offered in
# all of them. `available_for_user_id` and the compatibility checks read this.
MAKE_COUNTRIES = {
    "Chevrolet": frozenset({"US", "CA"}), "MG": _EUROPE, "Peugeot": _EUROPE, "Renault": _EUROPE,
    "myenergi": _EUROPE, "Ohme": frozenset({"GB", "IE", "NL", "DE"}), "Hypervolt": frozenset({"GB", "IE"}),
    "Andersen": frozenset({"GB"}), "ChargePoint": frozenset({"US", "CA", "GB", "NL", "DE", "FR"}),
}
# Priority on the device-selection screen (1 = top); makes not listed have none.
RECOMMENDATION_RANKS = {"Tesla": 1, "Volkswagen": 2, "Kia": 3, "Hyundai": 4, "myenergi": 1, "Ohme": 2, "Wallbox": 3}
BETA_EVSE_MAKES = frozenset({"Andersen"})

_BASE_TIME = datetime(2019, 1, 1, tzinfo=UTC)


def _slug(name: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in name.lower()).strip("-")


def _build():
    rng = random.Random("evadmin-sandbox-catalogue")
    step = iter(range(10_000))

    def next_id(prefix: str) -> str:
        return ids.seeded_id(prefix, _BASE_TIME + timedelta(hours=next(step)), rng)

    vehicle_makes, vehicle_models, trims = {}, {}, {}
    for make_name, models in _VEHICLES.items():
        make = Make(next_id(ids.VEHICLE_MAKE), make_name, _slug(make_name))
        vehicle_makes[make.id] = make
        for model_name, (connector, vehicle_class, model_trims) in models.items():
            model = VehicleModel(next_id(ids.VEHICLE_MODEL), model_name, make.id, model_trims[0][1], connector,
                                 vehicle_class)
            vehicle_models[model.id] = model
            for trim_name, battery in model_trims:
                trim = VehicleTrim(next_id(ids.VEHICLE_TRIM), trim_name, battery, model.id)
                trims[trim.id] = trim
    evse_makes, evse_models = {}, {}
    for make_name, models in _EVSES.items():
        make = Make(next_id(ids.EVSE_MAKE), make_name, _slug(make_name))
        evse_makes[make.id] = make
        for model_name, display_name, cpid_prefix in models:
            model = EvseModel(next_id(ids.EVSE_MODEL), model_name, display_name, make.id, cpid_prefix)
            evse_models[model.id] = model
    return vehicle_makes, vehicle_models, trims, evse_makes, evse_models


VEHICLE_MAKES, VEHICLE_MODELS, VEHICLE_TRIMS, EVSE_MAKES, EVSE_MODELS = _build()


def offered_in(make: Make, country: str) -> bool:
    return country in MAKE_COUNTRIES.get(make.name, (country,))


def vehicle_description(trim: VehicleTrim) -> str:
    model = VEHICLE_MODELS[trim.model_id]
    return f"{VEHICLE_MAKES[model.make_id].name} {model.name} {trim.name}"


# --- Expanded forms (VehicleTrim, VehicleModel, VehicleMake, EVSEModel, EVSEMake in the spec) ---

def _icon(slug: str) -> str:
    return f"https://assets.example.com/makes/{slug}.png"


def vehicle_make_json(make: Make, base: str) -> dict:
    return {
        "id": make.id, "url": f"{base}/vehicle_makes/{make.id}", "name": make.name, "icon": _icon(make.slug),
        "onboarding_url": None, "models": f"{base}/vehicle_models?make_id={make.id}",
        "subscription_name": None, "subscription_package": None,
    }


def vehicle_model_json(model: VehicleModel, base: str, expand: set[str]) -> dict:
    make = VEHICLE_MAKES[model.make_id]
    return {
        "id": model.id, "url": f"{base}/vehicle_models/{model.id}", "name": model.name,
        "make": vehicle_make_json(make, base) if "make" in expand else f"{base}/vehicle_makes/{make.id}",
        "onboarding_url": None, "vehicle_trims": f"{base}/vehicle_trims?model_id={model.id}",
        "default_battery_size_watt_hours": model.default_battery_size_watt_hours,
        "default_connector_type": model.default_connector_type,
    }


def vehicle_trim_json(trim: VehicleTrim, base: str, expand: set[str]) -> dict:
    """`expand` holds the paths below the trim: {"model"} or {"model", "model.make"}."""
    model = VEHICLE_MODELS[trim.model_id]
    model_expand = {path.split(".", 1)[1] for path in expand if path.startswith("model.")}
    return {
        "id": trim.id, "url": f"{base}/vehicle_trims/{trim.id}", "name": trim.name,
        "model": vehicle_model_json(model, base, model_expand) if "model" in expand
        else f"{base}/vehicle_models/{model.id}",
        "battery_size_watt_hours": trim.battery_size_watt_hours, "onboarding_url": None,
    }


def evse_make_json(make: Make, base: str) -> dict:
    return {
        "id": make.id, "url": f"{base}/evse_makes/{make.id}", "name": make.name, "display_name": make.name,
        "icon": _icon(make.slug), "onboarding_url": None, "is_beta": make.name in BETA_EVSE_MAKES,
        "evse_models": f"{base}/evse_models?make_id={make.id}",
    }


def evse_model_json(model: EvseModel, base: str, expand: set[str]) -> dict:
    make = EVSE_MAKES[model.make_id]
    return {
        "id": model.id, "url": f"{base}/evse_models/{model.id}", "name": model.name,
        "make": evse_make_json(make, base) if "make" in expand else f"{base}/evse_makes/{make.id}",
        "display_name": model.display_name, "onboarding_url": None,
    }
