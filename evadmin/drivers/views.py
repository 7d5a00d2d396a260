"""User pages. Thin views: read through selectors, write through services, one template per page
whose partials serve htmx requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from evadmin.audit.selectors import event_value_names
from evadmin.core.api_errors import api_error_status
from evadmin.core.driver_page import summary_parts, timeline_sources
from evadmin.core.htmx import render_page, vary_on_htmx, wants_partial
from evadmin.driver_directory.forms import DirectorySearchForm, exact_email, wants_directory
from evadmin.driver_directory.selectors import directory_status
from evadmin.driver_directory.tables import DirectoryUserTable
from evadmin.driver_directory.views import directory_table
from evadmin.drivers import selectors, services, timeline
from evadmin.drivers.forms import TimelineFilterForm, UserForm, UserLookupForm, stored_values
from evadmin.drivers.tables import UserTable
from evadmin.evenergy import errors, reference
from evadmin.evenergy.payloads import EMPTY_LOCATION
from evadmin.evenergy.read_cache import UNAVAILABLE
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required

VIEW = roles.VIEW_USERS
EDIT = roles.EDIT_USERS


# Any of these asks /users/ for the API's own list (one request a page) rather than the directory.
API_LIST_PARAMS = ("email", "after", "before", "page_size")


def wants_api_list(params) -> bool:
    if wants_directory(params):
        return False
    return params.get("source") == "api" or any(params.get(name) for name in API_LIST_PARAMS)


@require_safe
@staff_permission_required(VIEW)
def user_list(request: HttpRequest) -> HttpResponse:
    """The directory's search (no API request) unless the API's own list is asked for, or the search box
    holds one whole email: the API's exact lookup answers that (one request)."""
    email_typed = exact_email(request.GET)
    if email_typed:
        lookup = UserLookupForm({"email": email_typed, "page_size": request.GET.get("page_size") or ""})
    elif not wants_api_list(request.GET):
        return _directory_user_list(request)
    else:
        lookup = UserLookupForm(request.GET or None)
    email = page_size = None
    if lookup.is_valid():
        email, page_size = lookup.cleaned_data["email"] or None, lookup.cleaned_data["page_size"]
    page_size = page_size or 25
    page = read = None
    if lookup.is_bound and not lookup.is_valid():
        table = UserTable([])
    else:
        try:
            read = selectors.user_list_page(
                page_size=page_size, email=email, refresh=bool(request.GET.get("refresh")),
                page_after=request.GET.get("after") or None, page_before=request.GET.get("before") or None,
            )
        except UNAVAILABLE as exc:  # never a dead end: the directory answers instead
            return _directory_user_list(request, api_list_unavailable=exc)
        page = read.value
        table = UserTable(page.items)
    context = {"lookup": lookup, "table": table, "page": page, "read": read, "page_size": page_size,
               "email": email or "", "page_query": {"page_size": page_size, "email": email},
               "search": DirectorySearchForm(initial={"q": email or ""})}
    return render_page(request, "drivers/list.html", context, partial="results")


def _directory_user_list(request: HttpRequest, api_list_unavailable: errors.ApiError | None = None) -> HttpResponse:
    """Free text, filters and sorting, answered from the directory (no API request)."""
    search, table, _ = directory_table(request, DirectoryUserTable)
    context = {"lookup": UserLookupForm(), "search": search, "table": table, "directory_mode": True,
               "directory": directory_status(), "api_list_unavailable": api_list_unavailable}
    return render_page(request, "drivers/list.html", context, partial="results")


@require_safe
@staff_permission_required(VIEW)
def user_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    """Live, from the read cache, or (budget spent, API down) from evadmin's copy with its age said."""
    history = Paginator(selectors.user_history(user_id=user_id), 20).get_page(request.GET.get("history_page"))
    names = event_value_names(history.object_list)  # tariffs and sites by name (no request)
    if "history_page" in request.GET and wants_partial(request):  # evadmin's own record: no API read
        return render_page(request, "drivers/detail.html", {"history": history, "names": names},
                           partial="history")
    read = selectors.user_get_or_local(user_id=user_id, refresh=bool(request.GET.get("refresh")))
    context = {"account": read.value, "location": read.value.default_location, "read": read, "history": history,
               "names": names, "summary_user_id": user_id, "summary_parts": summary_parts(user_id)}
    return render_page(request, "drivers/detail.html", context)


@require_safe
@staff_permission_required(VIEW)
def user_summary(request: HttpRequest, user_id: str) -> HttpResponse:
    """The summary strip again, from what evadmin now holds (a panel has loaded): never a request."""
    if not wants_partial(request):
        return redirect(reverse("users:detail", args=[user_id]) + "#summary-strip")
    context = {"summary_user_id": user_id, "summary_parts": summary_parts(user_id)}
    return vary_on_htmx(render(request, "drivers/summary_strip.html", context))


@require_safe
@staff_permission_required(VIEW)
def user_timeline(request: HttpRequest, user_id: str) -> HttpResponse:
    """One stream of what happened to the driver, newest first: what evadmin holds costs nothing, each
    source loaded on request (`load`) its stated cost."""
    sources = timeline_sources()
    form = TimelineFilterForm(request.GET or None, kinds=[(source.kind, source.label) for source in sources])
    load = {kind for kind in request.GET.getlist("load") if kind in {source.kind for source in sources}}
    built = timeline.driver_timeline(user_id=user_id, load=load, refresh=bool(request.GET.get("refresh")),
                                     **form.filters())
    query = request.GET.copy()
    query.pop("load", None)
    query.pop("refresh", None)
    context = {"account_id": user_id, "form": form, "timeline": built, "query": query.urlencode()}
    return render_page(request, "drivers/timeline.html", context, partial="timeline")


def _user_form(data=None, *, user=None, **kwargs) -> UserForm:
    """The form over the cached choice lists; `user` fills it for an edit (keeping what it cannot offer)."""
    tariffs, evse_sites = reference.tariff_choices(), reference.evse_site_choices()
    if user is not None:
        kwargs["initial"] = UserForm.initial_for(user, tariffs=tariffs, evse_sites=evse_sites)
    return UserForm(data, tariffs=tariffs, evse_sites=evse_sites, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(EDIT)
def user_create(request: HttpRequest) -> HttpResponse:
    form = _user_form(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                email=form.cleaned_data["email"], location=form.location_values() if _has_location(form) else None,
                actor=request.user, reason=form.cleaned_data["reason"], request=request,
            )
        except services.DuplicateEmail as exc:
            duplicates = exc.existing
            form.add_error("email", "An account with this email already exists.")
        except errors.ValidationFailed as exc:
            form.add_api_errors(exc.field_errors)
        except errors.ApiError as exc:
            # Keep what the agent typed: the form comes back with the banner, ready to resubmit.
            return _form_with_api_error(request, form, exc, {"mode": "create"})
        else:
            messages.success(request, format_html("Created <bdi>{}</bdi>.", user.email))
            _postcode_note(request, form)
            return _redirect(request, reverse("users:detail", args=[user.id]))
    context = {"form": form, "mode": "create", "duplicates": duplicates}
    return _form_page(request, context, status=422 if form.errors else 200)


@require_POST
@staff_permission_required(EDIT)
def user_form_field(request: HttpRequest, field_name: str) -> HttpResponse:
    """Check the whole form as typed so far and render one field with its errors (on blur)."""
    form = _user_form(request.POST)
    if field_name not in form.fields:
        return HttpResponse(status=404)
    form.is_valid()
    return render(request, "drivers/form.html#field", {"field": form[field_name], "form": form})


@require_safe
@staff_permission_required(EDIT)
def tariff_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the tariffs matching the search box, for the form's tariff select."""
    tariffs = reference.tariffs_matching(request.GET.get("tariff_search", ""))
    selected = request.GET.get("tariff")
    kept = stored_values(request.GET.get("stored")).get("tariff")  # the stored tariff no list offers
    context = {"tariffs": tariffs, "selected": selected, "kept": kept if kept not in {t.id for t in tariffs} else None}
    return render(request, "drivers/form.html#tariff_options", context)


def _postcode_note(request: HttpRequest, form) -> None:
    """Saved as typed, the warning said while typing stays in sight on the driver's page."""
    if form.postcode_warning:
        messages.warning(request, form.postcode_warning)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(EDIT)
def user_edit(request: HttpRequest, user_id: str) -> HttpResponse:
    if request.method == "GET":
        try:
            read = selectors.user_get(user_id=user_id)  # a cached read will do: saving checks it is current
            if read.unavailable:  # only a last copy: the form needs the driver as the API has them
                raise read.unavailable
        except UNAVAILABLE as exc:  # the driver's page still shows evadmin's copy
            messages.error(request, f"Editing needs the driver as the API has them now: {exc.user_message}")
            return redirect("users:detail", user_id)
        form = _user_form(user=read.value)
        return _form_page(request, {"form": form, "mode": "edit", "account": read.value})
    form = _user_form(request.POST)
    # The heading names the account as stored, not by the email typed (it may be the invalid one).
    account = selectors.user_seen(user_id=user_id) or {"id": user_id, "email": user_id}
    if form.is_valid():
        try:
            user = services.user_update(
                user_id=user_id, email=form.cleaned_data["email"], location=form.location_values(),
                seen_fingerprint=form.cleaned_data["fingerprint"], actor=request.user,
                reason=form.cleaned_data["reason"], request=request,
            )
        except services.EditConflict as conflict:
            return _conflict(request, form, conflict)
        except errors.ValidationFailed as exc:
            form.add_api_errors(exc.field_errors)
        except errors.NotFound:
            raise
        except errors.ApiError as exc:
            return _form_with_api_error(request, form, exc, {"mode": "edit", "account": account})
        else:
            messages.success(request, format_html("Saved changes to <bdi>{}</bdi>.", user.email))
            _postcode_note(request, form)
            return _redirect(request, reverse("users:detail", args=[user_id]))
    return _form_page(request, {"form": form, "mode": "edit", "account": account}, status=422)


@require_POST
@staff_permission_required(EDIT)
def user_clear_address(request: HttpRequest, user_id: str) -> HttpResponse:
    try:
        services.user_clear_address(
            user_id=user_id, seen_fingerprint=request.POST.get("fingerprint", ""), actor=request.user,
            reason=request.POST.get("reason", "")[:500], request=request,
        )
    except services.EditConflict:
        messages.error(request, "Someone changed this user since you loaded the page: check the address and try again.")
    else:
        messages.success(request, "Address cleared.")
    return _redirect(request, reverse("users:detail", args=[user_id]))


def _conflict(request: HttpRequest, form: UserForm, conflict: services.EditConflict) -> HttpResponse:
    current = conflict.current
    theirs = current.editable_values()
    theirs_location = theirs["default_location"] or EMPTY_LOCATION
    mine_location = conflict.submitted["default_location"]
    rows = [("Email", theirs["email"], conflict.submitted["email"])]
    rows += [(UserForm.base_fields[name].label or name.replace("_", " ").capitalize(), theirs_location.get(name),
              mine_location.get(name)) for name in ("address_1", "address_2", "city", "state", "postal_code", "country_code")]
    rows += [("Coordinates", theirs_location.get("coordinates"), mine_location.get("coordinates"))]
    tariff_names = {t.id: f"{t.name} ({t.supplier.name if t.supplier else t.currency})" for t in reference.tariff_choices()}
    rows += [("Tariff", tariff_names.get(theirs_location.get("tariff"), theirs_location.get("tariff")),
              tariff_names.get(mine_location.get("tariff"), mine_location.get("tariff")))]
    rows += [("EVSE site", theirs_location.get("evse_site"), mine_location.get("evse_site"))]
    # The agent's values, re-offered with the fresh fingerprint, so "keep mine" is a deliberate re-save.
    retry = _user_form(initial={**form.cleaned_data, "fingerprint": current.fingerprint})
    context = {"account": current, "rows": [(label, a, b, a != b) for label, a, b in rows], "retry_form": retry}
    return render(request, "drivers/conflict.html", context, status=409)


def _form_with_api_error(request: HttpRequest, form: UserForm, error: errors.ApiError, context: dict) -> HttpResponse:
    context = {**context, "form": form, "api_error": error}
    return _form_page(request, context, status=api_error_status(error))


def _form_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The create or edit form, saying when a choice list could not be read whole."""
    context = {**context, "reference_problems": reference.reference_problems()}
    return render(request, "drivers/form.html", context, status=status)


def _has_location(form: UserForm) -> bool:
    return any(value is not None for value in form.location_values().values())


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


