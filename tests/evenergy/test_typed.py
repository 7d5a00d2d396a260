"""Typed resources never crash a page on what the spec allows: every field null, absent or odd.

Each resource type of the declared collections is read from JSON built from its schema in the
published spec: all properties null, all absent, all of a type the annotation does not allow, and
the spec's own examples (which must come through with their values).
"""

import types
import typing
from dataclasses import fields
from datetime import datetime

import pytest

from evadmin.evenergy import carbon, charging, devices, energy, notifications, programs, rebates, tickets
from evadmin.evenergy.collections import DECLARATIONS
from evadmin.evenergy.resources import DeviceStatus, Evse, Vehicle
from evadmin.evenergy.typed import ApiObject, required_fields
from tests import spec

SCHEMA_OF = {
    Vehicle: "Vehicle", Evse: "EVSE", DeviceStatus: "EVSEStatusLog",
    charging.ChargingSession: "ChargingSession", charging.ChargingSubSession: "ChargingSubSession",
    charging.SubSessionFlags: "ChargingSubSessionFlags", charging.Assessment: "ChargingSubSessionAssessment",
    charging.EnergyUsage: "EnergyUsage", charging.Schedules: "Schedules", charging.SchedulePlans: "SchedulePlans",
    charging.DebugMetadata: "ChargingSubSessionDebugMetadata", charging.DispatcherLog: "DispatcherLog",
    charging.Price: "Price", devices.EvseStatusLog: "EVSEStatusLog", devices.EvseErrorLog: "EVSEAPIErrorLog",
    devices.OcppLog: "EVSEOCPPLog", devices.EvseCommandLog: "EVSECommandLog",
    devices.EvseConnectivity: "EVSEConnectivity", devices.VehicleStatusLog: "VehicleStatusLog",
    devices.VehicleErrorLog: "VehicleAPIErrorLog", devices.VehicleLocationLog: "VehicleLocationLog",
    devices.VehicleCommandLog: "VehicleCommandLog", devices.StateOfCharge: "VehicleStateOfCharge",
    devices.Make: "VehicleMake", devices.DeviceModel: "VehicleModel", devices.VehicleTrim: "VehicleTrim",
    devices.CompatibilityCheck: "VehicleCompatibilityCheckResult", devices.ReconnectionLink: "VehicleReconnectionUrl",
    # An answer the spec writes inline: (path, method, status) of the operation that gives it.
    charging.EnergyRecalculation: ("/charging_sub_sessions/{charging_sub_session_id}/recalculate_energy_usages",
                                   "post", "200"),
    tickets.SupportTicket: "SupportTicket", tickets.TicketMessage: "SupportTicketMessage",
    tickets.TicketTaxonomy: ("/support_tickets/categories", "get", "200"),
    **{kind: (f"/support-ticket-stats/{name}", "get", "200") for kind, name in (
        (tickets.TicketVolume, "volume"), (tickets.TicketResolution, "resolution"),
        (tickets.StatusBreakdown, "status"), (tickets.PriorityBreakdown, "priority"),
        (tickets.SourceBreakdown, "source"), (tickets.TopCategories, "top-categories"),
        (tickets.CategoryFlow, "sankey"))},
    # Issue 17: rebates, subscriptions, the payout method.
    rebates.RebateType: "RebateType", rebates.RebateEvidenceType: "RebateEvidenceType",
    rebates.UserRebate: "UserRebate", rebates.RebateEvidenceFile: "RebateEvidenceFile",
    rebates.Subscription: "Subscription", rebates.SubscriptionOffering: "SubscriptionOffering",
    rebates.PayoutMethod: "PayoutMethod",
    programs.Program: "Program", programs.ProgramTier: "ProgramTier",
    programs.ProgramVehicleCompatibility: "ProgramVehicleCompatibility",
    programs.ParticipationAgreementVersion: "ParticipationAgreementVersion", programs.IncentiveScheme: "IncentiveScheme",
    # Issue 17: energy devices (and the parts they expand).
    energy.SolarArray: "SolarArray", energy.Inverter: "Inverter", energy.InverterStatusLog: "InverterStatusLog",
    energy.EnergyModel: "InverterModel", energy.EnergyMake: "InverterMake", energy.HomeBattery: "HomeBattery",
    energy.HomeBatteryStatusLog: "HomeBatteryStatusLog", energy.HemSystem: "HEMSystem",
    energy.HemLivePower: "HEMSystemLivePower", energy.HemEnergyStats: "HEMSystemEnergyStatsResponse",
    energy.HemEnergyStatsBucket: "HEMSystemEnergyStatsBucket",
    # Issue 17: notifications and a driver's notification preferences.
    notifications.Notification: "Notification", notifications.NotificationPreferences: "UserNotificationPreferences",
    carbon.CarbonFeed: "CarbonFeed", carbon.GridFeed: "GridFeed", carbon.GridLevel: "GridLevel",
    carbon.CarbonIntensities: "CarbonIntensities", carbon.CarbonIntensity: "CarbonIntensity",
}
JUNK = ("junk", 12, 3.5, True, [], [None, "x"], {}, {"url": 5})


def declared_resources() -> list[type]:
    found = {declaration.resource for declaration in DECLARATIONS}
    return sorted((kind for kind in found if isinstance(kind, type) and issubclass(kind, ApiObject)),
                  key=lambda kind: kind.__name__)


def schema_properties(name: str | tuple[str, str, str]) -> dict:
    spec.require_spec()
    raw = spec._raw_spec()
    if isinstance(name, tuple):
        path, method, status = name
        return spec._properties(raw["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"])
    return spec._properties(raw["components"]["schemas"][name])


def assert_well_typed(obj: ApiObject) -> None:
    """Every field holds its annotated type, None, or its default: never the junk it was given."""
    hints = typing.get_type_hints(type(obj))
    for item in fields(obj):
        value, annotation = getattr(obj, item.name), hints[item.name]
        if item.name == "raw" or value is None:
            continue
        options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
        allowed = tuple(typing.get_origin(option) or option for option in options if option is not type(None))
        allowed = tuple(kind for kind in allowed if kind is not typing.Any)
        if float in allowed:
            allowed += (int,)
        assert not allowed or isinstance(value, allowed), f"{type(obj).__name__}.{item.name} = {value!r}"
        if bool not in allowed and allowed and int in allowed:
            assert not isinstance(value, bool), f"{type(obj).__name__}.{item.name} took a bool"


def test_every_declared_resource_is_mapped_to_its_schema():
    assert set(declared_resources()) <= set(SCHEMA_OF), "map each new resource type to its schema above"


@pytest.mark.parametrize("kind", sorted(SCHEMA_OF, key=lambda kind: kind.__name__), ids=lambda kind: kind.__name__)
def test_every_field_has_a_default_so_an_absent_key_never_crashes(kind):
    assert required_fields(kind) == []
    assert_well_typed(kind.from_api({}))


@pytest.mark.parametrize("kind", sorted(SCHEMA_OF, key=lambda kind: kind.__name__), ids=lambda kind: kind.__name__)
def test_every_property_null_or_of_an_odd_type_reads_without_crashing(kind):
    properties = schema_properties(SCHEMA_OF[kind])
    assert properties, SCHEMA_OF[kind]
    obj = kind.from_api(dict.fromkeys(properties))
    assert_well_typed(obj)
    assert obj.raw == dict.fromkeys(properties)  # what was served is kept as served
    for junk in JUNK:
        assert_well_typed(kind.from_api(dict.fromkeys(properties, junk)))


def _example(node: dict):
    node = spec._resolved(node)
    if "example" in node:
        return node["example"]
    for key in ("oneOf", "anyOf"):
        for option in node.get(key, []):
            value = _example(option)
            if value is not None:
                return value
    return None


@pytest.mark.parametrize("kind", sorted(SCHEMA_OF, key=lambda kind: kind.__name__), ids=lambda kind: kind.__name__)
def test_the_specs_examples_come_through_with_their_values(kind):
    properties = schema_properties(SCHEMA_OF[kind])
    example = {name: value for name, node in properties.items() if (value := _example(node)) is not None}
    obj = kind.from_api(example)
    assert_well_typed(obj)
    hints = typing.get_type_hints(kind)
    for item in fields(obj):
        served = example.get(item.metadata.get("api", item.name))
        if served is None or item.name == "raw":
            continue
        value, annotation = getattr(obj, item.name), hints[item.name]
        options = typing.get_args(annotation) or (annotation,)
        if any(hasattr(option, "from_api") for option in options):
            continue  # a related resource: served as a URL here, kept in raw (link() reads it)
        if isinstance(served, str) and datetime in options:
            assert value == datetime.fromisoformat(served.replace("Z", "+00:00")), item.name
        elif isinstance(served, (str, int, float, bool)) and not isinstance(value, ApiObject):
            assert value == served, f"{kind.__name__}.{item.name}"


def test_a_related_resource_served_as_a_url_keeps_its_url_and_id():
    served = {"id": "csub01HSH04KDEWF6Z4DB2J77J74K5", "vehicle": "https://api.example/v2/vehicles/vhcl01HRFF3SEVSCRAV9B3CHVDFN0H"}
    sub_session = charging.ChargingSubSession.from_api(served)
    assert sub_session.vehicle is None
    assert sub_session.link("vehicle") == served["vehicle"]
    assert sub_session.related_id("vehicle") == "vhcl01HRFF3SEVSCRAV9B3CHVDFN0H"


def test_an_expanded_related_resource_is_typed_and_keeps_its_url():
    served = {"id": "csub01HSH04KDEWF6Z4DB2J77J74K5",
              "assessment": {"url": "https://api.example/v2/charging_sub_sessions/csub01HSH04KDEWF6Z4DB2J77J74K5/assessment",
                             "ratings": {"overall": "RED", "energy_delivery_ratio": "AMBER"}},
              "flags": {"flags": [{"name": "ENERGY_OVER_DELIVERY", "root_cause": "METER_RESET"}, "junk"]}}
    sub_session = charging.ChargingSubSession.from_api(served)
    assert sub_session.assessment.overall == "RED"
    assert sub_session.link("assessment").endswith("/assessment")
    assert [flag.name for flag in sub_session.flags.flags] == ["ENERGY_OVER_DELIVERY"]
