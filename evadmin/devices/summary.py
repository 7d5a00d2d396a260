"""The devices' part of the driver's summary strip: each vehicle and charger's live state in words,
from the device list as evadmin last read it (the devices panel's read): never a request."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from evadmin.core.driver_page import OK, PROBLEM, UNKNOWN, WARNING, SummaryPart
from evadmin.devices.panels import LiveState, device_name
from evadmin.drivers.selectors import user_devices_seen
from evadmin.evenergy.resources import Evse, Vehicle

LABEL = "Devices"


def live_words(device: Vehicle | Evse, live: LiveState) -> tuple[str, str]:
    """(words, tone) for one device: charging / plugged in / not plugged in / offline since …"""
    if live.last_seen is None:
        return "never reported", WARNING
    if live.stale:
        return f"offline since {live.last_seen:%d %b %H:%M} UTC ({timesince(live.last_seen, live.now)})", PROBLEM
    status = live.status
    if status.is_charging:
        rate = f" at {live.charge_rate_kw:.1f} kW" if live.charge_rate_kw else ""
        return f"charging{rate}", OK
    if status.is_plugged_in:
        return "plugged in, not charging", OK
    if status.is_plugged_in is False:
        return "not plugged in", OK
    return f"last reported {timesince(live.last_seen, live.now)} ago", OK


def devices_summary(user_id: str) -> SummaryPart:
    url = reverse("users:detail", args=[user_id]) + "#devices-heading"
    held = user_devices_seen(user_id=user_id)
    if held is None:
        return SummaryPart(LABEL, "not known yet: the Vehicles and Chargers panels read them (1 request each)", UNKNOWN, known=False,
                           url=url, order=10)
    vehicles, evses = held
    if not vehicles and not evses:
        return SummaryPart(LABEL, "no vehicle or charger on the account", WARNING, url=url, order=10)
    now = timezone.now()
    phrases, tones = [], []
    for word, device in [("Vehicle", vehicle) for vehicle in vehicles] + [("Charger", evse) for evse in evses]:
        name = device_name(device) or word.lower()
        words, tone = live_words(device, LiveState(device.latest_status, now))
        phrases.append(f"{word} {name}: {words}")
        tones.append(tone)
    tone = PROBLEM if PROBLEM in tones else WARNING if WARNING in tones else OK
    return SummaryPart(LABEL, "; ".join(phrases), tone, url=url, order=10)
