"""Bulk pages: upload, preview (with Start and approval), rejected rows, the job list. Thin views:
writes through imports/services, reads through selectors, fragments as partials of their page."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from evadmin.bulk import selectors, services
from evadmin.bulk.columns import ADDRESS_RULE_HELP, COLUMN_HELP, COLUMNS, EXAMPLE_ROW, UPDATE_FILE_HELP
from evadmin.bulk.forms import SubmitForm, UploadForm
from evadmin.bulk.models import BulkJob, BulkRow
from evadmin.bulk.run import progress
from evadmin.bulk.upload.drafts import bulk_job_create_from_upload
from evadmin.bulk.upload.rejections import FileRejected, megabytes
from evadmin.bulk.upload.size_limit import TOO_LARGE_ATTRIBUTE, UploadSizeLimit
from evadmin.core.exports import csv_download
from evadmin.core.htmx import render_page, wants_partial
from evadmin.staff import roles
from evadmin.staff.permissions import staff_permission_required

RUN_BULK = roles.RUN_BULK
ROWS_PER_PAGE = 50
JOBS_PER_PAGE = 25


def _limits() -> dict:
    return {
        "max_size": megabytes(settings.EVADMIN_BULK_MAX_UPLOAD_BYTES), "max_rows": settings.EVADMIN_BULK_MAX_ROWS,
        "approval_threshold": settings.EVADMIN_BULK_APPROVAL_THRESHOLD,
    }


# CSRF is checked by csrf_protect inside, once the size limit is installed: the middleware's
# check reads the body, after which Django refuses new upload handlers.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@staff_permission_required(RUN_BULK)
def bulk_upload(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, UploadSizeLimit(request, max_bytes=settings.EVADMIN_BULK_MAX_UPLOAD_BYTES))
    return _bulk_upload(request)


@csrf_protect
def _bulk_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    rejected = ""
    if request.method == "POST":
        if getattr(request, TOO_LARGE_ATTRIBUTE, False):
            rejected = (f"The file is larger than {megabytes(settings.EVADMIN_BULK_MAX_UPLOAD_BYTES)}, the most "
                        "evadmin accepts: split it into smaller files.")
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = bulk_job_create_from_upload(file=upload.file, file_name=upload.name, actor=request.user,
                                                  request=request)
            except FileRejected as exc:
                rejected = f"{upload.name}: {exc.message} Nothing was stored."
            else:
                return redirect("bulk:job", job_id=job.pk)
    context = {"form": form, "rejected": rejected, "columns": COLUMN_HELP, "address_rule": ADDRESS_RULE_HELP,
               "update_help": UPDATE_FILE_HELP, **_limits()}
    status = 422 if rejected or form.errors else 200
    return render(request, "bulk/upload.html", context, status=status)


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="evadmin-bulk-template.csv"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW[column] for column in COLUMNS])
    return response


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_list(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    jobs = selectors.bulk_job_list(created_by=request.user if mine else None)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "mine": mine}
    if not wants_partial(request):  # the notices are read (and marked read) only where the page shows them
        context["notices"] = progress.bulk_notices_take_unread(recipient=request.user)
    return render_page(request, "bulk/jobs.html", context, partial="results")


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(BulkJob.objects.select_related("created_by", "approved_by"), pk=job_id)
    show = request.GET.get("show", "all")
    show = show if show in selectors.ROW_FILTERS else "all"
    rows = Paginator(selectors.bulk_job_rows(job=job, show=show), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    if job.kind == BulkJob.Kind.UPDATE:
        rows.object_list = selectors.bulk_rows_with_changes(rows.object_list)
    context = {"job": job, "rows": rows, "show": show, "row_filters": selectors.ROW_FILTERS,
               "names": selectors.bulk_rows_reference_names(rows.object_list)}
    if not wants_partial(request):  # the rest of the page, for the whole page only
        context.update(_job_page_context(request, job))
    return render_page(request, "bulk/job.html", context, partial="rows")


def _job_page_context(request: HttpRequest, job: BulkJob) -> dict:
    state_counts = selectors.bulk_job_state_counts(job=job)
    return {
        "form": SubmitForm(initial={"existing_policy": job.existing_policy, "strict_mode": job.strict_mode}),
        "estimate": selectors.bulk_job_cost_estimate(job=job, existing_policy=job.existing_policy,
                                                     strict_mode=job.strict_mode),
        "problems": selectors.bulk_job_first_problems(job=job),
        "same_file": selectors.bulk_job_same_file(job=job),
        "state_counts": state_counts,
        "state_summary": [(BulkRow.State(state).label, n) for state, n in state_counts.items() if n],
        "can_submit": selectors.bulk_job_can_submit(job=job, actor=request.user),
        "can_approve": selectors.bulk_job_can_approve(job=job, actor=request.user),
        "progress": progress.bulk_job_progress(job=job),
        **_limits(),
    }


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_estimate(request: HttpRequest, job_id: int) -> HttpResponse:
    """The cost estimate for the options ticked on the preview (re-rendered as they change)."""
    job = get_object_or_404(BulkJob, pk=job_id)
    form = SubmitForm(request.GET)
    policy, strict = job.existing_policy, job.strict_mode
    if form.is_valid():
        policy, strict = form.cleaned_data["existing_policy"], form.cleaned_data["strict_mode"]
    estimate = selectors.bulk_job_cost_estimate(job=job, existing_policy=policy, strict_mode=strict)
    return render(request, "bulk/job.html#estimate", {"job": job, "estimate": estimate, **_limits()})


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_rejected_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(BulkJob, pk=job_id)
    rows = selectors.bulk_job_rejected_csv_rows(job=job)
    return csv_download(rows, f"bulk-job-{job.pk}-rejected-rows.csv", bom=False)


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_file(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The file as uploaded (until the retention purge)."""
    job = get_object_or_404(BulkJob, pk=job_id)
    content_type = "text/csv" if job.file_format == BulkJob.FileFormat.CSV else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = StreamingHttpResponse(selectors.bulk_job_file_bytes(job=job), content_type=content_type)
    safe_name = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in job.file_name)
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


@require_POST
@staff_permission_required(RUN_BULK)
def bulk_job_submit(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(BulkJob, pk=job_id)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with accounts that already exist.")
        return redirect("bulk:job", job_id=job.pk)
    try:
        job = services.bulk_job_submit(
            job_id=job.pk, actor=request.user, existing_policy=form.cleaned_data["existing_policy"],
            strict_mode=form.cleaned_data["strict_mode"], request=request,
        )
    except services.BulkJobError as exc:
        messages.error(request, exc.user_message)
    else:
        if job.status == BulkJob.Status.AWAITING_APPROVAL:
            messages.success(request, f"Job {job.pk} is waiting for another bulk operator or an admin to approve it.")
        else:
            messages.success(request, f"Job {job.pk} is queued.")
    return redirect("bulk:job", job_id=job.pk)


@require_POST
@staff_permission_required(RUN_BULK)
def bulk_job_approve(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(BulkJob, pk=job_id)
    try:
        services.bulk_job_approve(job_id=job.pk, actor=request.user, request=request)
    except services.ApprovalNotAllowed as exc:
        return render(request, "403.html", {"exception": exc.user_message}, status=403)
    except services.BulkJobError as exc:
        messages.error(request, exc.user_message)
    else:
        messages.success(request, f"Job {job.pk} is approved and queued.")
    return redirect("bulk:job", job_id=job.pk)



@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment the job page polls every 2 s; polling stops once the job has ended."""
    job = get_object_or_404(BulkJob, pk=job_id)
    job_progress = progress.bulk_job_progress(job=job)
    response = render(request, "bulk/job.html#progress", {"job": job, "progress": job_progress})
    if job.status in BulkJob.FINAL_STATUSES or job.status == BulkJob.Status.PAUSED:
        # The job just ended or paused: reload the whole page so its status line, rows and
        # buttons agree with the bar (polling stops, as the reloaded page does not poll).
        return HttpResponseClientRefresh()
    return response


@require_POST
@staff_permission_required(RUN_BULK)
def bulk_job_control(request: HttpRequest, job_id: int, action: str) -> HttpResponse:
    """Pause, resume, cancel, retry the failed rows. Cancelling is final: it needs its confirmation."""
    job = get_object_or_404(BulkJob, pk=job_id)
    if action in NEEDS_CONFIRMATION and not _confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("bulk:job", job_id=job.pk)
    try:
        services.bulk_job_control(job_id=job.pk, actor=request.user, action=action, request=request)
    except services.BulkJobError as exc:
        messages.error(request, exc.user_message)
    else:
        messages.success(request, CONTROL_MESSAGES[action].format(job=job.pk))
    return redirect("bulk:job", job_id=job.pk)


@require_POST
@staff_permission_required(RUN_BULK)
def bulk_job_revert(request: HttpRequest, job_id: int) -> HttpResponse:
    """Set every account a finished update job changed back to its before-image (a new job)."""
    from evadmin.bulk.reverts import bulk_job_revert as revert_job

    job = get_object_or_404(BulkJob, pk=job_id)
    if not _confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("bulk:job", job_id=job.pk)
    try:
        revert = revert_job(job_id=job.pk, actor=request.user, request=request)
    except services.BulkJobError as exc:
        messages.error(request, exc.user_message)
        return redirect("bulk:job", job_id=job.pk)
    messages.success(request, f"Job {revert.pk} reverts job {job.pk}: accounts changed since are reported as "
                              "conflicts and left as they are.")
    return redirect("bulk:job", job_id=revert.pk)


NEEDS_CONFIRMATION = {"cancel"}
NOT_CONFIRMED = "Nothing was done: confirm it with the button that says what will happen."


def _confirmed(request: HttpRequest) -> bool:
    """The second click of a two-step button (the confirmation says what will happen): one click is never enough."""
    return request.POST.get("confirm") == "yes"


CONTROL_MESSAGES = {
    "pause": "Job {job} is paused: no more requests are sent until you resume it.",
    "resume": "Job {job} is resuming.",
    "cancel": "Job {job} is cancelled. Accounts already created stay.",
    "retry_failed": "Job {job}'s failed and parked rows are queued again.",
}


@require_safe
@staff_permission_required(RUN_BULK)
def bulk_job_results_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(BulkJob, pk=job_id)
    def page_url(user_id: str) -> str:
        return request.build_absolute_uri(reverse("users:detail", args=[user_id]))

    return csv_download(progress.bulk_job_results_csv_rows(job=job, page_url=page_url),
                        f"bulk-job-{job.pk}-results.csv", bom=False)
