"""/api-budget/: the hour's API budget and what spent it (auditors and admins)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from evadmin.api_budget import selectors
from evadmin.core.htmx import render_page, wants_partial
from evadmin.staff.permissions import staff_permission_required
from evadmin.staff.roles import VIEW_AUDIT


@require_safe
@staff_permission_required(VIEW_AUDIT)
def budget_page(request: HttpRequest) -> HttpResponse:
    context = {"window": selectors.api_budget_window()}
    if not wants_partial(request):  # the Refresh link asks for the hour's numbers alone
        since = selectors.api_ledger_since()
        context |= {
            "since": since,
            "chart": selectors.api_spend_chart(since=since),
            "by_kind": selectors.api_spend_by_kind(since=since),
            "top_pages": selectors.api_top_pages(since=since),
            "top_staff": selectors.api_top_staff(since=since),
            "top_background": selectors.api_top_background(since=since),
            "rate_limited": selectors.api_rate_limited(since=since),
            "ledger_days": settings.EVADMIN_API_LEDGER_DAYS,
        }
    return render_page(request, "api_budget/page.html", context, partial="window")
