"""Verdicts from the devices: the charger's logs and connectivity, the vehicle's integration and errors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from evadmin.charging.evidence import (
    EVSE_ERRORS,
    EVSE_OCPP,
    EVSE_STATUS,
    VEHICLE_ERRORS,
    VEHICLE_STATUS,
    Evidence,
)
from evadmin.charging.verdicts import CONNECTIVITY, VEHICLE, Claim, Verdict, verdict_rule
from evadmin.charging.verdicts.words import clock, plural, span, when
from evadmin.evenergy.devices import EvseErrorLog, OcppLog, VehicleErrorLog

# A silence shorter than this is a gap between samples, not an outage.
MIN_OFFLINE = timedelta(hours=1)
# The charger's "Unavailable" must open the silence: sent at most this long before it began.
LAST_WORDS_WITHIN = timedelta(minutes=15)
OFFLINE_ERROR_CODES = frozenset({"HEARTBEAT_MISSED"})
OFFLINE_ERROR_TYPES = frozenset({"OFFLINE"})
# The vehicle's errors only tell when the break began if the logs read reach back a day before the first.
SINCE_IS_KNOWN_AFTER = timedelta(days=1)
AUTH_STATUS_WORDS = {401: "401 Unauthorized", 403: "403 Forbidden"}
# https://en.wikipedia.org/wiki/Received_signal_strength_indicator: below about -85 dBm a Wi-Fi or
# mobile link drops packets; the API's 30-day reliability is 0 (always offline) to 100.
MIN_RELIABILITY = 80
WEAK_SIGNAL_DBM = -85
RECEIVED = "received"


@dataclass(frozen=True)
class Silence:
    start: datetime  # the last thing heard from the charger
    end: datetime  # the next thing heard, or the end of the window
    came_back: OcppLog | None  # the OCPP message that ended it, if one did
    ongoing: bool  # nothing heard again before the window ended


def _heard(evidence: Evidence) -> list[tuple[datetime, OcppLog | None]]:
    """When the charger said anything (a status log, or an OCPP message it sent), oldest first."""
    heard: list[tuple[datetime, OcppLog | None]] = [
        (log.sampled_at, None) for log in evidence.evse_status if log.sampled_at is not None]
    heard += [(log.sampled_at, log) for log in evidence.evse_ocpp
              if log.sampled_at is not None and log.direction.lower() == RECEIVED]
    return sorted(heard, key=lambda item: item[0])


def silences(evidence: Evidence) -> list[Silence]:
    """Stretches of at least MIN_OFFLINE with no status log and no OCPP message from the charger."""
    heard = _heard(evidence)
    found = [Silence(before, after, message, ongoing=False)
             for (before, _), (after, message) in zip(heard, heard[1:], strict=False)
             if after - before >= MIN_OFFLINE]
    end = min(evidence.window_end, timezone.now())  # a window may end in the future (a night, a running charge)
    if heard and end - heard[-1][0] >= MIN_OFFLINE:
        found.append(Silence(heard[-1][0], end, None, ongoing=True))
    return found


def _went_unavailable(log: OcppLog) -> bool:
    return (log.direction.lower() == RECEIVED and log.action == "StatusNotification"
            and log.payload.get("status") == "Unavailable")


def _offline_error(log: EvseErrorLog) -> bool:
    return log.error_code in OFFLINE_ERROR_CODES or log.error_type in OFFLINE_ERROR_TYPES


@verdict_rule(name="charger_offline", title="Charger offline", needs=(EVSE_STATUS, EVSE_OCPP),
              also_uses=(EVSE_ERRORS, VEHICLE_STATUS))
def charger_offline(evidence: Evidence) -> Verdict | None:
    """The charger was offline, so nothing could start or steer a charge. Given for the longest stretch
    of at least an hour with no status log and no OCPP message from the charger (so no Heartbeat),
    when the charger said it was going: its last OCPP message was a StatusNotification "Unavailable",
    or, when the charger's error logs are loaded, the platform logged HEARTBEAT_MISSED (or another
    OFFLINE error) during it. Silence alone is not enough: most chargers' logs are samples hours apart.
    The verdict gives the span in the driver's local time and, when the vehicle's status logs are
    loaded, says whether the vehicle reported being plugged in meanwhile (the driver did their part).
    Check the charger's power and network; a reconnection link helps when it has lost its account."""
    ocpp = [log for log in evidence.evse_ocpp if log.sampled_at is not None]
    confirmed = []
    for silence in silences(evidence):
        last_words = next((log for log in reversed(ocpp) if _went_unavailable(log)
                           and silence.start - LAST_WORDS_WITHIN <= log.sampled_at <= silence.start), None)
        missed = [log for log in evidence.evse_errors if log.sampled_at is not None
                  and silence.start < log.sampled_at <= silence.end and _offline_error(log)]
        if last_words is not None or missed:
            confirmed.append((silence, last_words, missed))
    if not confirmed:
        return None
    silence, last_words, missed = max(confirmed, key=lambda found: found[0].end - found[0].start)
    zone = evidence.zone
    when_words = (f"since {when(silence.start, zone)} (still silent at {clock(silence.end, zone)}, the end of the "
                  f"logs read)" if silence.ongoing else span(silence.start, silence.end, zone))
    ocpp_words = f"no heartbeat {when_words}"
    if last_words is not None:
        reason = last_words.payload.get("info")
        ocpp_words += (f"; the charger's last message, at {clock(last_words.sampled_at, zone)}: StatusNotification "
                       f"Unavailable" + (f" ({reason})" if reason else ""))
    if silence.came_back is not None:
        ocpp_words += f"; {silence.came_back.action} at {clock(silence.end, zone)}"
    claims = [Claim(f"no status logs {when_words}", "log-evse_status", "logs=evse_status,evse_ocpp"),
              Claim(ocpp_words, "log-evse_ocpp", "logs=evse_ocpp,evse_status")]
    if missed:
        codes = ", ".join(sorted({log.error_code or log.error_type or "" for log in missed}))
        claims.append(Claim(f"{plural(len(missed), 'error')} logged by the platform meanwhile ({codes})",
                            "log-evse_errors", "logs=evse_errors"))
    plugged = sorted(log.sampled_at for log in evidence.vehicle_status if log.is_plugged_in
                     and log.sampled_at is not None and silence.start <= log.sampled_at <= silence.end)
    if plugged:
        claims.append(Claim(f"the vehicle reported being plugged in {span(plugged[0], plugged[-1], zone)} "
                            f"({plural(len(plugged), 'status log')})", "log-vehicle_status", "logs=vehicle_status"))
    return Verdict(
        rule="charger_offline",
        summary=f"The charger was offline {when_words} (no status logs; OCPP shows no heartbeat)"
                + (", while the vehicle reported being plugged in." if plugged else "."),
        claims=claims)


def _authentication_error(log: VehicleErrorLog) -> bool:
    return log.status_code in AUTH_STATUS_WORDS or "AUTHENTICATION" in log.error_type.upper()


@verdict_rule(name="vehicle_integration_lost", title="Vehicle integration lost", needs=(VEHICLE, VEHICLE_ERRORS),
              also_uses=(VEHICLE_STATUS,))
def vehicle_integration_lost(evidence: Evidence) -> Verdict | None:
    """ev.energy can no longer reach the vehicle through its manufacturer, so it cannot read the
    battery or steer the charge. Given when the vehicle's integration is INACTIVE and its error logs
    show the manufacturer refusing ev.energy's credentials (401 Unauthorized, 403 Forbidden, or an
    authentication error). The verdict says since when: the first such error, or "at least since" it
    when the logs read do not reach a day further back. Only the driver can fix it: send them a
    vehicle reconnection link so they sign in to the manufacturer's account again."""
    vehicle, zone = evidence.vehicle, evidence.zone
    refused = sorted((log for log in evidence.vehicle_errors if log.logged_at is not None
                      and _authentication_error(log)), key=lambda log: log.logged_at)
    if vehicle.integrated != "INACTIVE" or not refused:
        return None
    first, last = refused[0].logged_at, refused[-1].logged_at
    # Since when is known only when the log read reaches well before the first error, all of it.
    known = first - evidence.window_start >= SINCE_IS_KNOWN_AFTER and VEHICLE_ERRORS not in evidence.truncated
    status = Counter(log.status_code for log in refused).most_common(1)[0][0]
    answer = AUTH_STATUS_WORDS.get(status, "authentication errors")
    claims = [Claim("integration INACTIVE", f"vehicle-{vehicle.id}"),
              Claim(f"{plural(len(refused), 'error')} from the manufacturer's API {span(first, last, zone)}, "
                    f"{answer}", "log-vehicle_errors", "logs=vehicle_errors")]
    if evidence.has(VEHICLE_STATUS):
        heard = sorted(log.sampled_at for log in evidence.vehicle_status if log.sampled_at is not None)
        claims.append(Claim(f"no status from the vehicle since {when(heard[-1], zone)}" if heard
                            else "no status from the vehicle in the logs read", "log-vehicle_status",
                            "logs=vehicle_status"))
    return Verdict(
        rule="vehicle_integration_lost",
        summary=f"The vehicle's integration has been inactive {'since' if known else 'at least since'} "
                f"{when(first, zone)}: the manufacturer answers {answer}; the driver must re-link the vehicle "
                "(send a reconnection link).",
        claims=claims)


@verdict_rule(name="poor_charger_connectivity", title="Poor charger connectivity", needs=(CONNECTIVITY,))
def poor_charger_connectivity(evidence: Evidence) -> Verdict | None:
    """The charger is often off the network, so schedules and boosts may not reach it and its data
    arrives late or not at all. Given when its connection reliability over the last 30 days is below
    80% (the API's 0 to 100); the verdict adds its signal strength, called weak at -85 dBm or lower.
    Suggest moving the router or a Wi-Fi extender closer, or checking the SIM's coverage."""
    connectivity = evidence.connectivity
    reliability = connectivity.connection_reliability_30d
    if reliability is None or reliability >= MIN_RELIABILITY:
        return None
    signal = connectivity.signal_strength_rssi_dbm
    weak = signal is not None and signal <= WEAK_SIGNAL_DBM
    claims = [Claim(f"connection reliability {reliability}% over 30 days (below {MIN_RELIABILITY}%)",
                    "connectivity")]
    if signal is not None:
        claims.append(Claim(f"signal {signal} dBm now" + (" (weak)" if weak else ""), "connectivity"))
    return Verdict(
        rule="poor_charger_connectivity",
        summary=f"The charger's connection is unreliable: online {reliability}% of the last 30 days"
                + (f", on a weak signal ({signal} dBm)." if weak else "."),
        claims=claims)
