from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from evadmin.accounts.permissions import public_view, signed_in_required
from evadmin.accounts.roles import ROLE_DESCRIPTIONS
from evadmin.accounts.selectors import staff_permission_labels, staff_roles

sign_in = public_view(
    auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=False)
)
# Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
sign_out = public_view(auth_views.LogoutView.as_view())


@require_GET
@signed_in_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: who you are, your roles and what they let you do."""
    roles = [{"name": role, "description": ROLE_DESCRIPTIONS[role]} for role in staff_roles(request.user)]
    context = {"roles": roles, "permission_labels": staff_permission_labels(request.user)}
    return render(request, "accounts/home.html", context)
