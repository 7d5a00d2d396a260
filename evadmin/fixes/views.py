"""One view for every fix: GET says what the fix will do to what and asks for a reason (and, for a fix
that cannot be undone, a confirmation); POST applies it through its service and shows the outcome on
the driver's page, or on a result page when there is a link to copy."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from evadmin.core.api_errors import api_error_status
from evadmin.evenergy import errors
from evadmin.fixes import selectors, services
from evadmin.fixes.forms import FixForm
from evadmin.fixes.registry import FIXES, Fix
from evadmin.fixes.selectors import FixTarget, NotTheDriversTarget, energy
from evadmin.staff import roles
from evadmin.staff.permissions import permission_denied_response, staff_permission_required
from evadmin.tickets.selectors import ticket_seen
from evadmin.tickets.working import TICKET_ID, WorkingTicket, ticket_ref_set, ticket_working_on

TEMPLATE = "fixes/fix.html"


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(roles.APPLY_FIXES)
def fix(request: HttpRequest, user_id: str, fix_name: str) -> HttpResponse:
    chosen = FIXES.get(fix_name)
    if chosen is None:
        raise Http404(f"No fix named {fix_name}")
    if not request.user.has_perm(chosen.permission):  # disconnect and recalculate need more than apply_fixes
        return permission_denied_response(request, chosen.permission)
    target = _target_or_404(chosen, user_id, request.GET.get("target", ""))
    makes = selectors.vehicle_makes() if chosen.name == "onboarding_link" else []
    working = _working_ticket(request, user_id)
    form = FixForm(request.POST if request.method == "POST" else None, fix=chosen, target=target, makes=makes,
                   working_ticket=working)
    context = {"fix": chosen, "target": target, "form": form, "facts": target.facts}
    if request.method != "POST" or not form.is_valid():
        return render(request, TEMPLATE, context, status=400 if form.errors else 200)
    ticket_ref_set(request, form.ticket_ref)  # the audit event carries the ticket by itself
    try:
        return APPLY[chosen.name](request, target, form, context)
    except NotTheDriversTarget as exc:  # gone from the driver since the form was shown
        raise Http404(str(exc)) from exc
    except services.FixRefused as refused:
        context["refused"], status = refused, 409
    except errors.OutcomeUnknown as unknown:  # recorded as such by the service; never sent again here
        context["outcome_unknown"], status = unknown, api_error_status(unknown)
        # Offered again as a new decision (the reason kept): never a bound form that re-sends the write as
        # it stood, e.g. a recalculation's hidden confirmation (its button then runs a dry run first).
        context["form"] = FixForm(None, fix=chosen, target=target, makes=makes, working_ticket=working,
                                  initial={"reason": form.cleaned_data.get("reason", "")})
    except errors.ValidationFailed as invalid:
        form.add_api_errors(invalid.field_errors, invalid.detail)
        status = 400
    except errors.NotFound as exc:
        raise Http404(str(exc)) from exc
    except errors.ApiError as failed:  # the form comes back as typed, with what went wrong
        context["api_error"], status = failed, api_error_status(failed)
    return render(request, TEMPLATE, context, status=status)


def _working_ticket(request: HttpRequest, user_id: str) -> WorkingTicket | None:
    """The ticket a link names (`?ticket=`, e.g. a playbook's step) when evadmin has read it as this
    driver's (a made-up or stale id is not put on record), else the one whose page this agent opened
    for the driver lately."""
    named = request.GET.get("ticket", "") or request.POST.get("ticket", "")
    working = ticket_working_on(request, user_id=user_id)
    if named and TICKET_ID.match(named) and (working is None or working.id != named):
        seen = ticket_seen(ticket_id=named)
        if seen is not None and seen.user_id == user_id:
            return WorkingTicket(named, external_id=seen.external_ticket_id, subject=seen.subject or "")
    return working


def _target_or_404(chosen: Fix, user_id: str, target_id: str) -> FixTarget:
    try:
        return selectors.fix_target(fix=chosen, user_id=user_id, target_id=target_id)
    except NotTheDriversTarget as exc:
        raise Http404(f"{chosen.name}: not this driver's {chosen.target}") from exc


def _to_driver(request: HttpRequest, target: FixTarget, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("users:detail", target.user.id)


def _who(request: HttpRequest, form: FixForm) -> dict:
    return {"actor": request.user, "reason": form.cleaned_data["reason"], "request": request}


def _boost_start(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    services.charging_session_boost_start(user_id=target.user.id, **_who(request, form))
    return _to_driver(request, target, "Boost started: the driver's open charging session charges now, whatever "
                                       "the price, until the boost ends or the vehicle is unplugged.")


def _boost_end(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    services.charging_session_boost_end(user_id=target.user.id, **_who(request, form))
    return _to_driver(request, target, "Boost ended: the driver's open charging session is back to smart charging.")


def _reconnect(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    if target.vehicle is not None:
        link = services.vehicle_reconnect_link(user_id=target.user.id, vehicle_id=target.vehicle.id,
                                               **_who(request, form))
    else:
        link = services.evse_reconnect_link(user_id=target.user.id, evse_id=target.evse.id, **_who(request, form))
    # Shown this once and never stored (not in messages, logs or the audit trail): it is a credential.
    response = render(request, TEMPLATE, {**context, "link": link})
    add_never_cache_headers(response)
    return response


def _disconnect(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    vehicle = services.vehicle_disconnect(user_id=target.user.id, vehicle_id=target.vehicle.id, **_who(request, form))
    return _to_driver(request, target, f"Disconnected the integration of {target.name}: it now reads "
                                       f"{vehicle.integrated or 'unknown'}. The driver links it again themselves.")


def _smart_charging(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    vehicle = services.vehicle_set_smart_charging(user_id=target.user.id, vehicle_id=target.vehicle.id,
                                                  enabled=form.smart_charging_wanted, **_who(request, form))
    state = "on" if vehicle.smart_charging_enabled else "off"
    return _to_driver(request, target, f"Smart charging is now {state} for {target.name}.")


def _charge_limit(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    before = target.vehicle.maximum_charge_limit_percentage
    vehicle = services.vehicle_set_charge_limit(user_id=target.user.id, vehicle_id=target.vehicle.id,
                                                limit=form.cleaned_data["limit"], **_who(request, form))
    was = f" (was {before}%)" if before is not None else ""
    return _to_driver(request, target, f"Charge limit of {target.name} set to "
                                       f"{vehicle.maximum_charge_limit_percentage}%{was}.")


def _onboarding_link(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    email = form.cleaned_data["email"]
    make = services.vehicle_onboarding_link_send(user_id=target.user.id, email=email,
                                                 make_id=form.cleaned_data["make"], **_who(request, form))
    return _to_driver(request, target, f"Sent a vehicle onboarding link for {make} to {email}.")


def _password_reset(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    email = services.user_password_reset(user_id=target.user.id, **_who(request, form))
    return _to_driver(request, target, f"Sent a password reset email to {email}. The API answers the same whether "
                                       "or not that address has an account: if nothing arrives, check it with the driver.")


def _recalculate(request, target: FixTarget, form: FixForm, context: dict) -> HttpResponse:
    """Always a dry run first: its figures are the confirmation page; only its Apply sends the real one."""
    if not form.cleaned_data.get("confirmed"):
        try:
            preview = services.sub_session_recalculation_preview(user_id=target.user.id,
                                                                 sub_session_id=target.sub_session.id)
        except errors.OutcomeUnknown:  # a dry run changes nothing: nothing to check, nothing recorded
            return render(request, TEMPLATE, {**context, "dry_run_lost": True}, status=503)
        return render(request, TEMPLATE, {**context, "preview": preview, "previous": energy(preview.previous_watt_hours),
                                          "new": energy(preview.new_watt_hours)})
    result = services.sub_session_recalculate(user_id=target.user.id, sub_session_id=target.sub_session.id,
                                              **_who(request, form))
    return _to_driver(request, target, f"Energy use recalculated: {energy(result.previous_watt_hours)} before, "
                                       f"{energy(result.new_watt_hours)} now.")


APPLY: dict[str, Callable[..., HttpResponse]] = {
    "boost_start": _boost_start,
    "boost_end": _boost_end,
    "vehicle_reconnect": _reconnect,
    "evse_reconnect": _reconnect,
    "vehicle_disconnect": _disconnect,
    "smart_charging": _smart_charging,
    "charge_limit": _charge_limit,
    "onboarding_link": _onboarding_link,
    "recalculate": _recalculate,
    "password_reset": _password_reset,
}
