"""A driver's Rebates panel and Subscription and payout method panels (each one request, cached), and
submitting an application on the driver's behalf. Thin views: reads in selectors.py, the write in
services.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from evadmin.core.api_errors import api_error_status
from evadmin.core.driver_panels import checked_id, driver_panel
from evadmin.evenergy import errors
from evadmin.rebates import selectors, services
from evadmin.rebates.forms import SubmitRebateForm
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_rebates(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's rebate applications, their evidence and what is missing: one request."""
    return driver_panel(request, user_id, "rebates/rebates_panel.html", selectors.driver_rebates)


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_subscription(request: HttpRequest, user_id: str) -> HttpResponse:
    """The driver's subscription and its offering: one request."""
    return driver_panel(request, user_id, "rebates/subscription_panel.html", selectors.driver_subscriptions)


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_payout_method(request: HttpRequest, user_id: str) -> HttpResponse:
    """The payout method's wallet, never its whole receiver: one request."""
    return driver_panel(request, user_id, "rebates/payout_panel.html", selectors.driver_payout_method)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(roles.SUBMIT_REBATES)
def rebate_submit(request: HttpRequest, user_id: str, rebate_id: str) -> HttpResponse:
    """Submit the driver's application for review: a reason, a confirmation, one request, on record."""
    user_id, rebate_id = checked_id(user_id, "user"), checked_id(rebate_id, "rbtu")
    application = services.rebate_find(user_id=user_id, rebate_id=rebate_id)
    if application is None:
        raise Http404("The driver has no such rebate application.")
    form = SubmitRebateForm(request.POST if request.method == "POST" else None)
    context = {"account_id": user_id, "application": application, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "rebates/submit.html", context, status=400 if form.errors else 200)
    try:
        services.rebate_submit(user_id=user_id, rebate_id=rebate_id, actor=request.user,
                               reason=form.cleaned_data["reason"], request=request)
    except services.CannotSubmit as refused:
        form.add_error(None, str(refused))
        return render(request, "rebates/submit.html", context, status=400)
    except errors.OutcomeUnknown as unknown:
        context["outcome_unknown"] = unknown
        return render(request, "rebates/submit.html", context, status=api_error_status(unknown))
    except errors.ValidationFailed as invalid:
        form.add_error(None, invalid.user_message)
        return render(request, "rebates/submit.html", context, status=400)
    messages.success(request, "The rebate application was submitted for review.")
    return redirect(reverse("users:detail", args=[user_id]) + "#rebates")
