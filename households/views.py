"""Pages of the households app: a helper's households, households and their timeline, logging and
editing visits, deeds and plan revisions, and the review of late edits.

Thin views: lookups go through ``visible_to(request.user)`` (out of scope is 404), reads through
``households.selectors``, writes through ``households.services`` / ``tiers.services``; a service's
``ValidationError`` goes back onto the form, so nothing is half-saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households import selectors, services
from households.forms import (
    DeedEditForm,
    DeedForm,
    LogForm,
    PlanForm,
    ReviewForm,
    VisitEditForm,
    VisitForm,
)
from households.messages import Msg
from households.models import Deed, Household, Plan, Visit
from tiers import services as tier_services
from tiers.forms import attach_errors
from tiers.http import year_param
from tiers.models import EditRequest, Person
from tiers.submissions import submit_once

#: Session key of the household last logged for, pre-selected on the next form.
LAST_HOUSEHOLD = "last_household"
PAGE_SIZE = 50


# --- a helper's households --------------------------------------------------------------------------


def _helper_page(request: HttpRequest, person: Person) -> HttpResponse:
    today = timezone.localdate()
    year = year_param(request, today)
    rows = selectors.helper_overview(person=person, year=year, today=today, user=request.user)
    return render(
        request,
        "households/helper.html",
        {
            "person": person,
            "rows": rows,
            "year": year,
            "years": [today.year, today.year - 1],
            "done": sum(row.done for row in rows),
            "is_self": person.user_id == request.user.pk,
        },
    )


@login_required
def my_households(request: HttpRequest) -> HttpResponse:
    """我的帮扶户: the logged-in helper's households and where each stands this year."""
    person = selectors.person_of(user=request.user)
    if person is None:
        return render(request, "households/helper.html", {"person": None})
    return _helper_page(request, person)


@login_required
def helper_detail(request: HttpRequest, person_code: str) -> HttpResponse:
    """A helper's page, for staff whose scope covers the helper's unit or one of their households."""
    person = get_object_or_404(selectors.helper_list(user=request.user), code=person_code)
    return _helper_page(request, person)


# --- households -----------------------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    """Households in scope, searched by code or head's name and filtered by village, 50 a page."""
    query = request.GET.get("q", "").strip()
    village = request.GET.get("village", "").strip()
    households = selectors.household_list(user=request.user, query=query, village=village, on=timezone.localdate())
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "households/household_list.html",
        {
            "page": page,
            "query": query,
            "village": village,
            "villages": selectors.village_choices(user=request.user),
        },
    )


@login_required
def household_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A household: head, village, status, indicators, and its timeline. 404 out of scope."""
    household = get_object_or_404(selectors.household_get(user=request.user, code=code))
    today = timezone.localdate()
    return render(
        request,
        "households/household_detail.html",
        {
            "household": household,
            "village_name": household.village.full_name(),
            "pairing": selectors.current_pairing(household=household, on=today),
            "timeline": selectors.household_timeline(household=household, user=request.user),
        },
    )


# --- logging visits, deeds and plan revisions ---------------------------------------------------


def _after_log(request: HttpRequest, record: Visit | Deed | Plan) -> str:
    """A helper goes back to their households; staff to the household's page."""
    if record.helper.user_id == request.user.pk:
        return reverse("households:my-households")
    return reverse("households:household-detail", args=[record.household.code])


def _initial_household(request: HttpRequest, households: Any) -> Household | None:
    """The household to pre-select: ``?household=`` (404 out of scope), else the last one logged for,
    else the only one there is."""
    code = request.GET.get("household")
    if code:
        household = households.filter(code=code).first()
        if household is None:  # not loggable: a 404 out of scope, else no household pre-selected
            get_object_or_404(Household.objects.visible_to(request.user), code=code)
        return household
    last = request.session.get(LAST_HOUSEHOLD)
    if last:
        household = households.filter(code=last).first()
        if household is not None:
            return household
    first_two = list(households[:2])
    return first_two[0] if len(first_two) == 1 else None


def _log_view(
    request: HttpRequest,
    *,
    form_class: type[LogForm],
    log: Callable[[Any, LogForm], Visit | Deed],
    title: str,
    done: str,
) -> HttpResponse:
    today = timezone.localdate()
    households = selectors.loggable_households(user=request.user, today=today)
    if request.method == "POST":
        form = form_class(request.POST, households=households, today=today)
        if form.is_valid():
            try:
                submitted = submit_once(
                    request, lambda: log(request.user, form), success_url=lambda record: _after_log(request, record)
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if submitted.result is not None:
                    request.session[LAST_HOUSEHOLD] = submitted.result.household.code
                    messages.success(request, done)
                return redirect(submitted.url)
    else:
        household = _initial_household(request, households)
        form = form_class(initial={"household": household}, households=households, today=today)
    return render(request, "households/record_form.html", {"form": form, "title": title})


@login_required
@permission_required("households.add_visit", raise_exception=True)
def visit_new(request: HttpRequest) -> HttpResponse:
    """记录走访: household (pre-selected) and date (today) are enough; findings are optional."""

    def log(user: Any, form: VisitForm) -> Visit:
        data = form.cleaned_data
        return services.visit_log(user=user, household=data["household"], date=data["date"], **form.findings())

    return _log_view(request, form_class=VisitForm, log=log, title=_("记录走访"), done=_("已记录走访"))


@login_required
@permission_required("households.add_deed", raise_exception=True)
def deed_new(request: HttpRequest) -> HttpResponse:
    """记录实事好事: household, date and what was done."""

    def log(user: Any, form: DeedForm) -> Deed:
        data = form.cleaned_data
        return services.deed_log(
            user=user, household=data["household"], date=data["date"], description=data["description"]
        )

    return _log_view(request, form_class=DeedForm, log=log, title=_("记录实事好事"), done=_("已记录实事好事"))


@login_required
@permission_required("households.add_plan", raise_exception=True)
def plan_new(request: HttpRequest, code: str) -> HttpResponse:
    """修订一户一策: a new revision, prefilled from the latest one."""
    household = get_object_or_404(selectors.household_get(user=request.user, code=code))
    today = timezone.localdate()
    if request.method == "POST":
        form = PlanForm(request.POST, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submitted = submit_once(
                    request,
                    lambda: services.plan_revise(
                        user=request.user, household=household, date=data["date"], year=data["year"], **form.content()
                    ),
                    success_url=lambda plan: _after_log(request, plan),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if submitted.result is not None:
                    request.session[LAST_HOUSEHOLD] = household.code
                    messages.success(request, _("已记录一户一策修订"))
                return redirect(submitted.url)
    else:
        latest = selectors.latest_plan(household=household, user=request.user)
        initial = {
            name: getattr(latest, name) for name in PlanForm.base_fields if latest and name not in ("date", "year")
        }
        form = PlanForm(initial=initial, today=today)
    return render(request, "households/plan_form.html", {"form": form, "household": household})


# --- editing ---------------------------------------------------------------------------------------


def _edit_view(request: HttpRequest, pk: int, *, model: type, form_class: type, title: str) -> HttpResponse:
    record = get_object_or_404(model.objects.visible_to(request.user).select_related("household", "helper"), pk=pk)
    today = timezone.localdate()
    window = services.edit_window_days()
    if request.method == "POST":
        form = form_class(request.POST, today=today)
        if form.is_valid():
            try:
                submitted = submit_once(
                    request,
                    lambda: services.record_update(
                        user=request.user, record=record, changes=form.changes(), reason=form.cleaned_data["reason"]
                    ),
                    success_url=lambda result: reverse("households:household-detail", args=[record.household.code]),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if isinstance(submitted.result, EditRequest):
                    messages.info(request, Msg.EDIT_NEEDS_REVIEW % {"days": window})
                elif submitted.result is not None:
                    messages.success(request, _("已保存修改"))
                return redirect(submitted.url)
    else:
        form = form_class(
            initial={name: getattr(record, name) for name in form_class.base_fields if name != "reason"}, today=today
        )
    return render(
        request,
        "households/record_edit.html",
        {
            "form": form,
            "record": record,
            "title": title,
            "window": window,
            "needs_review": timezone.now() - record.entered_at > datetime.timedelta(days=window),
        },
    )


@login_required
@permission_required("households.change_visit", raise_exception=True)
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a visit; after the policy window the change waits for a reviewer."""
    return _edit_view(request, pk, model=Visit, form_class=VisitEditForm, title=_("修改走访记录"))


@login_required
@permission_required("households.change_deed", raise_exception=True)
def deed_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a deed; after the policy window the change waits for a reviewer."""
    return _edit_view(request, pk, model=Deed, form_class=DeedEditForm, title=_("修改实事好事记录"))


# --- reviews ---------------------------------------------------------------------------------------


@login_required
@permission_required("tiers.review_editrequest", raise_exception=True)
def review_list(request: HttpRequest) -> HttpResponse:
    """Pending edit requests in scope, each with the values before and after."""
    pending = [(item, selectors.review_changes(item)) for item in selectors.review_list(user=request.user)]
    return render(request, "households/reviews.html", {"pending": pending})


@login_required
@permission_required("tiers.review_editrequest", raise_exception=True)
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one edit request (not one's own; a rejection needs a note)."""
    edit_request = get_object_or_404(EditRequest.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect("households:reviews")
    approve = form.cleaned_data["decision"] == ReviewForm.APPROVE
    try:
        tier_services.edit_request_decide(
            request=edit_request, reviewer=request.user, approve=approve, note=form.cleaned_data["review_note"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已批准修改") if approve else _("已驳回修改申请"))
    return redirect("households:reviews")
