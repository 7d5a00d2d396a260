"""A driver's Notifications panel and Notification preferences panel (each one request, cached), a
notification's detail, and changing the preferences on the driver's behalf. Thin views: reads in
selectors.py, the write in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from evadmin.core.api_errors import api_error_status
from evadmin.core.driver_panels import checked_id, driver_panel
from evadmin.evenergy import errors
from evadmin.notifications import selectors, services
from evadmin.notifications.forms import PreferencesForm
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_notifications(request: HttpRequest, user_id: str) -> HttpResponse:
    """What was sent to the driver: title, body, category, read or not, when. One request."""
    return driver_panel(request, user_id, "notifications/notifications_panel.html", selectors.driver_notifications)


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def driver_preferences(request: HttpRequest, user_id: str) -> HttpResponse:
    """Each notification group and whether the driver opted in. One request."""
    return driver_panel(request, user_id, "notifications/preferences_panel.html",
                  selectors.driver_notification_preferences)


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def notification_detail(request: HttpRequest, user_id: str, notification_id: str) -> HttpResponse:
    """One notification's whole text: from the panel's read (no request), else 1 request."""
    user_id, notification_id = checked_id(user_id, "user"), checked_id(notification_id, "notf")
    context = {"account_id": user_id, "read": None, "unavailable": None}
    try:
        context["read"] = selectors.notification_detail(user_id=user_id, notification_id=notification_id)
    except errors.NotFound as exc:
        raise Http404("The driver has no such notification.") from exc
    except errors.ApiError as exc:
        context["unavailable"] = exc
    return render(request, "notifications/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(roles.EDIT_NOTIFICATION_PREFERENCES)
def preferences_edit(request: HttpRequest, user_id: str) -> HttpResponse:
    """Change the driver's preferences: a reason, one PATCH of the groups that change, on record."""
    user_id = checked_id(user_id, "user")
    # The API's trouble reading them is the friendly error page (the middleware): nothing to edit without them.
    current = selectors.driver_notification_preferences(user_id=user_id).value
    context = {"account_id": user_id, "form": None, "outcome_unknown": None}
    form = PreferencesForm(request.POST if request.method == "POST" else None, preferences=current)
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return render(request, "notifications/edit_preferences.html", context, status=400 if form.errors else 200)
    try:
        services.notification_preferences_change(user_id=user_id, current=current, wanted=form.wanted(),
                                                 actor=request.user, reason=form.cleaned_data["reason"],
                                                 request=request)
    except services.NothingToChange as same:
        form.add_error(None, str(same))
        return render(request, "notifications/edit_preferences.html", context, status=400)
    except errors.OutcomeUnknown as unknown:
        context["outcome_unknown"] = unknown
        return render(request, "notifications/edit_preferences.html", context, status=api_error_status(unknown))
    except errors.ApiError as failed:
        form.add_error(None, failed.user_message)
        return render(request, "notifications/edit_preferences.html", context, status=api_error_status(failed))
    messages.success(request, "The driver's notification preferences were changed.")
    return redirect(reverse("users:detail", args=[user_id]) + "#notifications")
