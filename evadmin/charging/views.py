"""A driver's charging pages. Thin views: the reads and the Evidence come from selectors.py, the
chart and the verdicts' links from display.py; each page says what it cost."""

from __future__ import annotations

from datetime import UTC, date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from evadmin.charging import selectors
from evadmin.charging.display import sub_session_chart, verdict_views
from evadmin.charging.forms import SubSessionFilterForm
from evadmin.charging.logs import LOG_SOURCES, merged_entries, parse_sources
from evadmin.charging.verdicts import verdicts_for
from evadmin.charging.words import finish_reason_words, ratings_in_words, start_reason_words
from evadmin.core.driver_page import announce_panel_loaded
from evadmin.core.htmx import render_page, vary_on_htmx
from evadmin.core.timezones import zone_label, zone_named
from evadmin.drivers.selectors import driver_zone_seen
from evadmin.evenergy.read_cache import copies_will_do
from evadmin.evenergy.resources import check_id
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required

VIEW = roles.VIEW_USERS


def _refresh(request: HttpRequest) -> bool:
    return bool(request.GET.get("refresh"))


def _night(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("Not a night: use YYYY-MM-DD.") from None


def _zone_from(request: HttpRequest):
    """The zone a link from the panel carries (the sub-sessions' own), or None for the driver's."""
    name = request.GET.get("tz")
    return zone_named(name) if name else None


@require_safe
@staff_permission_required(VIEW)
def charging_panel(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's sub-sessions, newest first: one request a page, none within the cache time."""
    form = SubSessionFilterForm(request.GET or None)
    filters = form.api_filters(driver_zone_seen(user_id=user_id) or UTC)  # the local days the form says
    read = selectors.sub_session_list_page(
        user_id=user_id, filters=filters, page_after=request.GET.get("after") or None,
        page_before=request.GET.get("before") or None, refresh=_refresh(request))
    # A night without a session means something only when every session is listed (no mode filter).
    with_gaps = "mode" not in filters and "is_finished" not in filters
    rows = selectors.panel_rows(user_id=user_id, sub_sessions=read.value.items, with_gaps=with_gaps)
    page_query = {name: request.GET.get(name) for name in form.fields if request.GET.get(name)}
    context = {"account_id": user_id, "form": form, "read": read, "page": read.value, "rows": rows,
               "page_query": page_query}
    return announce_panel_loaded(render_page(request, "charging/panel.html", context, partial="panel"))


@require_safe
@staff_permission_required(VIEW)
def night_check(request: HttpRequest, user_id: str, night: str) -> HttpResponse:
    """Was the vehicle plugged in on a night without a session? One request (its status logs)."""
    day = _night(night)
    vehicle_id = request.GET.get("vehicle", "")
    context = {"account_id": user_id, "night": day, "check": None}
    if vehicle_id:
        zone = _zone_from(request) or selectors.driver_zone(user_id=user_id)
        context.update(zone=zone, check=selectors.night_plugged_in(
            user_id=user_id, vehicle_id=check_id(vehicle_id, "vhcl"), day=day, zone=zone, refresh=_refresh(request)))
    return vary_on_htmx(render(request, "charging/night_check.html", context))


def _investigation_context(request: HttpRequest, investigation: selectors.Investigation) -> dict:
    evidence = investigation.evidence
    loaded = list(investigation.log_reads)
    # The checkboxes say which read sources to show (all of them on arrival); a source just added shows too.
    if "filtered" in request.GET:
        shown = parse_sources(",".join([*request.GET.getlist("show"), request.GET.get("add", "")]))
    else:
        shown = loaded
    return {
        "account_id": investigation.user_id, "investigation": investigation, "evidence": evidence,
        "zone": evidence.zone, "zone_name": zone_label(evidence.zone),
        "verdicts": verdict_views(verdicts_for(evidence), loaded,
                                  keep={"tz": request.GET["tz"]} if request.GET.get("tz") else None),
        "sources": [(LOG_SOURCES[name], investigation.log_reads.get(name), name in shown)
                    for name in investigation.available_sources],
        "entries": merged_entries(evidence.logs, shown=[name for name in shown if name in loaded],
                                  text=request.GET.get("q", "")),
        "loaded": loaded, "text": request.GET.get("q", ""),
    }


def _load(request: HttpRequest) -> list[str]:
    """The sources to read: those already shown (`logs`) and the one a button adds (`add`)."""
    return parse_sources(",".join([*request.GET.getlist("logs"), request.GET.get("add", "")]))


@require_safe
@staff_permission_required(VIEW)
def sub_session_detail(request: HttpRequest, user_id: str, sub_session_id: str) -> HttpResponse:
    """At most three requests before any log panel; each log source asked for (?logs=) one more."""
    investigation = selectors.sub_session_investigation(
        user_id=user_id, sub_session_id=check_id(sub_session_id, "csub"), load=_load(request),
        refresh=_refresh(request))
    sub = investigation.evidence.sub_session
    metadata = sub.debug_metadata
    context = {
        **_investigation_context(request, investigation), "sub_session": sub,
        "timeline": sub_session_chart(investigation.evidence),
        "ratings": ratings_in_words(sub.assessment.ratings) if sub.assessment else [],
        "start_reason": start_reason_words(metadata.start_reason if metadata else None),
        "finish_reason": finish_reason_words(metadata.finish_reason if metadata else None),
        "read": investigation.reads["sub_session"],
    }
    return render_page(request, "charging/sub_session.html", context)


@require_safe
@staff_permission_required(VIEW)
def night_detail(request: HttpRequest, user_id: str, night: str) -> HttpResponse:
    """A night without a session: the devices and three logs up front, other logs on request."""
    investigation = selectors.night_investigation(
        user_id=user_id, day=_night(night), zone=_zone_from(request), load=_load(request), refresh=_refresh(request))
    context = {**_investigation_context(request, investigation), "night": investigation.night,
               "read": investigation.reads["devices"], "tz": request.GET.get("tz", "")}
    return render_page(request, "charging/night.html", context)


@require_safe
@staff_permission_required(VIEW)
def charging_logs(request: HttpRequest, user_id: str) -> HttpResponse:
    """The merged log timeline of a sub-session (?sub_session=) or a night (?night=), from the cached
    reads (a source already read costs nothing), and the verdicts again: they depend on what is read.
    What the page already read is taken as evadmin holds it, however old (its age is shown): adding a
    source costs the one request its button says."""
    with copies_will_do():
        investigation = _logs_investigation(request, user_id)
    context = {**_investigation_context(request, investigation), "sub_session": investigation.evidence.sub_session,
               "night": investigation.night, "tz": request.GET.get("tz", ""), "oob": True}
    return vary_on_htmx(render(request, "charging/logs.html", context))


def _logs_investigation(request: HttpRequest, user_id: str) -> selectors.Investigation:
    if request.GET.get("sub_session"):
        return selectors.sub_session_investigation(
            user_id=user_id, sub_session_id=check_id(request.GET["sub_session"], "csub"), load=_load(request))
    if request.GET.get("night"):
        return selectors.night_investigation(
            user_id=user_id, day=_night(request.GET["night"]), zone=_zone_from(request), load=_load(request))
    raise Http404("Say which sub-session or night.")
