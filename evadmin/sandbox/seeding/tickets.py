"""Support tickets over three months, with their messages, and the ticket support cases.

Runs after the support cases, whose ground truth it reads from `plan.case_truths`: the offline-charger
driver writes in the morning after their night, the inactive-integration driver's ticket waits at
high priority for a human category, and one ticket comes from the web form with no driver. The
rest of the tickets fall on ordinary drivers (never a case's, whose tickets tell their story
alone), weighted so the ten most common subcategories are the desk's usual ones, and dated so the
statistics have a shape: more on weekdays, a busier last month, older tickets mostly resolved.

The taxonomy (the spec's enums) is here because the seeder and the collection both need it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import module_rng
from evadmin.sandbox.seeding.cases import SEED_CASE, SEED_CASE_PREFIX
from evadmin.sandbox.serializers import iso_datetime

TICKET, TICKET_PREFIX = "support_ticket", "tick"
TICKET_MESSAGE, MESSAGE_PREFIX = "support_ticket_message", "tmsg"
HISTORY_DAYS = 90
TICKETS_PER_DAY = 6.0  # on an ordinary weekday; fewer at weekends, more in the last month
FIRST_FRESHDESK_NUMBER = 48_000

CATEGORIES = ("ACCOUNT", "CHARGER", "CHARGING_SESSION", "MOBILE_APP", "OTHER", "SOLAR", "USABILITY_UX", "VEHICLE")
SUBCATEGORIES = (
    "ACCESSIBILITY", "ACCURACY", "ADD_NON_INTEGRATED_VEHICLE", "ADD_NEW_TARIFF", "API_ACCESS_TOKEN", "APP_CRASH_FREEZE",
    "APP_OR_EMAIL_NOTIFICATIONS", "APP_SETTINGS_CONFUSION", "BOOST_CONFUSION", "BUSINESS_LEAD_NON_SUPPORT",
    "CAMPAIGN_MARKETING_FEEDBACK", "CARBON_FEED", "CHARGE_LOCATION", "CHARGE_PAST_READY_BY_TIME", "CHARGING_ON_PEAK",
    "COMMISSIONING", "COMPATIBILITY", "COMPLAINT", "CONFLICTING_SCHEDULE", "DASHBOARD_COSMETIC_ISSUE",
    "DASHBOARD_UI_ISSUE", "DATA_EXPORT", "DELETION", "DUPLICATE", "ELIGIBILITY", "ENERGY_DELIVERED_CALCULATION",
    "ERROR_REPORT", "FEATURE_REQUEST_FEEDBACK", "FIRMWARE", "HARDWARE", "HARDWARE_ISSUE", "HIDDEN_INCENTIVES",
    "INCENTIVES_BILL_CREDITS", "INCOMPLETE_CHARGE", "INCORRECT_CHARGE_TIME_DURATION", "INCORRECT_INCENTIVES_DISPLAYED",
    "INCORRECT_KWH_DISPLAYED", "INCORRECT_LOCATION_DISPLAYED", "INCORRECT_MESSAGING", "INCORRECT_PRICE_THRESHOLD",
    "INCORRECT_TRIM", "INVERTER", "LOCALISATION", "LOCATION_INCORRECT", "LOGIN_CREDENTIALS", "MANUAL_UPLOAD",
    "MAX_CHARGE_LIMIT", "MISSING_SESSIONS", "MISSING_TARIFF", "MOBILE_COMPATIBILITY", "MULTI_VEHICLE", "NETWORK",
    "NO_CHARGE", "NON_SUPPORT_EXTERNAL", "NOT_COMPATIBLE", "MANGED_TARIFF_INTERFERENCE", "OFFLINE",
    "OFF_PEAK_HOURS_CONFUSION", "ONBOARDING", "ONLY_CHARGE_OFF_PEAK_OFF", "OTHER", "OUTAGE", "OWNERSHIP_TRANSFER",
    "PASSWORD", "PLATFORM_OUTAGE", "POOR_UPTIME", "PRIVACY_CONCERNS", "REAUTHENTICATION", "REBATE_REQUEST",
    "REFERRAL_PROMO_CODE", "REFUNDS", "REFUSING_COMMANDS", "RELIABILITY", "REPLACE_VEHICLE", "REQUEST_TO_DISCONNECT",
    "REWARDS", "REWARDS_INCENTIVES_UI_ISSUE", "SESSION_RECALCULATION", "SESSION_START_END_TIME",
    "SESSION_START_END_TIME_CONFUSION", "SMART_CHARGING_CONFUSION", "SMART_TAB_UI_ISSUE", "SOLAR_CHARGING_CONFUSION",
    "SOLAR_FEED", "SOLAR_PAYMENT", "SPAM", "STATS_COSMETIC_ISSUE", "STATS_UI_ISSUE", "SUBSCRIPTION_ISSUE",
    "TARIFF_IS_OUTDATED_INCORRECT", "TARIFF_REQUEST", "TELEMATICS_ISSUE", "TIER_SELECTION", "TRIM", "UI_ISSUE",
    "UNABLE_TO_DETECT_CAR_PLUGGED_IN", "UTILITY_PARTNER_INQUIRY", "VEHICLE_DELETION", "VERIFICATION", "WRONG_COMPANY",
)
# Words a label spells its own way; the spec's MANGED is a typo the label does not repeat.
LABEL_WORDS = {"UX": "UX", "UI": "UI", "API": "API", "KWH": "kWh", "MANGED": "Managed", "OFF": "off", "OR": "or"}


def _label(value: str) -> str:
    words = [LABEL_WORDS.get(word, word.lower()) for word in value.split("_")]
    words[0] = words[0][0].upper() + words[0][1:]
    return " ".join(words)


def category_label(value: str) -> str:
    return {"USABILITY_UX": "Usability / UX"}.get(value) or _label(value)


def subcategory_label(value: str) -> str:
    return _label(value)


# (subcategory, category, weight, subject, the driver's first message)
KINDS = (
    ("NO_CHARGE", "CHARGING_SESSION", 16, "Car didn't charge overnight",
     "I plugged in last night as usual and this morning the car had not charged at all. The app shows no session."),
    ("OFFLINE", "CHARGER", 12, "Charger shows offline in the app",
     "The app says my charger is offline but the light on it is green. Nothing has changed at home."),
    ("CHARGE_PAST_READY_BY_TIME", "CHARGING_SESSION", 9, "Still charging after my ready-by time",
     "I set ready by 7am but the car was still charging at 8:30 and I had to leave with 70%."),
    ("REAUTHENTICATION", "VEHICLE", 8, "App asks me to log in to my car account again",
     "The app keeps telling me to reconnect my car. I did it twice this week."),
    ("INCOMPLETE_CHARGE", "CHARGING_SESSION", 7, "Only charged to 60%",
     "My limit is 90% but the car stopped at about 60% overnight."),
    ("CHARGING_ON_PEAK", "CHARGING_SESSION", 6, "Charged during peak hours",
     "My bill shows charging at 5pm, which is the most expensive time. I thought smart charging avoided that."),
    ("TELEMATICS_ISSUE", "VEHICLE", 5, "Battery level wrong in the app",
     "The app shows 20% but the car says 55%. It has been stuck for two days."),
    ("UNABLE_TO_DETECT_CAR_PLUGGED_IN", "CHARGER", 5, "App doesn't see that I'm plugged in",
     "The car is plugged in but the app says unplugged, so no schedule is made."),
    ("LOGIN_CREDENTIALS", "ACCOUNT", 4, "Can't log in",
     "I can't log in to the app. It says my email or password is wrong but I'm sure they are right."),
    ("INCORRECT_KWH_DISPLAYED", "CHARGING_SESSION", 4, "Wrong kWh on last session",
     "The app says I charged 95 kWh last night. My car's battery is only 64 kWh."),
    ("PASSWORD", "ACCOUNT", 2, "Password reset email never arrived", "I asked for a password reset twice, no email."),
    ("APP_CRASH_FREEZE", "MOBILE_APP", 2, "App crashes on opening", "Since the update the app closes as soon as I open it."),
    ("MISSING_TARIFF", "ACCOUNT", 2, "My tariff isn't in the list", "I can't find my energy tariff in the app."),
    ("BOOST_CONFUSION", "USABILITY_UX", 2, "What does boost do?", "I pressed boost but I don't understand what it did."),
    ("FIRMWARE", "CHARGER", 1, "Charger firmware update", "The charger says a firmware update failed."),
    ("SOLAR_FEED", "SOLAR", 1, "Solar not used for charging", "It was sunny all day but the car charged from the grid."),
    ("FEATURE_REQUEST_FEEDBACK", "OTHER", 1, "Suggestion", "It would be great to set a different ready-by per day."),
    ("DELETION", "ACCOUNT", 1, "Please delete my account", "I sold the car, please delete my account and data."),
)
STATUSES_OPEN = (("Open", 3), ("Pending", 1), ("Waiting on Customer", 1))
STATUSES_DONE = (("Resolved", 3), ("Closed", 2))
PRIORITIES = (("Low", 3), ("Medium", 5), ("High", 2), ("Urgent", 1))
SOURCES = (("Email", 6), ("Feedback Widget", 3), ("Phone", 2), ("Chat", 2), ("Portal", 1))
APPS = ("iOS", "Android")
AGENT_REPLIES = (
    "Thanks for getting in touch. I've looked at your account and I'm checking with our charging team.",
    "I've refreshed the connection on our side. Could you let us know how tonight's charge goes?",
    "Sorry about this. I can see what happened and I've made a change; please try again tonight.",
)
DRIVER_REPLIES = ("Thanks, I'll try tonight.", "Same again last night, I'm afraid.", "That worked, thank you!")
AI_REPLY = ("Hi, I'm ev.energy's assistant. While a member of our team looks at this, please check that the "
            "charger is connected to your Wi-Fi and that the car is plugged in firmly.")
# Text from outside that pages must show as text (a few ordinary tickets carry it).
HOSTILE_SUBJECT = '<script>alert("ticket")</script> \u202eCharger broken'
HOSTILE_MESSAGE = ('<img src=x onerror=alert(1)> My charger <b>stopped</b>. ' + "Very long line " * 300 +
                   "\u202etxt.exe")


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


class TicketWriter:
    """Builds ticket and message Records, numbering Freshdesk ids in creation order."""

    def __init__(self, rng, now: datetime) -> None:
        self.rng, self.now = rng, now
        self.records: list[Record] = []
        self.tickets: list[Record] = []

    def ticket(self, *, created_at: datetime, user=None, subject: str, kind: tuple, status: str, priority: str | None,
               source: str, messages: list[tuple[str, str]], human: bool, resolved_at: datetime | None = None,
               tags: tuple[str, ...] = ("ai-categorised",), summary: str | None = None) -> Record:
        subcategory, category = kind[0], kind[1]
        updated_at = resolved_at or min(created_at + timedelta(minutes=self.rng.randint(5, 600)), self.now)
        data = {
            "external_ticket_id": "",  # numbered in creation order by numbered()
            "subject": subject, "status": status, "priority": priority, "source": source,
            "human_verified_category": category if human else None,
            "human_verified_subcategory": subcategory if human else None,
            "ai_generated_category": category, "ai_generated_subcategory": subcategory,
            "type_deprecated": None, "tags": list(tags), "_tags_text": "," + ",".join(tags) + ",",
            "conversation_summary": summary or f"The driver reports: {subject.lower()}.",
            "custom_fields": {"mobile_app": self.rng.choice(APPS),
                              **({"legal_country": user.country_code} if user is not None else {})},
            "attributes": {},
            "created_at": iso_datetime(created_at), "ticket_updated_at": iso_datetime(updated_at),
            "resolved_at": iso_datetime(resolved_at),
        }
        ticket = Record(id=ids.seeded_id(TICKET_PREFIX, created_at, self.rng), kind=TICKET,
                        user_id=user.id if user is not None else "", at=created_at, ends_at=resolved_at, data=data)
        self.tickets.append(ticket)
        self.records.append(ticket)
        moment = created_at
        for position, (message_type, text) in enumerate(messages):
            self.records.append(Record(
                id=ids.seeded_id(MESSAGE_PREFIX, moment, self.rng), kind=TICKET_MESSAGE, parent_id=ticket.id,
                user_id=ticket.user_id, at=moment,
                data={"position": position, "message_type": message_type, "message": text,
                      "message_clean": " ".join(text.split())[:500], "created_at": iso_datetime(moment)}))
            # The conversation fits between the ticket's creation and its last update.
            moment = min(moment + timedelta(minutes=self.rng.randint(20, 300)), max(updated_at, created_at))
        return ticket

    def numbered(self) -> list[Record]:
        """Freshdesk numbers follow creation order, as a help desk's do."""
        for number, ticket in enumerate(sorted(self.tickets, key=lambda record: record.at)):
            ticket.data["external_ticket_id"] = str(FIRST_FRESHDESK_NUMBER + number)
        return self.records


def _conversation(rng, first: str, resolved: bool) -> list[tuple[str, str]]:
    messages = [("INITIAL_REQUEST", first)]
    if rng.random() < 0.4:
        messages.append(("AI_AGENT_RESPONSE", AI_REPLY))
    for turn in range(rng.randint(0, 3)):
        messages.append(("HUMAN_AGENT_RESPONSE", rng.choice(AGENT_REPLIES)))
        if turn < 2 or not resolved:
            messages.append(("CUSTOMER_RESPONSE", rng.choice(DRIVER_REPLIES)))
    return messages


def _ordinary_tickets(writer: TicketWriter, users: list, now: datetime, rng) -> None:
    start = now - timedelta(days=HISTORY_DAYS)
    weights = [kind[2] for kind in KINDS]
    hostile_left = 2
    for day in range(HISTORY_DAYS):
        moment = start + timedelta(days=day)
        expected = TICKETS_PER_DAY * (0.45 if moment.weekday() >= 5 else 1.0) * (1.35 if day >= HISTORY_DAYS - 30 else 1)
        for _ in range(_poisson(rng, expected)):
            created = moment + timedelta(seconds=rng.randint(7 * 3600, 22 * 3600))
            if created >= now:
                continue
            kind = rng.choices(KINDS, weights=weights)[0]
            age_hours = (now - created).total_seconds() / 3600
            took = rng.lognormvariate(math.log(20), 0.9)  # hours: a day typical, a week sometimes
            resolved_at = created + timedelta(hours=took) if took < age_hours and rng.random() < 0.92 else None
            user = rng.choice(users) if users and rng.random() < 0.88 else None
            subject, first = kind[3], kind[4]
            if hostile_left and rng.random() < 0.01:
                subject, first, hostile_left = HOSTILE_SUBJECT, HOSTILE_MESSAGE, hostile_left - 1
            writer.ticket(
                created_at=created, user=user, subject=subject, kind=kind,
                status=_weighted(rng, STATUSES_DONE if resolved_at else STATUSES_OPEN),
                priority=_weighted(rng, PRIORITIES) if rng.random() < 0.95 else None,
                source=_weighted(rng, SOURCES), messages=_conversation(rng, first, resolved_at is not None),
                human=resolved_at is not None and rng.random() < 0.7, resolved_at=resolved_at,
                tags=("ai-categorised", "escalated") if rng.random() < 0.05 else ("ai-categorised",))


def _poisson(rng, expected: float) -> int:
    """Knuth's method: small means only."""
    limit, count, product = math.exp(-expected), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _kind(subcategory: str) -> tuple:
    return next(kind for kind in KINDS if kind[0] == subcategory)


def _case_tickets(writer: TicketWriter, users_by_id: dict, truths: dict, now: datetime, rng) -> list[Record]:
    """The support cases' tickets and their ground truth (Records of kind seed_case)."""
    cases = []

    def truth(name: str, ticket: Record, **more) -> None:
        cases.append((name, ticket, more))

    offline = truths.get("charger_offline_no_charge")
    if offline is not None:
        user = users_by_id[offline["user_id"]]
        unplugged = datetime.fromisoformat(offline["night"]["unplugged_at"])
        created = min(unplugged + timedelta(hours=1, minutes=10), now - timedelta(minutes=30))
        ticket = writer.ticket(
            created_at=created, user=user, subject="My car didn't charge last night", kind=_kind("NO_CHARGE"),
            status="Open", priority="Medium", source="Email", human=False,
            summary="The driver plugged in last evening as usual; the car did not charge overnight and the app "
                    "showed the charger offline this morning.",
            messages=[("INITIAL_REQUEST", "Hi, I plugged the car in last night as always and it didn't charge at "
                                          "all. The app said the charger was offline this morning. I need the car "
                                          "for work tomorrow, can you help?"),
                      ("AI_AGENT_RESPONSE", AI_REPLY),
                      ("CUSTOMER_RESPONSE", "The Wi-Fi is fine and the cable was in. The charger light was red "
                                            "when I checked at midnight.")])
        truth("ticket_offline_charger_night", ticket, case="charger_offline_no_charge",
              night=offline["night"], messages=3)

    inactive = truths.get("vehicle_integration_inactive")
    if inactive is not None:
        created = now - timedelta(hours=5)
        ticket = writer.ticket(
            created_at=created, user=users_by_id[inactive["user_id"]], subject="The app lost my car",
            kind=_kind("REAUTHENTICATION"), status="Open", priority="High", source="Phone", human=False,
            messages=[("INITIAL_REQUEST", "My car disappeared from the app ten days ago and it hasn't smart "
                                          "charged since. I need this sorted urgently.")])
        truth("ticket_high_priority_uncategorised", ticket, case="vehicle_integration_inactive")

    created = now - timedelta(hours=26)
    ticket = writer.ticket(
        created_at=created, user=None, subject="Do you support my charger?", kind=_kind("FEATURE_REQUEST_FEEDBACK"),
        status="Open", priority="Low", source="Feedback Widget", human=False,
        messages=[("INITIAL_REQUEST", "I'm thinking of signing up. Does ev.energy work with a Zappi charger?")])
    truth("ticket_without_driver", ticket)
    return cases


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "tickets")
    writer = TicketWriter(rng, plan.now)
    ordinary = [user for user in users if user.id not in plan.case_users]
    # About a third of the drivers ever write in: most have no tickets, as most drivers never call.
    writers = rng.sample(ordinary, k=max(1, len(ordinary) // 3)) if ordinary else []
    case_tickets = _case_tickets(writer, {user.id: user for user in users}, plan.case_truths, plan.now, rng)
    _ordinary_tickets(writer, writers, plan.now, rng)
    records = writer.numbered()
    for name, ticket, more in case_tickets:
        records.append(Record(
            id=ids.seeded_id(SEED_CASE_PREFIX, plan.now, rng), kind=SEED_CASE, user_id=ticket.user_id, at=plan.now,
            data={"name": name, "description": DESCRIPTIONS[name], "ticket": ticket.id,
                  "external_ticket_id": ticket.data["external_ticket_id"], "user_id": ticket.user_id or None,
                  "subject": ticket.data["subject"], "ai_generated_subcategory": ticket.data["ai_generated_subcategory"],
                  **more}))
    return records


DESCRIPTIONS = {
    "ticket_offline_charger_night": "An open ticket from the offline-charger driver, written the morning after "
                                    "the night the charger went offline; AI-categorised NO_CHARGE, no human "
                                    "category yet.",
    "ticket_high_priority_uncategorised": "A high-priority open ticket from the driver whose vehicle integration "
                                          "is inactive, awaiting a human category.",
    "ticket_without_driver": "A question from the web form before signing up: no driver.",
}
