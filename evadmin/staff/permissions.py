"""Access control for evadmin's function views.

Every view declares what it needs, recorded on the view as `required_permission` so a test
can walk the URL patterns and find any view that forgot:
  - a permission such as "accounts.edit_users"  (staff_permission_required)
  - SIGNED_IN: any signed-in staff member        (signed_in_required)
  - PUBLIC: anyone, e.g. the sign-in page        (public_view)
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from evadmin.staff.roles import STAFF_PERMISSIONS, roles_with_permission
from evadmin.staff.selectors import staff_roles

PUBLIC = "public"
SIGNED_IN = "signed-in"

View = Callable[..., HttpResponse]


def _login_redirect(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        # A 302 would be followed by htmx and the sign-in page swapped into a fragment's
        # target; send the whole browser there instead, back to the page it was on.
        response = redirect_to_login(request.htmx.current_url_abs_path or request.get_full_path())
        return HttpResponseClientRedirect(response.url)
    return redirect_to_login(request.get_full_path())


def permission_denied_response(request: HttpRequest, permission: str) -> HttpResponse:
    """The 403 page (or, for htmx, a fragment shown in #flash) naming what is missing."""
    codename = permission.split(".", 1)[-1]
    context = {
        "required_permission": permission,
        "permission_label": STAFF_PERMISSIONS.get(codename, permission),
        "roles_with_permission": roles_with_permission(permission),
        "user_roles": staff_roles(request.user),
    }
    if getattr(request, "htmx", False):
        response = render(request, "403.html#denied", context, status=403)
        # htmx swaps error responses only when told where; evadmin.js honours HX-Retarget.
        return reswap(retarget(response, "#flash"), "innerHTML")
    return render(request, "403.html", context, status=403)


def staff_permission_required(permission: str) -> Callable[[View], View]:
    """Let the view run only for signed-in staff holding `permission` ("accounts.<codename>").

    Anonymous visitors are sent to sign in (and back afterwards); signed-in staff without the
    permission get a 403 page saying which permission and which roles would grant it.
    """
    if "." not in permission:
        raise ValueError(f"Use the full permission name, e.g. 'accounts.{permission}'")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return _login_redirect(request)
            if not request.user.has_perm(permission):
                return permission_denied_response(request, permission)
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def signed_in_required(view: View) -> View:
    """For pages every signed-in staff member may see, whatever their roles."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        return view(request, *args, **kwargs)

    wrapped.required_permission = SIGNED_IN
    return wrapped


def public_view(view: View) -> View:
    """Mark a view as deliberately open to anyone (sign-in, sign-out)."""
    view.required_permission = PUBLIC
    return view
