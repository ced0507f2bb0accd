"""Pages of the villagecorps app: a cadre's own duty page, a team's week grid (confirmed by the team
leader in one go) and month calendar, a member's year card, the teams in scope, and a county's teams
with who is behind pace.

Thin views: lookups go through ``visible_to(request.user)`` (out of scope is 404), reads through
``villagecorps.selectors``, writes through ``villagecorps.services``; a service's ``ValidationError``
goes back onto the form or page, and nothing is saved.
"""

from __future__ import annotations

import datetime
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

from tiers.forms import attach_errors
from tiers.http import year_param
from tiers.submissions import submit_once
from villagecorps import importing, selectors, services
from villagecorps.forms import DayForm, parse_week
from villagecorps.messages import Msg
from villagecorps.models import Membership, Team

PAGE_SIZE = 50


#: Days a calendar may show: far enough from the ends of Python's dates that a week or a month on either
#: side still exists (``?start=9999-12-31`` overflowed into year 10000).
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 1)


def _day(value: str | None) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or EARLIEST <= day <= LATEST else None


def _month(value: str | None, today: datetime.date) -> datetime.date:
    """The first of the month asked for in ``?month=YYYY-MM``, this month by default."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return first if EARLIEST <= first <= LATEST else today.replace(day=1)


def _card_context(request: HttpRequest, person: Any, today: datetime.date) -> dict[str, Any]:
    year = year_param(request, today)
    card = selectors.member_card(membership_or_person=person, year=year, today=today, user=request.user)
    first = Membership.objects.filter(person=person).order_by("start").values_list("start", flat=True).first()
    return {"card": card, "year": year, "years": selectors.card_years(today=today, first=first)}


# --- a cadre's own days --------------------------------------------------------------------------


@login_required
def my_duty(request: HttpRequest) -> HttpResponse:
    """我的驻村: the logged-in cadre's year card and a small form to record one of their days."""
    today = timezone.localdate()
    person = selectors.person_of(user=request.user)
    if person is None:
        return render(request, "villagecorps/my_duty.html", {"person": None, "not_a_member": Msg.NOT_A_MEMBER})
    if request.method == "POST":
        form = DayForm(request.POST, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submitted = submit_once(
                    request,
                    lambda: services.self_record(
                        user=request.user, day=data["date"], kind=data["kind"], location=data["location"].strip()
                    ),
                    success_url=lambda day: reverse("villagecorps:my-duty"),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                if (day := submitted.result) is not None:
                    messages.success(
                        request,
                        _("已记录 %(date)s：%(kind)s")
                        % {"date": f"{day.date.month}月{day.date.day}日", "kind": day.get_kind_display()},
                    )
                return redirect(submitted.url)
    else:
        form = DayForm(today=today)
    context = _card_context(request, person, today)
    current = Membership.objects.filter(person=person).current_on(today).select_related("team").first()
    return render(
        request,
        "villagecorps/my_duty.html",
        context | {"person": person, "form": form, "current": current, "is_self": True},
    )


@login_required
def member_card(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's year card, for leaders and staff whose scope covers the membership. 404 otherwise."""
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("person", "team", "dispatching_unit"), pk=pk
    )
    today = timezone.localdate()
    context = _card_context(request, membership.person, today)
    return render(request, "villagecorps/member_card.html", context | {"membership": membership})


# --- teams ---------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams in the user's scope, 50 a page, with links to the counties' pace views."""
    today = timezone.localdate()
    teams = selectors.team_list(user=request.user, on=today)
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "villagecorps/team_list.html",
        {"page": page, "counties": selectors.county_choices(user=request.user)},
    )


def _team(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(Team.objects.visible_to(request.user).select_related("village"), pk=pk)


@login_required
def team_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's month (``?month=YYYY-MM``): members × days, read-only."""
    team = _team(request, pk)
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    grid = selectors.team_month(team=team, month=month, today=today, user=request.user)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (grid.end + datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "villagecorps/team_calendar.html",
        {
            "team": team,
            "grid": grid,
            "month": month,
            "previous": previous,
            "following": following if following <= today else None,
            "week_start": selectors.week_start_of(min(grid.end, today)),
        },
    )


@login_required
@permission_required("villagecorps.add_dutyday", raise_exception=True)
def team_week(request: HttpRequest, pk: int) -> HttpResponse:
    """The week grid (``?start=YYYY-MM-DD``, this week by default): the team leader confirms the whole
    team's week at once. All or nothing: a bad cell refuses the week, with every error listed."""
    team = _team(request, pk)
    today = timezone.localdate()
    start = selectors.week_start_of(_day(request.GET.get("start")) or today)
    grid = selectors.team_week(team=team, week_start=start, today=today, user=request.user)
    errors: list[str] = []
    if request.method == "POST":
        entries = parse_week(request.POST)
        errors = entries.errors
        if not errors:
            week_url = f"{reverse('villagecorps:team-week', args=[team.pk])}?start={start:%Y-%m-%d}"
            try:
                submitted = submit_once(
                    request,
                    lambda: services.week_confirm(
                        user=request.user, team=team, entries=entries.changes(grid.recorded())
                    ),
                    success_url=lambda saved: week_url,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                if submitted.result is not None:
                    messages.success(request, _("已确认本周考勤（%(n)d 天）") % {"n": entries.confirmed()})
                return redirect(submitted.url)
        grid = grid.with_values(entries.values)
    following = start + selectors.WEEK
    return render(
        request,
        "villagecorps/team_week.html",
        {
            "team": team,
            "grid": grid,
            "kinds": selectors.KINDS,
            "errors": errors,
            "previous": start - selectors.WEEK,
            "following": following if following <= today else None,
            "this_week": selectors.week_start_of(today),
        },
    )


@login_required
def county_teams(request: HttpRequest, code: str) -> HttpResponse:
    """A county's teams with each member's days and nights so far, who is behind pace first."""
    county = get_object_or_404(selectors.county_get(user=request.user, code=code))
    today = timezone.localdate()
    year = year_param(request, today)
    teams = selectors.county_teams(county=county, user=request.user, year=year, today=today)
    return render(
        request,
        "villagecorps/county_teams.html",
        {
            "county": county,
            "teams": teams,
            "year": year,
            "years": [today.year, today.year - 1],
            "behind": sum(t.behind for t in teams),
            "members": sum(len(t.members) for t in teams),
            "as_of": min(today, datetime.date(year, 12, 31)),
        },
    )


@login_required
@permission_required("villagecorps.add_dutyday", raise_exception=True)
def duty_import(request: HttpRequest) -> HttpResponse:
    """Import attendance kept elsewhere (.xlsx or .csv: 人员编码, 日期, 类别[, 位置]); all or nothing."""
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择要导入的文件。")]
        else:
            try:
                submitted = submit_once(
                    request,
                    lambda: importing.import_upload(user=request.user, upload=upload),
                    success_url=lambda count: reverse("villagecorps:duty-import"),
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                if submitted.result is not None:
                    messages.success(request, _("已导入 %(count)d 天驻村考勤。") % {"count": submitted.result})
                return redirect(submitted.url)
    return render(request, "villagecorps/duty_import.html", {"errors": errors})
