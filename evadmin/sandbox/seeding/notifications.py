"""The notifications sent to each driver and their notification preferences; the support case
"notifications_switched_off".

A notification is a Record of kind "notification" (user_id = the driver; `at` = its event time; data
in the spec's shape: titles, bodies, category, read_at and resolved_at). Preferences are one Record of
kind "notification_preferences" per driver who changed them (`data.groups`); the others answer the
defaults. The case's driver switched every group off after a few notifications had been sent. One
driver's notifications are hostile (HTML, very long detail pages, U+202E), within the spec's maxLength
of the short texts (33 and 49). Draws come from module_rng(seed, "notifications").
"""

from __future__ import annotations

from datetime import timedelta

from evadmin.sandbox import ids
from evadmin.sandbox.models import Record
from evadmin.sandbox.seeding import HISTORY_DAYS, module_rng
from evadmin.sandbox.seeding.cases import SEED_CASE, SEED_CASE_PREFIX

NOTIFICATION, NOTIFICATION_PREFIX = "notification", "notf"
PREFERENCES = "notification_preferences"
CASE = "notifications_switched_off"
GROUPS = ("charging_flow", "charging_issues", "charging_optimisation", "deals_and_offers",
          "power_supply_notifications")
DEFAULT_GROUPS = {"charging_flow": True, "charging_issues": True, "charging_optimisation": True,
                  "deals_and_offers": False, "power_supply_notifications": False}
RTL = "\u202e"
HOSTILE_TITLE = "<script>alert('notf')</script>"  # 30 characters: within the spec's 33
HOSTILE_BODY = f"<b>Bold</b> {RTL}gnigrahc <img src=x>"  # within 49
HOSTILE_DETAIL = "<script>alert('detail')</script><img src=x onerror=alert(1)> " + "very long " * 300 + RTL + "txet"

# (message_id, category, title, body, detail page title, detail page body, external link, button label)
TEMPLATES = (
    ("ERR0123", "ACTIONABLE", "Your car is disconnected", "We need to reconnect to keep smart charging",
     "Your car is disconnected", "Your car has been disconnected. This happens when your password is reset.",
     "https://example.com/reconnect", "Reconnect"),
    ("INF0007", "SERVICE", "Charging scheduled", "Your car will be ready by 7:00",
     "Charging scheduled", "We planned tonight's charge for the cheapest and greenest hours.", None, ""),
    ("INF0011", "SERVICE", "Charging complete", "Your car charged 32 kWh last night",
     "Charging complete", "Last night's charge finished before your ready-by time.", None, ""),
    ("ERR0042", "RETRY", "Charging did not start", "We will try again in 15 minutes",
     "Charging did not start", "The charger did not answer. We try again automatically.", None, ""),
    ("MKT0003", "MARKETING", "Save more with Plus", "Smart charging rewards are here",
     "ev.energy Plus", "Earn rewards for every smart charge.", "https://example.com/plus", "Find out more"),
    ("INT0001", "INTERNAL", "Account review", "Internal: account checked",
     "Account review", "Internal notice.", None, ""),
)


def _notification(rng, user_id: str, at, template, *, read: bool, overrides: dict | None = None) -> Record:
    message_id, category, title, body, page_title, page_body, link, label = template
    data = {"message_id": message_id, "category": category, "event_time": at.isoformat().replace("+00:00", "Z"),
            "short_text_title": title, "short_text_body": body, "detail_page_title": page_title,
            "detail_page_body": page_body, "external_link": link, "external_button_label": label}
    if read:
        data["read_at"] = (at + timedelta(minutes=rng.randint(2, 600))).isoformat().replace("+00:00", "Z")
    if category == "ACTIONABLE" and read and rng.random() < 0.5:
        data["resolved_at"] = (at + timedelta(hours=rng.randint(12, 48))).isoformat().replace("+00:00", "Z")
    data.update(overrides or {})
    return Record(id=ids.seeded_id(NOTIFICATION_PREFIX, at, rng), kind=NOTIFICATION, user_id=user_id, at=at,
                  data=data)


def _sent(rng, user_id: str, now, count: int) -> list[Record]:
    found = []
    for _ in range(count):
        at = now - timedelta(days=rng.randint(0, HISTORY_DAYS - 1), hours=rng.randint(0, 23),
                             minutes=rng.randint(0, 59))
        found.append(_notification(rng, user_id, at, rng.choice(TEMPLATES), read=rng.random() < 0.6))
    return found


def _preferences(rng, user_id: str, now, groups: dict[str, bool]) -> Record:
    """Keyed by its driver (id "nprf" + ULID, never served)."""
    return Record(id=ids.seeded_id("nprf", now, rng), kind=PREFERENCES, user_id=user_id, at=now,
                  data={"groups": groups})


def seed_records(*, seed: int, users, vehicles, evses, plan):
    rng = module_rng(seed, "notifications")
    records: list[Record] = []
    now = plan.now
    ordinary = [user for user in users if user.id not in plan.case_users]
    case_user, hostile, nothing = (ordinary + [None, None, None])[:3] if len(ordinary) >= 3 else (None, None, None)
    for user in users:
        if user is nothing or user is case_user or user is hostile:
            continue
        records += _sent(rng, user.id, now, rng.randint(2, 5))
        if rng.random() < 0.2:  # some drivers switched a group or two off
            groups = {**DEFAULT_GROUPS, **{group: False for group in rng.sample(GROUPS, k=rng.randint(1, 2))}}
            records.append(_preferences(rng, user.id, now, groups))
    if case_user is None:
        return records
    plan.case_users.add(case_user.id)
    # The case: notifications sent, one unread (the car disconnected), then every group switched off.
    sent = [_notification(rng, case_user.id, now - timedelta(days=12, hours=3), TEMPLATES[1], read=True),
            _notification(rng, case_user.id, now - timedelta(days=6, hours=22), TEMPLATES[2], read=True),
            _notification(rng, case_user.id, now - timedelta(days=2, hours=5), TEMPLATES[0], read=False)]
    records += sent
    records.append(_preferences(rng, case_user.id, now, {group: False for group in GROUPS}))
    records += [_notification(rng, hostile.id, now - timedelta(days=1, hours=hours), TEMPLATES[index], read=False,
                              overrides=overrides)
                for hours, index, overrides in (
                    (2, 0, {"short_text_title": HOSTILE_TITLE, "short_text_body": HOSTILE_BODY,
                            "detail_page_title": HOSTILE_DETAIL, "detail_page_body": HOSTILE_DETAIL,
                            "external_button_label": "<b>Click</b>" + RTL + "em"}),
                    (5, 1, {"short_text_title": f"{RTL}deludehcs gnigrahC", "detail_page_body": "x" * 5000}))]
    newest = sent[-1]
    records.append(Record(
        id=ids.seeded_id(SEED_CASE_PREFIX, now, rng), kind=SEED_CASE, user_id=case_user.id, at=now,
        data={"name": CASE, "user_id": case_user.id,
              "description": "A driver who switched every notification group off, after three notifications had "
                             "been sent (the newest, that their car is disconnected, still unread).",
              "notifications": [record.id for record in sent], "newest_notification": newest.id,
              "newest_title": newest.data["short_text_title"], "groups_off": list(GROUPS),
              "hostile_user_id": hostile.id, "user_with_nothing": nothing.id}))
    return records
