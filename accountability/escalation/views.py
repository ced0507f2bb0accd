"""Pages of the escalation engine's output (issue 7): the year-end lists — 约谈 by convenor, the bodies
not eligible for awards, assessment caps, promotion bans, replacements and referrals — each also as a
spreadsheet; an action's page with its whole chain of evidence and its due process; and the printable
约谈通知书.

Thin views: every action comes through ``Action.objects.visible_to(request.user)`` (out of scope is 404);
the due process is written by ``accountability.escalation.services`` (its ``ValidationError`` goes back
onto the form, its ``PermissionDenied`` is a 403).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.api import subject_code_and_name
from accountability.choices import ActionStatus, RebuttalStatus
from accountability.compliance.engine import period_label
from accountability.compliance.evidence import evidence_records
from accountability.escalation import services
from accountability.escalation.api import IN_FORCE, action_list, first_reason, subject_of, targets_text
from accountability.exports import xlsx_response
from accountability.messages import Msg
from accountability.models import Action, ActionTrigger, Rebuttal
from tiers.choices import ActionKind, Relation, TriggerKind
from tiers.forms import attach_errors
from tiers.http import year_param
from tiers.submissions import submit_once

#: ``?status=all``: every status (withdrawn and waived ones too); no status: those in force.
STATUS_ALL = "all"
#: The kinds of the assessment-caps page, in the order of its sections.
CAP_KINDS = [ActionKind.ASSESSMENT_CAP, ActionKind.PROMOTION_BAN, ActionKind.REPLACEMENT, ActionKind.REFERRAL]
EXPORT_BATCH = 2000


# --- the year-end lists ---------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    return year_param(request, timezone.localdate())


def _statuses(request: HttpRequest) -> tuple[str, list[str]]:
    """The status asked for in ``?status=`` (as given, for the form) and the statuses it means."""
    raw = request.GET.get("status", "").strip()
    if raw == STATUS_ALL:
        return raw, []
    if raw in ActionStatus.values:
        return raw, [raw]
    return "", list(IN_FORCE)


def _status_options() -> list[tuple[str, Any]]:
    return [("", _("有效（拟处理、已确认、已约谈）")), (STATUS_ALL, _("全部")), *ActionStatus.choices]


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format", "") == "xlsx"


def _list_context(request: HttpRequest, year: int, status: str, **extra: Any) -> dict[str, Any]:
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = {"year": year, "status": status, "status_options": _status_options(), "xlsx_query": query.urlencode()}
    return context | extra


def _code_clause(action: Action) -> str:
    return f"{action.escalation.code}（{action.escalation.clause}）"


def _rows(actions: Any, columns: list[Any]) -> Iterator[list[Any]]:
    """The spreadsheet rows of ``actions`` (read in batches, targets and triggers prefetched)."""
    for action in actions.iterator(chunk_size=EXPORT_BATCH):
        yield [column(action) for column in columns]


def _xlsx(actions: Any, *, filename: str, title: Any, spec: list[tuple[Any, int, Any]]) -> FileResponse:
    return xlsx_response(
        filename=filename,
        title=str(title),
        headers=[str(header) for header, _width, _column in spec],
        rows=_rows(actions, [column for _header, _width, column in spec]),
        widths=[width for _header, width, _column in spec],
    )


def _yes_no(value: bool) -> str:
    return str(_("是")) if value else str(_("否"))


#: Columns shared by the spreadsheets: (header, width, cell of an action).
COL_ESCALATION = (_("问责规则"), 8, lambda a: a.escalation.code)
COL_CLAUSE = (_("条款"), 8, lambda a: a.escalation.clause)
COL_SUBJECT_TYPE = (_("承担者类型"), 18, lambda a: subject_of(a)["type_label"] or a.get_bearer_display())
COL_SUBJECT_CODE = (_("承担者编码"), 16, lambda a: subject_of(a)["code"])
COL_SUBJECT = (_("承担者"), 30, lambda a: a.subject_name)
COL_REASON = (_("原因"), 50, lambda a: first_reason(a))
COL_JOINT = (_("连带责任"), 8, lambda a: _yes_no(a.joint_liability))
COL_SEVERITY = (_("严重程度"), 8, lambda a: a.severity)
COL_STATUS = (_("状态"), 10, lambda a: str(a.get_status_display()))
COL_YEAR = (_("年度"), 6, lambda a: a.year)

ADMONISH_SPEC = [
    (_("约谈主体"), 30, lambda a: a.convenor_name or str(a.get_convenor_display())),
    COL_ESCALATION,
    COL_CLAUSE,
    COL_SUBJECT,
    (_("约谈对象"), 40, targets_text),
    COL_SEVERITY,
    COL_STATUS,
    COL_YEAR,
    (_("触发依据"), 50, lambda a: "；".join(t.summary for t in a.triggers.all())),
]
AWARD_SPEC = [COL_SUBJECT_TYPE, COL_SUBJECT_CODE, COL_SUBJECT, COL_ESCALATION, COL_CLAUSE, COL_REASON]
AWARD_SPEC += [COL_JOINT, COL_STATUS, COL_YEAR]
CAP_SPEC = [(_("措施"), 24, lambda a: str(a.get_kind_display())), *AWARD_SPEC]


@dataclass(frozen=True)
class Group:
    """A heading of a list (a convenor, a kind of action) and its actions."""

    name: str
    actions: list[Action]


@login_required
def admonishments(request: HttpRequest) -> HttpResponse:
    """约谈 of a year grouped by convenor: rule, clause, subject, targets, severity, status."""
    year, (status, statuses) = _year(request), _statuses(request)
    actions = action_list(user=request.user, year=year, kinds=[ActionKind.ADMONISH], statuses=statuses).order_by(
        "convenor_name", "convenor", "escalation__code", "subject_name", "pk"
    )
    if _wants_xlsx(request):
        return _xlsx(actions, filename=f"admonishments-{year}.xlsx", title=_("约谈名单"), spec=ADMONISH_SPEC)
    groups = [
        Group(name, list(rows))
        for name, rows in groupby(actions, key=lambda a: a.convenor_name or str(a.get_convenor_display()))
    ]
    context = _list_context(request, year, status, groups=groups, total=sum(len(g.actions) for g in groups))
    return render(request, "escalation/outputs/admonishments.html", context)


@login_required
def awards(request: HttpRequest) -> HttpResponse:
    """Bodies not eligible for awards or advanced titles in a year, with the reason."""
    year, (status, statuses) = _year(request), _statuses(request)
    actions = action_list(user=request.user, year=year, kinds=[ActionKind.AWARD_BAN], statuses=statuses).order_by(
        "bearer", "subject_name", "escalation__code", "pk"
    )
    if _wants_xlsx(request):
        return _xlsx(actions, filename=f"awards-{year}.xlsx", title=_("不得评优评先名单"), spec=AWARD_SPEC)
    return render(request, "escalation/outputs/awards.html", _list_context(request, year, status, actions=actions))


@login_required
def assessment_caps(request: HttpRequest) -> HttpResponse:
    """Assessment caps of units, promotion bans of people, replacements and referrals of a year."""
    year, (status, statuses) = _year(request), _statuses(request)
    actions = action_list(user=request.user, year=year, kinds=CAP_KINDS, statuses=statuses)
    if _wants_xlsx(request):
        ordered = actions.order_by("kind", "subject_name", "escalation__code", "pk")
        return _xlsx(ordered, filename=f"assessment-caps-{year}.xlsx", title=_("考核与任用限制"), spec=CAP_SPEC)
    by_kind: dict[str, list[Action]] = {kind: [] for kind in CAP_KINDS}
    for action in actions.order_by("subject_name", "escalation__code", "pk"):
        by_kind[action.kind].append(action)
    groups = [Group(str(ActionKind(kind).label), rows) for kind, rows in by_kind.items()]
    return render(request, "escalation/outputs/caps.html", _list_context(request, year, status, groups=groups))


# --- the chain of an action -----------------------------------------------------------------------


def chain_links(action: Action, *, user: Any, records: bool = True) -> list[dict[str, Any]]:
    """The action's triggers, each with what explains it: for a violation the records counted (when
    ``records``), the period, the subject and the rule with its duty; the finding, incident, case or
    rating otherwise (the template shows them)."""
    triggers = (
        ActionTrigger.objects.filter(action=action)
        .select_related(
            "violation__rule__duty",
            "violation__person",
            "violation__unit",
            "violation__place",
            "violation__household",
            "finding__duty",
            "finding__place",
            "finding__unit",
            "finding__person",
            "incident__village",
            "incident__team",
            "incident__person",
            "incident__unit",
            "case__place",
            "case__unit",
            "case__person",
            "case__membership__person",
            "rating__person",
        )
        .order_by("id")
    )
    links = []
    for trigger in triggers:
        link: dict[str, Any] = {
            "trigger": trigger,
            "kind_label": TriggerKind(trigger.kind).label if trigger.kind in TriggerKind.values else trigger.kind,
            "relation_label": Relation(trigger.relation).label if trigger.relation in Relation.values else "",
        }
        if violation := trigger.violation:
            rows, truncated, hidden = evidence_records(violation, user=user) if records else ([], False, 0)
            link |= {
                "violation": violation,
                "period": period_label(violation.period),
                "subject": subject_code_and_name(violation)[1],
                "records": rows,
                "truncated": truncated,
                "hidden": hidden,
            }
        links.append(link)
    return links


# --- the due process ------------------------------------------------------------------------------

_TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ConfirmForm(forms.Form):
    """确认: an optional note."""

    reason = forms.CharField(label=_("说明（可不填）"), required=False, widget=_TEXTAREA)


class HoldForm(forms.Form):
    """登记约谈: the date and the minutes (the service says when either is missing)."""

    held_on = forms.DateField(
        label=_("约谈日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    minutes = forms.CharField(label=_("约谈记录"), required=False, widget=_TEXTAREA)


class WaiveForm(forms.Form):
    """免予处理: the reason (the service requires it)."""

    reason = forms.CharField(label=_("免予处理理由"), required=False, widget=_TEXTAREA)


class RebutForm(forms.Form):
    """申辩: the text and an optional attachment."""

    text = forms.CharField(label=_("申辩理由"), required=False, widget=_TEXTAREA)
    attachment = forms.FileField(label=_("证明材料（可不附）"), required=False)


class RebuttalDecisionForm(forms.Form):
    """A reviewer's decision on a pending 申辩."""

    rebuttal = forms.IntegerField(widget=forms.HiddenInput)
    accepted = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("1", RebuttalStatus.ACCEPTED.label), ("0", RebuttalStatus.REJECTED.label)],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("审核意见"), required=False, widget=_TEXTAREA)


STEP_FORMS: dict[str, type[forms.Form]] = {
    "confirm": ConfirmForm,
    "hold": HoldForm,
    "waive": WaiveForm,
    "rebut": RebutForm,
    "decide": RebuttalDecisionForm,
}
#: Steps a reviewer takes (``can_decide``); ``rebut`` is the subject's (``can_rebut``).
DECIDER_STEPS = {"confirm", "hold", "waive", "decide"}


def _perform(step: str, *, user: Any, action: Action, data: dict[str, Any]) -> Any:
    """Call the service of ``step``; returns the message to show when it went through."""
    if step == "confirm":
        services.action_confirm(user=user, action=action, reason=data["reason"])
        return _("已确认该问责措施。")
    if step == "hold":
        services.action_hold(user=user, action=action, held_on=data["held_on"], minutes=data["minutes"])
        return _("已登记约谈情况。")
    if step == "waive":
        services.action_waive(user=user, action=action, reason=data["reason"])
        return _("已免予处理。")
    if step == "rebut":
        services.rebuttal_file(user=user, action=action, text=data["text"], attachment=data["attachment"])
        return _("申辩已提交。")
    rebuttal = get_object_or_404(Rebuttal, pk=data["rebuttal"], action=action)
    services.rebuttal_decide(user=user, rebuttal=rebuttal, accepted=data["accepted"], reason=data["reason"])
    return _("申辩已审核。")


def _action_context(request: HttpRequest, action: Action, bound: dict[str, forms.Form]) -> dict[str, Any]:
    user, today = request.user, timezone.localdate()
    may_decide, may_rebut = services.can_decide(user, action), services.can_rebut(user, action)
    status = action.status
    rebuttals = list(action.rebuttals.select_related("filed_by", "decided_by").order_by("filed_at", "pk"))
    show = {
        "confirm": may_decide and status in services.ALLOWED["confirm"],
        "hold": may_decide and action.kind == ActionKind.ADMONISH and status in services.ALLOWED["hold"],
        "waive": may_decide and status in services.ALLOWED["waive"],
        "rebut": may_rebut
        and today <= action.rebuttal_due
        and status not in (ActionStatus.WAIVED, ActionStatus.WITHDRAWN),
    }
    show |= {step: True for step in bound if step != "decide"}  # a refused form stays, with its errors
    decide = bound.get("decide")
    pending = []
    if may_decide:
        for rebuttal in rebuttals:
            if rebuttal.status != RebuttalStatus.PENDING or rebuttal.filed_by_id == user.pk:
                continue  # decided already, or filed by this user: someone else decides it
            mine = decide is not None and str(decide.data.get("rebuttal")) == str(rebuttal.pk)
            pending.append((rebuttal, decide if mine else RebuttalDecisionForm(initial={"rebuttal": rebuttal.pk})))
    forms_ = {step: bound.get(step) or form_class() for step, form_class in STEP_FORMS.items() if step != "decide"}
    return {
        "action": action,
        "subject": subject_of(action),
        "chain": chain_links(action, user=user),
        "decisions": action.decisions.select_related("user").order_by("at", "pk"),
        "rebuttals": rebuttals,
        "pending": pending,
        "decide_orphan": decide if decide is not None and all(form is not decide for _r, form in pending) else None,
        "show": show,
        "forms": forms_,
        "may_decide": may_decide,
        "may_rebut": may_rebut,
        "today": today,
    }


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An action and its whole chain, its due process, and the forms of the steps the user may take.

    ``POST`` with ``step`` (confirm, hold, waive, rebut, decide) calls that step's service."""
    action = get_object_or_404(action_list(user=request.user), pk=pk)
    bound: dict[str, forms.Form] = {}
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in STEP_FORMS:
            return HttpResponseBadRequest()
        if step in DECIDER_STEPS and not services.can_decide(request.user, action):
            raise PermissionDenied(Msg.REVIEW_NOT_ALLOWED)
        if step == "rebut" and not services.can_rebut(request.user, action):
            raise PermissionDenied(Msg.REBUTTAL_NOT_SUBJECT)
        form = STEP_FORMS[step](request.POST, request.FILES)
        if form.is_valid():
            try:
                # A 申辩 is a create: the same form posted twice files it once (the token of its form).
                submitted = submit_once(
                    request,
                    lambda: _perform(step, user=request.user, action=action, data=form.cleaned_data),
                    success_url=lambda done: reverse("escalation_outputs:action", args=[action.pk]),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if submitted.result is not None:
                    messages.success(request, submitted.result)
                return redirect(submitted.url)
        bound[step] = form
    return render(request, "escalation/outputs/action.html", _action_context(request, action, bound))


@login_required
def action_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """约谈通知书 of an admonish action, to print on A4 (404 for any other action)."""
    action = get_object_or_404(action_list(user=request.user), pk=pk, kind=ActionKind.ADMONISH)
    context = {
        "action": action,
        "subject": subject_of(action),
        "chain": chain_links(action, user=request.user, records=False),
        "today": timezone.localdate(),
    }
    return render(request, "escalation/outputs/notice.html", context)


@login_required
def rebuttal_attachment(request: HttpRequest, pk: int, rebuttal: int) -> FileResponse:
    """A 申辩's attachment, for users who may see the action (404 otherwise); never a public URL."""
    action = get_object_or_404(Action.objects.visible_to(request.user), pk=pk)
    found = get_object_or_404(Rebuttal.objects.exclude(attachment=""), pk=rebuttal, action=action)
    return FileResponse(found.attachment.open("rb"), as_attachment=True, filename=Path(found.attachment.name).name)
