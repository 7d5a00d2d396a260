"""The playbooks' pages: the list, one playbook with its history, and the editor. No API request."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from evadmin.playbooks import selectors, services
from evadmin.playbooks.forms import SUBCATEGORY_PATTERN, NewPlaybookForm, ReasonForm, StepFormSet
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


def _subcategory_or_404(subcategory: str) -> str:
    if not re.fullmatch(SUBCATEGORY_PATTERN, subcategory):
        raise Http404("Not a subcategory.")
    return subcategory


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def playbook_list(request: HttpRequest) -> HttpResponse:
    form = NewPlaybookForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("playbooks:edit", form.cleaned_data["subcategory"])
    return render(request, "playbooks/list.html", {"current": selectors.playbook_list(), "form": form},
                  status=400 if form.errors else 200)


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def playbook_detail(request: HttpRequest, subcategory: str) -> HttpResponse:
    history = selectors.playbook_history(_subcategory_or_404(subcategory))
    if not history:
        raise Http404("No playbook for this subcategory yet.")
    checklist = selectors.playbook_checklist(subcategory=subcategory, user_id=None, ticket_id=None, night="")
    return render(request, "playbooks/detail.html", {"subcategory": subcategory, "history": history,
                                                     "current": history[0], "checklist": checklist})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(roles.EDIT_PLAYBOOKS)
def playbook_edit(request: HttpRequest, subcategory: str) -> HttpResponse:
    subcategory = _subcategory_or_404(subcategory)
    posted = request.method == "POST"
    # The current steps start the form; a post is read as sent (rows equal to an initial one still count).
    steps = (StepFormSet(request.POST, prefix="steps") if posted
             else StepFormSet(initial=selectors.playbook_steps(subcategory), prefix="steps"))
    reason = ReasonForm(request.POST if posted else None)
    context = {"subcategory": subcategory, "steps": steps, "reason_form": reason, "nothing_to_change": None}
    if not posted or not (steps.is_valid() and reason.is_valid()):
        return render(request, "playbooks/edit.html", context, status=400 if posted else 200)
    try:
        revision = services.playbook_update(subcategory=subcategory, steps=steps.steps(), actor=request.user,
                                            reason=reason.cleaned_data["reason"], request=request)
    except services.NothingToChange as same:
        context["nothing_to_change"] = str(same)
        return render(request, "playbooks/edit.html", context, status=400)
    messages.success(request, f"Playbook for {subcategory} saved as revision {revision.number}.")
    return redirect("playbooks:detail", subcategory)
