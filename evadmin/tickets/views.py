"""The ticket desk's pages: the queue, a ticket beside its driver's evidence, recategorising, a
driver's tickets, and the team's statistics. Thin views: reads in selectors.py, the write in
services.py; each page says what it cost."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from evadmin.audit.selectors import ticket_history
from evadmin.core.api_errors import api_error_status
from evadmin.core.driver_page import announce_panel_loaded
from evadmin.core.htmx import render_page
from evadmin.drivers.selectors import driver_zone_seen
from evadmin.evenergy import errors
from evadmin.evenergy.resources import check_id
from evadmin.evenergy.tickets import TicketTaxonomy
from evadmin.playbooks.selectors import playbook_checklist
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required
from evadmin.tickets import charts, selectors, services
from evadmin.tickets.forms import OpenByExternalIdForm, RecategoriseForm, TicketFilterForm, saved_views
from evadmin.tickets.working import ticket_working_on_note

VIEW = roles.VIEW_USERS
# The driver panels that fit a ticket's category (the charging and device panels load lazily).
PANELS_BY_CATEGORY = {"CHARGING_SESSION": ("charging",), "CHARGER": ("devices",), "VEHICLE": ("devices",),
                      "SOLAR": ("devices",), "ACCOUNT": ("account",), "MOBILE_APP": ("account",)}


def _refresh(request: HttpRequest) -> bool:
    return bool(request.GET.get("refresh"))


def _ticket_id_or_404(ticket_id: str) -> str:
    try:
        return check_id(ticket_id, "tick")
    except errors.NotFound as exc:
        raise Http404(str(exc)) from exc


@require_safe
@staff_permission_required(VIEW)
def ticket_list(request: HttpRequest) -> HttpResponse:
    """The queue from the API's own filters: one request a page (none within the cache time). With
    `external_id`, opens the ticket of that Freshdesk number instead (one request)."""
    if "external_id" in request.GET:
        return _open_by_external_id(request)
    taxonomy = selectors.ticket_taxonomy()
    form = TicketFilterForm(request.GET or None, taxonomy=taxonomy)
    read = None
    if not form.is_bound or form.is_valid():
        read = selectors.ticket_list_page(
            filters=form.api_filters(), page_after=request.GET.get("after") or None,
            page_before=request.GET.get("before") or None, refresh=_refresh(request))
    # htmx swaps only 2xx answers: the errors come back as 200 to it, to show them in the results.
    status = 400 if form.errors and not request.htmx else None
    return render_page(request, "tickets/list.html", _queue_context(form, read, taxonomy, OpenByExternalIdForm()),
                       partial="results", status=status)


def _queue_context(form, read, taxonomy, open_form) -> dict:
    return {"form": form, "read": read, "page": read.value if read else None, "taxonomy": taxonomy,
            "saved_views": saved_views(), "page_query": form.in_use(), "open_form": open_form}


def _open_by_external_id(request: HttpRequest) -> HttpResponse:
    open_form = OpenByExternalIdForm(request.GET)
    status = 400
    if open_form.is_valid():
        external_id = open_form.cleaned_data["external_id"].strip()
        ticket_id = selectors.ticket_id_by_external_id(external_id=external_id)
        if ticket_id:
            return redirect("tickets:detail", ticket_id)
        open_form.add_error("external_id", f"No ticket has Freshdesk number {external_id}.")
        status = 404
    taxonomy = selectors.ticket_taxonomy()
    return render(request, "tickets/list.html",
                  _queue_context(TicketFilterForm(taxonomy=taxonomy), None, taxonomy, open_form), status=status)


def _night_of(ticket, zone) -> str:
    """The night a ticket is about: the one before the day it was written, in the driver's zone."""
    created = ticket.created_at
    if created is None:
        return ""
    return (created.astimezone(zone or UTC).date() - timedelta(days=1)).isoformat()


@require_safe
@staff_permission_required(VIEW)
def ticket_detail(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The ticket with its driver and messages (one request) and the taxonomy (one a day): at most two
    before the driver's panels, which load lazily."""
    ticket_id = _ticket_id_or_404(ticket_id)
    try:
        read = selectors.ticket_get(ticket_id=ticket_id, refresh=_refresh(request))
    except errors.NotFound as exc:
        raise Http404("No such ticket.") from exc
    ticket = read.value
    taxonomy = selectors.ticket_taxonomy()
    user_id = ticket.user_id
    zone = driver_zone_seen(user_id=user_id) if user_id else None
    night = _night_of(ticket, zone)
    if user_id:
        ticket_working_on_note(request, user_id=user_id, ticket_id=ticket.id, external_id=ticket.external_ticket_id,
                               subject=ticket.subject or "")
    context = {
        "ticket": ticket, "read": read, "taxonomy": taxonomy, "user_id": user_id, "night": night,
        "panels": PANELS_BY_CATEGORY.get(ticket.category or "", ()),
        "checklist": playbook_checklist(subcategory=ticket.subcategory or "", user_id=user_id, ticket_id=ticket.id,
                                        night=night) if ticket.subcategory else None,
        "history": ticket_history(ticket_ref=ticket.id),
    }
    return render(request, "tickets/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(roles.RECATEGORISE_TICKETS)
def ticket_recategorise(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Set the ticket's human category: a PATCH with a reason, on record."""
    ticket_id = _ticket_id_or_404(ticket_id)
    try:
        ticket = selectors.ticket_get(ticket_id=ticket_id).value
    except errors.NotFound as exc:
        raise Http404("No such ticket.") from exc
    taxonomy = selectors.ticket_taxonomy()
    initial = {"category": ticket.category or "", "subcategory": ticket.subcategory or ""}
    form = RecategoriseForm(request.POST if request.method == "POST" else None, taxonomy=taxonomy, initial=initial)
    context = {"ticket": ticket, "taxonomy": taxonomy, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "tickets/recategorise.html", context, status=400 if form.errors else 200)
    data = form.cleaned_data
    try:
        services.ticket_recategorise(ticket_id=ticket.id, category=data["category"], subcategory=data["subcategory"],
                                     actor=request.user, reason=data["reason"], request=request)
    except services.OutsideTaxonomy as refused:
        form.add_error(refused.field, refused.message)
        return render(request, "tickets/recategorise.html", context, status=400)
    except services.NothingToChange as same:
        form.add_error(None, str(same))
        return render(request, "tickets/recategorise.html", context, status=400)
    except errors.OutcomeUnknown as unknown:
        context["outcome_unknown"] = unknown
        return render(request, "tickets/recategorise.html", context, status=api_error_status(unknown))
    except errors.ValidationFailed as invalid:
        for field, problems in invalid.field_errors.items():
            name = "subcategory" if "subcategory" in field else "category" if "category" in field else None
            form.add_error(name, " ".join(problems))
        return render(request, "tickets/recategorise.html", context, status=400)
    messages.success(request, f"Ticket recategorised as {taxonomy.category_label(data['category'])} › "
                              f"{taxonomy.subcategory_label(data['subcategory'])}.")
    return redirect(reverse("tickets:detail", args=[ticket.id]) + "#history")


@require_safe
@staff_permission_required(VIEW)
def driver_tickets(request: HttpRequest, user_id: str) -> HttpResponse:
    """A driver's tickets, open ones first: one request, cached (a panel of the driver's page)."""
    context = {"account_id": user_id, "read": None, "unavailable": None, "panel_size": selectors.DRIVER_PANEL_SIZE}
    try:
        context["read"] = selectors.driver_tickets(user_id=user_id, refresh=_refresh(request))
    except errors.ApiError as exc:  # the panel says why; the rest of the driver's page stands
        context["unavailable"] = exc
    return announce_panel_loaded(render_page(request, "tickets/driver_tickets.html", context, partial="panel"))


# The charts that are a heading and a canvas, nothing more: (name, heading, what the canvas shows).
PLAIN_CHARTS = (("status", "By status", "Tickets by status"), ("priority", "By priority", "Tickets by priority"),
                ("source", "By source", "Tickets by source"),
                ("top_categories", "Top subcategories", "The most common subcategories"))


@require_safe
@staff_permission_required(VIEW)
def ticket_stats(request: HttpRequest) -> HttpResponse:
    """The team's statistics: one request per chart, each kept ten minutes."""
    group_by = request.GET.get("group_by") if request.GET.get("group_by") in selectors.VOLUME_GROUPS else "week"
    reads, problems = {}, {}
    for name in selectors.STATS_CHARTS:
        options = {"group_by": group_by} if name == "volume" else {}
        try:
            reads[name] = selectors.ticket_stat(name=name, refresh=_refresh(request), **options)
        except errors.ApiError as exc:  # that chart says why; the others stand
            problems[name] = exc
    try:
        taxonomy = selectors.ticket_taxonomy()
    except errors.ApiError:  # the charts stand without it: subcategories then read as the API's values
        taxonomy = TicketTaxonomy()
    context = {"reads": reads, "problems": problems, "group_by": group_by, "groups": selectors.VOLUME_GROUPS,
               "charts": charts.chart_data(reads, taxonomy=taxonomy), "resolution": reads.get("resolution"),
               "plain_charts": PLAIN_CHARTS}
    return render(request, "tickets/stats.html", context)
