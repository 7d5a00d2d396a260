import math

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from evadmin.staff.permissions import public_view, signed_in_required
from evadmin.staff.roles import ROLE_DESCRIPTIONS
from evadmin.staff.selectors import staff_permission_labels, staff_roles

sign_in = public_view(
    auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=False)
)


def sign_in_locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None):
    """The sign-in page saying the attempt was refused, and until when (settings.AXES_LOCKOUT_CALLABLE).

    429 Too Many Requests, with the form still there for after the wait.
    """
    ends_at = AxesProxyHandler.get_implementation().lockout_ends_at(request, credentials)
    if ends_at is None:  # no stored attempts say otherwise: a full cool-off from now
        ends_at = timezone.now() + settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil((ends_at - timezone.now()).total_seconds() / 60))
    context = {
        "form": AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")}),
        "next": request.POST.get("next", ""),
        "locked_out": {"minutes": minutes, "until": ends_at},
    }
    return render(request, "registration/login.html", context, status=429)


# Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
sign_out = public_view(auth_views.LogoutView.as_view())


@require_safe
@signed_in_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: who you are, your roles and what they let you do."""
    roles = [{"name": role, "description": ROLE_DESCRIPTIONS[role]} for role in staff_roles(request.user)]
    context = {"roles": roles, "permission_labels": staff_permission_labels(request.user)}
    return render(request, "staff/home.html", context)
