"""Typed rebate and subscription resources: rebate types and the evidence they require, a driver's
rebate applications and evidence files, subscriptions with their offering, and the payout method.

Fields are the ones evadmin's pages read; `raw` keeps the rest (typed.py says how they are read).
A rebate application read with `expand=rebate_type&expand=rebate_type.required_evidence` carries,
for each evidence type the rebate requires, the driver's uploaded `file` (null when none) and the
values the driver entered: what is missing for the next step is read from that one answer.

The spec gives an application no date and no review state: `status` is the application *form's*
("COMPLETE" once submitted; the API then reviews it, and says nothing more of the review). Ids are
a prefix and a ULID, so an id tells when its object was created (`created_at`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ulid import ULID

from evadmin.evenergy.typed import ApiObject

# The form's statuses (UserRebate.status), in the words staff read.
REBATE_STATUS_LABELS = {
    "NOT_STARTED": "not started",
    "PENDING_TYPE_SELECTED": "rebate chosen, evidence not started",
    "PENDING_IN_PROGRESS": "evidence in progress",
    "COMPLETE": "submitted: in evidence review",
}
IN_REVIEW = "COMPLETE"
WALLET_LABELS = {"PAYPAL": "PayPal", "VENMO": "Venmo", "BILL_CREDITS": "Bill credits"}


def created_at_of(object_id: str) -> datetime | None:
    """When the object was created, from its id's ULID (prefix + 26 characters), or None."""
    try:
        return ULID.from_str(object_id[4:]).datetime.astimezone(UTC)
    except (ValueError, TypeError, AttributeError):
        return None


@dataclass
class EvidenceFileLink(ApiObject):
    name: str = ""
    url: str = ""  # a pre-signed link to the file: never shown, it grants access


@dataclass
class EvidenceData(ApiObject):
    data_type: str = ""
    title: str = ""
    description: str = ""
    required: bool = False
    value: str | None = None


@dataclass
class RebateEvidenceType(ApiObject):
    id: str = ""
    title: str = ""
    description: str | None = None
    upload_required: bool = False
    file: EvidenceFileLink | None = None  # the driver's upload, within a driver's application
    evidence_data: list[EvidenceData] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """What the driver has still to give for this evidence, in words (empty when nothing)."""
        found = []
        if self.upload_required and self.file is None:
            found.append(f"upload: {self.title or 'a file'}")
        found += [f"{self.title}: {data.title}" for data in self.evidence_data if data.required and not data.value]
        return found


@dataclass
class RebateType(ApiObject):
    id: str = ""
    title: str = ""
    value_description: str = ""
    description_short: str | None = None
    description_long: str | None = None
    requirements: str = ""  # HTML from the API: shown as text, never rendered
    required_evidence: list[RebateEvidenceType] = field(default_factory=list)  # expanded


@dataclass
class UserRebate(ApiObject):
    id: str = ""
    status: str = ""
    rebate_type: RebateType | None = None  # expanded; None when served as a URL

    @property
    def status_label(self) -> str:
        return REBATE_STATUS_LABELS.get(self.status, self.status or "unknown")

    @property
    def in_review(self) -> bool:
        return self.status == IN_REVIEW

    @property
    def created_at(self) -> datetime | None:
        return created_at_of(self.id)

    @property
    def evidence(self) -> list[RebateEvidenceType]:
        return self.rebate_type.required_evidence if self.rebate_type is not None else []

    @property
    def uploaded_files(self) -> list[tuple[str, str]]:
        """(evidence type, file name) of what the driver uploaded."""
        return [(evidence.title, evidence.file.name) for evidence in self.evidence if evidence.file is not None]

    @property
    def missing(self) -> list[str]:
        """The type's required evidence minus what the driver has given, in words."""
        return [item for evidence in self.evidence for item in evidence.missing]

    @property
    def next_step(self) -> str:
        if self.status == IN_REVIEW:
            return "Nothing for the driver: submitted, the API reviews it (it gives no review progress or date)."
        if self.rebate_type is None:
            return "The driver chooses the rebate."
        if self.missing:
            return "Before it can be submitted: " + "; ".join(self.missing) + "."
        return "All evidence given: the driver (or staff) can submit it."


@dataclass
class RebateEvidenceFile(ApiObject):
    id: str = ""
    file_name: str = ""
    rebate_evidence_type: RebateEvidenceType | None = None  # expanded


@dataclass
class SubscriptionOffering(ApiObject):
    id: str = ""
    name: str = ""


@dataclass
class Subscription(ApiObject):
    id: str = ""
    offering: SubscriptionOffering | None = None  # expanded (`expand=offering`)

    @property
    def started_at(self) -> datetime | None:
        return created_at_of(self.id)


@dataclass
class PayoutMethod(ApiObject):
    receiver: str | None = None  # never shown whole: see `receiver_masked`
    receiver_type: str | None = None
    receiver_wallet: str | None = None

    @property
    def is_set(self) -> bool:
        return bool(self.receiver_wallet)

    @property
    def wallet_label(self) -> str:
        return WALLET_LABELS.get(self.receiver_wallet or "", self.receiver_wallet or "none set")

    @property
    def receiver_masked(self) -> str:
        """The receiver with at most its last 4 characters shown: "•••• 4321" (or "" when none)."""
        value = (self.receiver or "").strip()
        if not value:
            return ""
        shown = value[-4:] if len(value) > 8 else ""
        return "•••• " + shown if shown else "••••"
