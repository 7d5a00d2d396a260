"""The driver's Programs panel: one request (0 within the cache time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from evadmin.core.api_errors import api_error_status
from evadmin.core.driver_page import announce_panel_loaded
from evadmin.core.htmx import render_page
from evadmin.evenergy import errors
from evadmin.evenergy.resources import check_id
from evadmin.programs import selectors, services
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_programs(request: HttpRequest, user_id: str) -> HttpResponse:
    context = {"account_id": user_id, "read": None, "unavailable": None,
               "parts": (("tiers", "Tiers and eligibility"), ("vehicles", "Vehicle compatibility"),
                         ("agreement", "Current participation agreement"))}
    try:
        context["read"] = selectors.driver_programs(user_id=user_id, refresh=request.GET.get("refresh") == "1")
    except errors.ApiError as exc:  # the panel says why; the rest of the driver's page stands
        context["unavailable"] = exc
    return announce_panel_loaded(render_page(request, "programs/driver_programs.html", context, partial="panel"))


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def program_part(request: HttpRequest, user_id: str, program_id: str, part: str) -> HttpResponse:
    """A program's tiers, compatible vehicles or current agreement: 1 request, loaded when opened."""
    if part not in selectors.PARTS:
        raise Http404("No such part of a program.")
    context = {"account_id": user_id, "program_id": program_id, "part": part, "read": None, "unavailable": None}
    try:
        context["read"] = selectors.program_part(user_id=user_id, program_id=program_id, part=part)
    except errors.ApiError as exc:  # the part says why (a missing scope by name); the panel stands
        context["unavailable"] = exc
    return render_page(request, "programs/program_part.html", context, partial="part")


class JoinForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why the driver is joined (the audit trail keeps it).")
    confirm = forms.BooleanField(label="I understand this cannot be undone from evadmin", required=True)

    def api_data(self) -> dict:
        return {}


class VerifyForm(JoinForm):
    account_number = forms.CharField(max_length=64, help_text="The driver's utility account number.")
    said = forms.CharField(max_length=64, required=False, label="Service agreement id (SAID)",
                           help_text="Only where the program asks for it.")
    field_order = ("account_number", "said", "reason", "confirm")

    def api_data(self) -> dict:
        data = {"account_number": self.cleaned_data["account_number"]}
        if self.cleaned_data["said"]:
            data["said"] = self.cleaned_data["said"]
        return data


@dataclass(frozen=True)
class ProgramAction:
    """One write on the driver's behalf: its form, its service and what the agent is told when it is done."""
    form: type[JoinForm]
    send: Callable
    done: Callable[[object], str]


PROGRAM_ACTIONS = {
    "join": ProgramAction(JoinForm, services.program_join,
                          lambda program: f"The driver is enrolled in {program.name}."),
    "verify": ProgramAction(VerifyForm, services.program_verify,
                            lambda _: "The driver's utility account details were sent for verification."),
}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(roles.ENROL_IN_PROGRAMS)
def program_action(request: HttpRequest, user_id: str, program_id: str, action: str) -> HttpResponse:
    """A confirmation page first (GET), then one POST of the action (join or verify) for the driver."""
    chosen = PROGRAM_ACTIONS[action]
    try:
        check_id(user_id, "user")
        check_id(program_id, "prog")
    except errors.ApiError as exc:
        raise Http404(str(exc)) from None
    form = chosen.form(request.POST or None)
    context = {"account_id": user_id, "program_id": program_id, "form": form, "outcome_unknown": None,
               "failed": None, "verify": action == "verify"}
    if request.method == "POST" and form.is_valid():
        try:
            result = chosen.send(user_id=user_id, program_id=program_id, data=form.api_data(),
                                         actor=request.user, reason=form.cleaned_data["reason"], request=request)
        except errors.OutcomeUnknown as unknown:
            context["outcome_unknown"] = unknown
            return render(request, "programs/join.html", context, status=api_error_status(unknown))
        except errors.ApiError as exc:
            context["failed"] = exc
            return render(request, "programs/join.html", context, status=api_error_status(exc))
        messages.success(request, chosen.done(result))
        return redirect(reverse("users:detail", args=[user_id]) + "#programs")
    return render(request, "programs/join.html", context, status=400 if request.method == "POST" else 200)
