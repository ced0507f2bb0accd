"""Pages of the triggers: lists of a year's incidents, cases and ratings in the user's scope, and the
forms that record them.

Thin views: login and the model permission first (403 without it), the rows through the selectors
(``visible_to``), writes through the services, whose ``ValidationError`` goes back onto the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability.escalation import record_forms as forms
from accountability.escalation import records
from tiers.forms import attach_errors
from tiers.http import FIRST_YEAR, year_param
from tiers.submissions import submit_once

#: What each kind of trigger has: its form, service, selector, templates, permissions and title.
KINDS: dict[str, dict[str, Any]] = {
    "incident": {
        "form": forms.IncidentForm,
        "service": records.incident_record,
        "selector": records.incident_list,
        "title": gettext_lazy("重大涉贫事件"),
        "new_title": gettext_lazy("记录重大涉贫事件"),
    },
    "case": {
        "form": forms.CaseForm,
        "service": records.case_record,
        "selector": records.case_list,
        "title": gettext_lazy("弄虚作假等核查认定"),
        "new_title": gettext_lazy("记录核查认定"),
    },
    "rating": {
        "form": forms.RatingForm,
        "service": records.rating_record,
        "selector": records.rating_list,
        "title": gettext_lazy("年度考核"),
        "new_title": gettext_lazy("记录年度考核等次"),
    },
}


def _list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    today = timezone.localdate()
    year = year_param(request, today)
    return render(
        request,
        f"escalation/{kind}_list.html",
        {
            "title": spec["title"],
            "year": year,
            "years": list(range(today.year, max(FIRST_YEAR, today.year - 4) - 1, -1)),
            "rows": spec["selector"](user=request.user, year=year),
            "new_url": reverse(f"escalations:{kind}-new"),
            "can_add": request.user.has_perm(f"accountability.add_{kind}"),
        },
    )


def _listed(kind: str, obj: Any) -> str:
    """The list of the year the recorded row belongs to."""
    year = obj.year if kind == "rating" else obj.date.year
    return f"{reverse(f'escalations:{kind}-list')}?year={year}"


def _new(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS[kind]
    today = timezone.localdate()
    if request.method == "POST":
        form = spec["form"](request.POST, user=request.user, today=today)
        if form.is_valid():
            try:
                submitted = submit_once(
                    request,
                    lambda: spec["service"](user=request.user, **form.service_data()),
                    success_url=lambda obj: _listed(kind, obj),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if submitted.result is not None:
                    messages.success(request, _("已记录"))
                return redirect(submitted.url)
    else:
        form = spec["form"](user=request.user, today=today)
    return render(
        request,
        "escalation/trigger_form.html",
        {"form": form, "title": spec["new_title"], "list_url": reverse(f"escalations:{kind}-list")},
    )


@login_required
@permission_required("accountability.view_incident", raise_exception=True)
def incident_list(request: HttpRequest) -> HttpResponse:
    """The year's 重大涉贫事件 in the user's scope."""
    return _list(request, "incident")


@login_required
@permission_required("accountability.add_incident", raise_exception=True)
def incident_new(request: HttpRequest) -> HttpResponse:
    """记录重大涉贫事件."""
    return _new(request, "incident")


@login_required
@permission_required("accountability.view_case", raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    """The year's 弄虚作假 and serious-consequence findings in the user's scope."""
    return _list(request, "case")


@login_required
@permission_required("accountability.add_case", raise_exception=True)
def case_new(request: HttpRequest) -> HttpResponse:
    """记录核查认定."""
    return _new(request, "case")


@login_required
@permission_required("accountability.view_rating", raise_exception=True)
def rating_list(request: HttpRequest) -> HttpResponse:
    """The year's annual ratings in the user's scope."""
    return _list(request, "rating")


@login_required
@permission_required("accountability.add_rating", raise_exception=True)
def rating_new(request: HttpRequest) -> HttpResponse:
    """记录年度考核等次 (again for the same person and year: the grade is changed)."""
    return _new(request, "rating")
