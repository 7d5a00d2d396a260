"""Typed program resources: utility programs (demand response and the like), their tiers, a program's
vehicle compatibility, its current participation agreement version and incentive schemes.

Fields are the ones evadmin's pages read; `raw` keeps the rest. Descriptions and agreements are API
text (tiers' and agreements' are HTML by the spec): pages show them escaped, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evadmin.evenergy.typed import ApiObject


@dataclass
class Program(ApiObject):
    id: str = ""
    name: str = ""
    description: str = ""
    sponsor_name: str = ""
    external_url: str = ""


@dataclass
class ProgramTier(ApiObject):
    id: str = ""
    short_name: str = ""
    name: str | None = None
    description_short: str | None = None
    smart_charging_enabled: bool = False
    visible: bool = True
    eligible: bool | None = None  # null unless asked for one driver


@dataclass
class ProgramVehicleCompatibility(ApiObject):
    can_control_charge: bool = False
    model: str = ""  # the vehicle model's URL (not expanded)
    type: str | None = None


@dataclass
class ParticipationAgreementVersion(ApiObject):
    id: str = ""
    version_number: int = 0
    published: bool = False
    content: str = ""
    created_at: datetime | None = None


@dataclass
class IncentiveScheme(ApiObject):
    id: str = ""
    name: str = ""
    description: str = ""
    visible: bool = False
    available: bool = True
