"""Placeholder until the fixes land: every fix answers 404."""

from django.http import Http404, HttpRequest, HttpResponse

from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@staff_permission_required(roles.APPLY_FIXES)
def fix(request: HttpRequest, user_id: str, fix_name: str) -> HttpResponse:
    raise Http404(fix_name)
