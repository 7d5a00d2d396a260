"""Typed program resources: utility programs (demand response and the like), their tiers, a program's
vehicle compatibility, its current participation agreement version and incentive schemes.

Fields are the ones evadmin's pages read; `raw` keeps the rest. Descriptions and agreements are API
text (tiers' and agreements' are HTML by the spec): pages show them escaped, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evadmin.evenergy.resources import DeviceModel
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
    model: DeviceModel | None = None  # expanded (`expand=model`): its name and make's URL
    type: str | None = None

    @property
    def model_label(self) -> str:
        """The model as agents name it ("Model 3"); its id when the API served only a URL."""
        if self.model is not None and (self.model.display_name or self.model.name):
            return self.model.display_name or self.model.name
        return self.related_id("model") or "a model not named"


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
