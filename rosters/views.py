"""Pages of the roster import (issue 9): upload → preview (a task, with progress) → confirm → result;
the template download. For administrators (``rosters.add_rosterimport``); each sees their own uploads
(superusers all)."""

from __future__ import annotations

from typing import Any

from celery.result import AsyncResult
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accountability.exports import XLSX_CONTENT_TYPE
from accountability.queueing import BROKER_ERRORS
from rosters.forms import UploadForm
from rosters.messages import Msg
from rosters.models import Outcome, RosterImport, Status
from rosters.services import roster_confirm, roster_import_retry, roster_import_stalled, roster_upload
from rosters.template import roster_template
from tiers.submissions import submit_once

PERMISSION = "rosters.add_rosterimport"


def _records(request: HttpRequest) -> Any:
    records = RosterImport.objects.all()
    return records if request.user.is_superuser else records.filter(user=request.user)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def template(request: HttpRequest) -> HttpResponse:
    """The roster template with example rows and instructions."""
    response = HttpResponse(roster_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


@login_required
@permission_required(PERMISSION, raise_exception=True)
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: it is previewed first, never imported straight away."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = submit_once(
                request,
                lambda: roster_upload(form.cleaned_data["file"], user=request.user, as_of=form.cleaned_data["as_of"]),
                success_url=lambda record: reverse("rosters:detail", args=[record.pk]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(submitted.url)
    return render(request, "rosters/upload.html", {"form": form, "records": _records(request)[:20]})


@login_required
@permission_required(PERMISSION, raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload: its progress while the task runs, then its counts and problems, and the confirmation."""
    record = get_object_or_404(_records(request), pk=pk)
    confirmable = (
        record.outcome == Outcome.PREVIEWED
        and record.confirmed_at is None
        and bool(record.file.name)
        and not RosterImport.objects.filter(sha256=record.sha256, dry_run=False, created_at__gt=record.created_at)
        .exclude(outcome=Outcome.REFUSED)
        .exists()
    )
    confirmation = RosterImport.objects.filter(preview=record).first() if record.confirmed_at else None
    return render(
        request,
        "rosters/detail.html",
        {
            "record": record,
            "confirmable": confirmable,
            "confirmation": confirmation,
            "stalled": roster_import_stalled(record),
            "stalled_message": Msg.STALLED,
        },
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Import what was previewed without a problem (the same file, checked by its hash)."""
    source = get_object_or_404(_records(request), pk=pk, outcome=Outcome.PREVIEWED)
    record, queued = roster_confirm(user=request.user, source=source)
    if not queued:  # confirmed before (a second click, a second tab): its result, not a second import
        messages.info(request, Msg.ALREADY_CONFIRMED)
    return redirect("rosters:detail", pk=record.pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again an upload whose worker died while processing it (shown as stalled)."""
    record = get_object_or_404(_records(request), pk=pk)
    if roster_import_retry(record=record):
        messages.success(request, Msg.RETRIED)
    else:
        messages.info(request, Msg.NOT_STALLED)
    return redirect("rosters:detail", pk=record.pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    """How far the upload's task is: status, rows done of total, stage (the progress bar polls this)."""
    record = get_object_or_404(_records(request), pk=pk)
    data: dict[str, Any] = {"status": record.status, "outcome": record.outcome, "done": 0, "total": 0, "stage": ""}
    if record.status in (Status.QUEUED, Status.RUNNING) and record.task_id:
        try:
            info = AsyncResult(record.task_id).info
        except BROKER_ERRORS:  # the result backend is down: no progress to show, and no error
            info = None
        if isinstance(info, dict):
            data |= {k: info.get(k, data[k]) for k in ("done", "total", "stage")}
    return JsonResponse(data)
