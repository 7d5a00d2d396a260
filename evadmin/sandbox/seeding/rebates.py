"""Rebate types and the evidence they require, drivers' rebate applications and evidence files,
subscription offerings and subscriptions, and payout methods; the rebate support case.

Reference data (evidence types, rebate types, offerings) are Records with no driver. An application
is a Record of kind "user_rebate" (`data._rebate_type`, `data._values`: {evidence type id: [values of
its evidence_data, in order]}); its files are Records of kind "rebate_evidence_file" parented by it
(`data._rebate_evidence_type`). A subscription names its offering (`data._offering`); a payout method
is one Record per driver who has set one (the others answer all-null fields, as the spec says).

The case "rebate_stuck_in_evidence_review": a driver whose application was submitted long ago with
every piece of evidence (the form reads COMPLETE: in review), beside a second application still
missing its charger photo and a reward whose evidence is all given, ready to submit. Some values are hostile (HTML, very long text, U+202E), as elsewhere.
"""

from __future__ import annotations

from datetime import timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import module_rng
from evadmin.sandbox.seeding.cases import SEED_CASE, SEED_CASE_PREFIX

EVIDENCE_TYPE, EVIDENCE_TYPE_PREFIX = "rebate_evidence_type", "rbet"
REBATE_TYPE, REBATE_TYPE_PREFIX = "rebate_type", "rbtt"
USER_REBATE, USER_REBATE_PREFIX = "user_rebate", "rbtu"
EVIDENCE_FILE, EVIDENCE_FILE_PREFIX = "rebate_evidence_file", "rbef"
OFFERING, OFFERING_PREFIX = "subscription_offering", "subo"
SUBSCRIPTION, SUBSCRIPTION_PREFIX = "subscription", "subs"
PAYOUT_METHOD = "payout_method"  # keyed by its driver (id "payo" + ULID, never served)
STATUSES = ("NOT_STARTED", "PENDING_TYPE_SELECTED", "PENDING_IN_PROGRESS", "COMPLETE")
CASE = "rebate_stuck_in_evidence_review"
RTL = "\u202e"
HOSTILE_TITLE = "<script>alert('rebate')</script><b>Solar</b> rebate " + "very long " * 40
HOSTILE_FILE = f"invoice{RTL}fdp.exe"

# (key, title, description, upload_required, [(data_type, title, required)])
EVIDENCE = (
    ("purchase", "Proof of purchase", "The vehicle's bill of sale.", True, [("currency", "Purchase price", True)]),
    ("registration", "Vehicle registration", "The registration document.", True, []),
    ("bill", "Utility bill", "A recent bill from the utility.", True, [("string", "Utility account number", True)]),
    ("invoice", "Installer invoice", "The electrician's invoice.", True, [("currency", "Total project cost", True)]),
    ("photo", "Charger photo", "A photo of the installed charger with its serial number.", True, []),
    ("vin", "Vehicle identification number", None, False, [("string", "VIN", True)]),
)
# (key, title, value, short, long, requirements HTML, evidence keys)
REBATES = (
    ("vehicle", "Vehicle Enrollment", "earn up to $1000", "Must be purchased after 11/01/2024",
     "Rebate for purchasing an eligible vehicle.",
     "<html><ul><li>Must be eligible for program</li><li>Purchased after 11/01/2024</li></ul></html>",
     ("purchase", "registration", "vin")),
    ("charger", "Level 2 charger rebate", "up to $500", "Installed by a licensed electrician",
     "Part of the cost of a home charger.", "<html><ul><li>Licensed installer</li></ul></html>",
     ("invoice", "photo", "bill")),
    ("smart", "Smart charging reward", "$50 a year", None, None, "<p>Connected to ev.energy</p>", ("bill",)),
    ("hostile", HOSTILE_TITLE, "<img src=x onerror=alert(1)>", f"{RTL}txet desrever", "x" * 3000,
     "<script>alert('requirements')</script>", ("invoice",)),
)
OFFERINGS = (("plus", "ev.energy Plus"), ("solar", "ev.energy Solar Lifetime"),
             ("hostile", f"<b>Premium</b> {RTL}mumerP " + "long " * 60))


def _filled(rng, data_type: str) -> str:
    return str(rng.randint(300, 60000)) if data_type == "currency" else f"{rng.randint(10**9, 10**10 - 1)}"


class RebateWriter:
    def __init__(self, rng, now) -> None:
        self.rng, self.now = rng, now
        self.records: list[Record] = []
        self.evidence: dict[str, Record] = {}
        self.types: dict[str, Record] = {}
        self.offerings: dict[str, Record] = {}

    def reference(self) -> None:
        moment = self.now - timedelta(days=400)
        for key, title, description, upload, data in EVIDENCE:
            record = Record(id=ids.seeded_id(EVIDENCE_TYPE_PREFIX, moment, self.rng), kind=EVIDENCE_TYPE, at=moment,
                            data={"title": title, "description": description, "upload_required": upload,
                                  "file": None, "evidence_data": [
                                      {"id": number, "data_type": kind, "title": name, "description": name,
                                       "required": required, "value": None}
                                      for number, (kind, name, required) in enumerate(data, start=1)]})
            self.evidence[key] = record
            self.records.append(record)
        for key, title, value, short, long, requirements, evidence in REBATES:
            record = Record(id=ids.seeded_id(REBATE_TYPE_PREFIX, moment, self.rng), kind=REBATE_TYPE, at=moment,
                            data={"title": title, "value_description": value, "icon": None,
                                  "description_short": short, "description_long": long, "requirements": requirements,
                                  "_required_evidence": [self.evidence[name].id for name in evidence]})
            self.types[key] = record
            self.records.append(record)
        for key, name in OFFERINGS:
            record = Record(id=ids.seeded_id(OFFERING_PREFIX, moment, self.rng), kind=OFFERING, at=moment,
                            data={"name": name})
            self.offerings[key] = record
            self.records.append(record)

    def application(self, user_id: str, rebate: str | None, status: str, *, started, given: tuple[str, ...] = (),
                    file_names: dict[str, str] | None = None) -> Record:
        """An application; `given` names the evidence the driver has given (file and values)."""
        values, files = {}, []
        record = Record(id=ids.seeded_id(USER_REBATE_PREFIX, started, self.rng), kind=USER_REBATE, user_id=user_id,
                        at=started, data={"status": status, "_rebate_type": self.types[rebate].id if rebate else None})
        moment = started
        for key in given:
            evidence = self.evidence[key]
            values[evidence.id] = [_filled(self.rng, item["data_type"]) for item in evidence.data["evidence_data"]]
            if evidence.data["upload_required"]:
                moment = min(moment + timedelta(hours=self.rng.randint(1, 72)), self.now)
                name = (file_names or {}).get(key) or f"{key}_{self.rng.randint(100, 999)}.pdf"
                files.append(Record(id=ids.seeded_id(EVIDENCE_FILE_PREFIX, moment, self.rng), kind=EVIDENCE_FILE,
                                    user_id=user_id, parent_id=record.id, at=moment,
                                    data={"file_name": name, "_rebate_evidence_type": evidence.id}))
        record.data["_values"] = values
        self.records += [record, *files]
        return record

    def ordinary(self, user) -> None:
        rng = self.rng
        rebate = rng.choice(("vehicle", "charger", "smart"))
        status = rng.choices(STATUSES, weights=(1, 2, 4, 3))[0]
        required = [key for key in next(entry[6] for entry in REBATES if entry[0] == rebate)]
        if status == "COMPLETE":
            given = tuple(required)
        elif status == "PENDING_IN_PROGRESS":
            given = tuple(rng.sample(required, k=rng.randint(0, max(0, len(required) - 1))))
        else:
            given = ()
        started = self.now - timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
        self.application(user.id, None if status == "NOT_STARTED" else rebate, status, started=started, given=given)

    def subscription(self, user_id: str, offering: str, started) -> None:
        self.records.append(Record(id=ids.seeded_id(SUBSCRIPTION_PREFIX, started, self.rng), kind=SUBSCRIPTION,
                                   user_id=user_id, at=started, data={"_offering": self.offerings[offering].id}))

    def payout(self, user_id: str, wallet: str, receiver: str) -> None:
        kind = {"PAYPAL": "EMAIL", "VENMO": "PHONE", "BILL_CREDITS": "ACCOUNT_NUMBER"}[wallet]
        self.records.append(Record(id=ids.seeded_id("payo", self.now, self.rng), kind=PAYOUT_METHOD, user_id=user_id,
                                   at=self.now, data={"receiver": receiver, "receiver_type": kind,
                                                      "receiver_wallet": wallet}))


def _account_number(rng) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(12))


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "rebates")
    writer = RebateWriter(rng, plan.now)
    writer.reference()
    ordinary = [user for user in users if user.id not in plan.case_users]
    if not ordinary:
        return writer.records
    case_user, *others = ordinary
    plan.case_users.add(case_user.id)
    now = plan.now
    stuck = writer.application(case_user.id, "vehicle", "COMPLETE", started=now - timedelta(days=41),
                               given=("purchase", "registration", "vin"))
    waiting = writer.application(case_user.id, "charger", "PENDING_IN_PROGRESS", started=now - timedelta(days=9),
                                 given=("invoice", "bill"))
    ready = writer.application(case_user.id, "smart", "PENDING_IN_PROGRESS", started=now - timedelta(days=2),
                               given=("bill",))
    writer.subscription(case_user.id, "plus", now - timedelta(days=200))
    case_account = _account_number(rng)
    writer.payout(case_user.id, "BILL_CREDITS", case_account)
    # A driver with hostile values everywhere the panels show text; a third of the rest with an application,
    # four in ten subscribed, half with a payout method. The last driver has nothing at all.
    hostile, *rest = others or [case_user]
    if hostile is not case_user:
        writer.application(hostile.id, "hostile", "PENDING_IN_PROGRESS", started=now - timedelta(days=3),
                           given=("invoice",), file_names={"invoice": HOSTILE_FILE + " " + "long" * 100})
        writer.subscription(hostile.id, "hostile", now - timedelta(days=30))
        writer.payout(hostile.id, "PAYPAL", f"<b>{RTL}moc.elpmaxe@eno</b>" + "x" * 300)
    for user in rest[:-1]:
        if rng.random() < 0.33:
            writer.ordinary(user)
        if rng.random() < 0.4:
            writer.subscription(user.id, rng.choice(("plus", "solar")),
                                now - timedelta(days=rng.randint(5, 700)))
        if rng.random() < 0.5:
            wallet = rng.choice(("PAYPAL", "VENMO", "BILL_CREDITS"))
            receiver = {"PAYPAL": f"driver{rng.randint(1, 9999)}@example.com",
                        "VENMO": f"+1555{rng.randint(1000000, 9999999)}",
                        "BILL_CREDITS": _account_number(rng) if rng.random() < 0.8 else ""}[wallet]
            writer.payout(user.id, wallet, receiver)
    nothing = rest[-1] if rest else None
    writer.records.append(Record(
        id=ids.seeded_id(SEED_CASE_PREFIX, now, rng), kind=SEED_CASE, user_id=case_user.id, at=now,
        data={"name": CASE, "user_id": case_user.id,
              "description": "A rebate application submitted 41 days ago with every piece of evidence, still in "
                             "evidence review (the form reads COMPLETE), beside a charger rebate missing its "
                             "charger photo and a reward ready to submit.",
              "user_rebate": stuck.id, "rebate_title": "Vehicle Enrollment", "status": "COMPLETE",
              "waiting_rebate": waiting.id, "waiting_missing": ["Charger photo"],
              "ready_rebate": ready.id, "ready_title": "Smart charging reward",
              "subscription_offering": "ev.energy Plus", "payout_wallet": "BILL_CREDITS",
              "payout_last4": case_account[-4:], "payout_account_number": case_account,
              "hostile_user_id": hostile.id if hostile is not case_user else None,
              "user_with_nothing": nothing.id if nothing is not None else None}))
    return writer.records
