"""The escalation engine's records: what triggers escalations besides violations (incidents,
inspection cases, annual ratings), the actions the engine proposes, the triggers that explain each,
the decisions of its due process, and the subject's 申辩 (rebuttal)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accountability.choices import ActionStatus, CaseKind, RatingGrade, RebuttalStatus
from accountability.messages import Msg
from tiers.choices import ActionKind, Bearer, Convenor, PlaceLevel, TriggerKind
from tiers.models.duty_records import ATTACHMENT_TYPES, validate_attachment_content, validate_attachment_size
from tiers.scope import ScopedQuerySet
from tiers.validators import record_date_errors

_USER = settings.AUTH_USER_MODEL


class IncidentQuerySet(ScopedQuerySet):
    scope_place_paths = ("village__path",)
    scope_units = ("unit",)
    scope_persons = ("person",)


class Incident(models.Model):
    """重大涉贫事件: a major poverty-related incident in a village, and whom it is attributed to."""

    village = models.ForeignKey("tiers.Place", models.PROTECT, related_name="+", verbose_name=_("发生村"))
    date = models.DateField(_("发生日期"))
    description = models.TextField(_("事件经过及不良影响"))
    team = models.ForeignKey(
        "villagecorps.Team", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任工作队")
    )
    person = models.ForeignKey(
        "tiers.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当事人"),
        help_text=_("因其工作失误造成事件的驻村干部或帮扶责任人"),
    )
    unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任帮扶单位")
    )
    recorded_by = models.ForeignKey(
        _USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("重大涉贫事件")
        verbose_name_plural = _("重大涉贫事件")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.village.name} {self.description[:20]}"

    def clean(self) -> None:
        errors = record_date_errors(self, "date")
        if self.village_id and self.village.level != PlaceLevel.VILLAGE:
            errors["village"] = ValidationError(Msg.INCIDENT_VILLAGE)
        elif self.team_id and self.village_id and self.team.village_id != self.village_id:
            errors["team"] = ValidationError(Msg.INCIDENT_TEAM)
        if errors:
            raise ValidationError(errors)


class CaseQuerySet(ScopedQuerySet):
    scope_place_paths = (
        "place__path",
        "membership__team__village__path",
        "unit__place__path",
        "person__unit__place__path",
        "person__memberships__team__village__path",
    )
    scope_units = ("unit", "person__unit")
    scope_persons = ("person",)


class Case(models.Model):
    """An inspection's finding of 弄虚作假 (falsification) or of serious consequences, naming its subject:
    a body (prefecture, county, township), a unit, a stationed cadre or a person."""

    kind = models.CharField(_("类型"), max_length=15, choices=CaseKind.choices, default=CaseKind.FALSIFICATION)
    date = models.DateField(_("认定日期"))
    inspection = models.CharField(_("检查或核查"), max_length=200)
    description = models.TextField(_("认定事实"))
    place = models.ForeignKey(
        "tiers.Place", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("市县乡党委政府")
    )
    unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    membership = models.ForeignKey(
        "villagecorps.Membership", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("驻村干部")
    )
    person = models.ForeignKey(
        "tiers.Person", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("帮扶责任人或其他个人")
    )
    recorded_by = models.ForeignKey(
        _USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("核查认定")
        verbose_name_plural = _("核查认定")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.description[:20]}"

    def clean(self) -> None:
        errors = record_date_errors(self, "date")
        named = [f for f in ("place", "unit", "membership", "person") if getattr(self, f"{f}_id")]
        if len(named) != 1:
            errors["__all__"] = ValidationError(Msg.CASE_ONE_SUBJECT)
        elif self.place_id and self.place.level not in (PlaceLevel.PREFECTURE, PlaceLevel.COUNTY, PlaceLevel.TOWNSHIP):
            errors["place"] = ValidationError(Msg.CASE_PLACE_LEVEL)
        if errors:
            raise ValidationError(errors)


class RatingQuerySet(ScopedQuerySet):
    scope_place_paths = ("person__unit__place__path", "person__memberships__team__village__path")
    scope_units = ("person__unit",)
    scope_persons = ("person",)


class Rating(models.Model):
    """A cadre's annual assessment grade; 不称职 of a stationed cadre triggers E09.2."""

    person = models.ForeignKey("tiers.Person", models.PROTECT, related_name="+", verbose_name=_("干部"))
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=12, choices=RatingGrade.choices)
    recorded_by = models.ForeignKey(
        _USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "person__code"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="rating_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.person.name} {self.get_grade_display()}"


class ActionQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)
    scope_units = ("unit",)
    scope_persons = ("person", "targets__person")


class Action(models.Model):
    """An action the list prescribes (约谈, award ban, assessment cap, promotion ban, replacement,
    referral) for one bearer in one year, proposed by the engine and decided by a reviewer.

    Keyed by escalation rule × action × bearer × slot × subject × year and upserted by every
    computation; a reviewer's decision is never overwritten, and an action whose triggers went away
    is withdrawn, not deleted. ``slot`` separates actions of the same rule, kind and bearer that
    apply together (E09.2: the dispatching unit's leader is summoned by the group-leader unit and by
    the county leading group); a ladder of convenors by severity (E05.1, E07.1) is one slot.
    """

    escalation = models.ForeignKey("tiers.Escalation", models.PROTECT, related_name="+", verbose_name=_("问责规则"))
    measure = models.ForeignKey(
        "tiers.EscalationAction", models.PROTECT, related_name="+", verbose_name=_("适用的问责措施")
    )
    kind = models.CharField(_("措施"), max_length=20, choices=ActionKind.choices)
    bearer = models.CharField(_("承担者类型"), max_length=20, choices=Bearer.choices)
    slot = models.CharField(_("措施序列"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    subject_key = models.CharField(_("承担者标识"), max_length=40)
    unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    place = models.ForeignKey(
        "tiers.Place", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("地区")
    )
    person = models.ForeignKey(
        "tiers.Person", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("个人")
    )
    membership = models.ForeignKey(
        "villagecorps.Membership", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("驻村干部")
    )
    team = models.ForeignKey(
        "villagecorps.Team", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("工作队")
    )
    subject_name = models.CharField(_("承担者"), max_length=200)
    severity = models.PositiveSmallIntegerField(_("严重程度"))
    joint_liability = models.BooleanField(_("连带责任"), default=False)
    convenor = models.CharField(_("约谈主体类型"), max_length=30, choices=Convenor.choices, blank=True)
    convenor_name = models.CharField(_("约谈主体"), max_length=200, blank=True)
    trigger_date = models.DateField(_("触发日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PROPOSED)
    rebuttal_due = models.DateField(_("申辩截止日期"))
    held_on = models.DateField(_("约谈日期"), null=True, blank=True)
    minutes = models.TextField(_("约谈记录"), blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(
        _USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("决定人")
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    triggers_gone = models.BooleanField(_("触发情形已消除"), default=False)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责措施")
        verbose_name_plural = _("问责措施")
        ordering = ["year", "escalation__code", "subject_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["escalation", "kind", "bearer", "slot", "subject_key", "year"], name="action_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.escalation.code} {self.get_kind_display()} {self.subject_name}"


class ActionTarget(models.Model):
    """A person summoned to a 约谈, holding the named post on the trigger date."""

    action = models.ForeignKey(Action, models.CASCADE, related_name="targets", verbose_name=_("问责措施"))
    person = models.ForeignKey("tiers.Person", models.PROTECT, related_name="+", verbose_name=_("约谈对象"))
    role = models.CharField(_("身份"), max_length=60)

    class Meta:
        verbose_name = _("约谈对象")
        verbose_name_plural = _("约谈对象")
        constraints = [models.UniqueConstraint(fields=["action", "person"], name="action_target_once")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.role}）"


class ActionTrigger(models.Model):
    """One trigger of an action — a violation, a finding, an incident, a case or a rating — with the
    relation that carries it to the bearer: the first links of the action's chain of evidence."""

    action = models.ForeignKey(Action, models.CASCADE, related_name="triggers", verbose_name=_("问责措施"))
    kind = models.CharField(_("触发类型"), max_length=20, choices=TriggerKind.choices)
    relation = models.CharField(_("关联关系"), max_length=20)
    violation = models.ForeignKey(
        "accountability.Violation", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("违规")
    )
    finding = models.ForeignKey(
        "tiers.Finding", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("履责认定")
    )
    incident = models.ForeignKey(
        Incident, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("重大涉贫事件")
    )
    case = models.ForeignKey(Case, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("核查认定"))
    rating = models.ForeignKey(
        Rating, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("年度考核")
    )
    summary = models.CharField(_("摘要"), max_length=300)

    class Meta:
        verbose_name = _("触发依据")
        verbose_name_plural = _("触发依据")
        ordering = ["action", "id"]

    def __str__(self) -> str:
        return self.summary


class ActionDecision(models.Model):
    """A step of an action's due process: who moved it from one status to another, when and why."""

    action = models.ForeignKey(Action, models.CASCADE, related_name="decisions", verbose_name=_("问责措施"))
    from_status = models.CharField(_("原状态"), max_length=10, choices=ActionStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ActionStatus.choices)
    user = models.ForeignKey(_USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("处理记录")
        verbose_name_plural = _("处理记录")
        ordering = ["action", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Rebuttal(models.Model):
    """申辩: the subject's answer to an action, with evidence, filed within the policy's days, decided
    by a reviewer (accepted: the action is waived)."""

    action = models.ForeignKey(Action, models.CASCADE, related_name="rebuttals", verbose_name=_("问责措施"))
    text = models.TextField(_("申辩理由"))
    attachment = models.FileField(
        _("证明材料"),
        upload_to="rebuttals/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_TYPES), validate_attachment_size, validate_attachment_content],
    )
    filed_by = models.ForeignKey(_USER, models.PROTECT, related_name="+", verbose_name=_("申辩人"))
    filed_at = models.DateTimeField(_("申辩时间"), default=timezone.now)
    status = models.CharField(
        _("审核结论"), max_length=10, choices=RebuttalStatus.choices, default=RebuttalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        _USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审核人")
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.TextField(_("审核意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("申辩")
        verbose_name_plural = _("申辩")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.action} 申辩（{self.get_status_display()}）"
