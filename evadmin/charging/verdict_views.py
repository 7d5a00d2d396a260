"""The page where staff read every verdict rule: what it needs and when it is given."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from evadmin.charging.verdicts import verdict_rules
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required


@require_safe
@staff_permission_required(roles.VIEW_USERS)
def verdict_rule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "charging/verdict_rules.html", {"rules": verdict_rules()})
