"""The responsibility catalogue as data: document, tiers, duties, frequency rules, escalations, policy.

Loaded by a data migration from ``tiers/catalogue/data_2019_33.py`` and editable in the admin; every
change to a rule, an escalation or a policy value is kept (who, when, what it was) by
django-simple-history.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers import choices
from tiers.messages import Msg


class Document(models.Model):
    """The issuing document of a catalogue version (e.g. 甘办发〔2019〕33号)."""

    code = models.CharField(_("文号"), max_length=50, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("印发机关"), max_length=200)
    issued_on = models.DateField(_("印发日期"))
    in_force_from = models.DateField(_("施行日期"))
    replaces = models.CharField(_("同时废止"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("清单文件")
        verbose_name_plural = _("清单文件")
        ordering = ["-in_force_from"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Tier(models.Model):
    """One of the ten tiers (sections 一 to 十) of the responsibility list."""

    document = models.ForeignKey(Document, models.PROTECT, related_name="tiers", verbose_name=_("清单文件"))
    code = models.CharField(_("编码"), max_length=3, validators=[RegexValidator(r"^T\d{2}$", Msg.TIER_CODE)])
    section = models.CharField(_("章节"), max_length=4)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    subject = models.TextField(_("责任主体"), blank=True)

    class Meta:
        verbose_name = _("责任层级")
        verbose_name_plural = _("责任层级")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["document", "code"], name="tier_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Duty(models.Model):
    """A numbered duty of a tier (e.g. 二(二) 指导督促), measurable or qualitative, with its text."""

    tier = models.ForeignKey(Tier, models.PROTECT, related_name="duties", verbose_name=_("责任层级"))
    code = models.CharField(_("编码"), max_length=6, validators=[RegexValidator(r"^D\d{2}\.\d$", Msg.DUTY_CODE)])
    clause = models.CharField(_("条款"), max_length=12)
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("条款原文"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任事项")
        verbose_name_plural = _("责任事项")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tier", "code"], name="duty_unique_code")]

    def __str__(self) -> str:
        return f"{self.clause} {self.title}"

    @property
    def measurable(self) -> bool:
        """True when at least one frequency rule counts this duty."""
        return self.rules.exists()


class Rule(models.Model):
    """A frequency rule (R02.1 … R10.3): what is counted for which subject, per period, against a minimum."""

    tier = models.ForeignKey(Tier, models.PROTECT, related_name="rules", verbose_name=_("责任层级"))
    duty = models.ForeignKey(Duty, models.PROTECT, related_name="rules", verbose_name=_("责任事项"))
    code = models.CharField(_("编码"), max_length=6, validators=[RegexValidator(r"^R\d{2}\.\d$", Msg.RULE_CODE)])
    clause = models.CharField(_("条款"), max_length=12)
    subject_kind = models.CharField(_("检查对象"), max_length=40, choices=choices.SubjectKind.choices)
    subject = models.CharField(_("检查对象说明"), max_length=200)
    counted = models.CharField(_("计数内容"), max_length=300)
    period = models.CharField(_("周期"), max_length=10, choices=choices.Period.choices)
    measure = models.CharField(_("度量"), max_length=12, choices=choices.Measure.choices)
    minimum = models.PositiveIntegerField(_("最低要求"), validators=[MinValueValidator(1, Msg.MINIMUM_POSITIVE)])
    minimum_by_rank = models.JSONField(
        _("按职级的最低要求"), default=dict, blank=True, help_text=_('如 {"bureau": 3}：地厅级 3 户')
    )
    unit = models.CharField(_("计量单位"), max_length=10, blank=True)
    pro_rated = models.BooleanField(_("按在岗时长折算"), default=True)
    deadline = models.CharField(
        _("期限（月-日）"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", Msg.DEADLINE_FORMAT)],
        help_text=_("须在周期内某日前完成时填写，如 03-31"),
    )
    note = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("频次规则")
        verbose_name_plural = _("频次规则")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tier", "code"], name="rule_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.counted}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.duty_id and self.tier_id and self.duty.tier_id != self.tier_id:
            errors["duty"] = Msg.RULE_DUTY_TIER
        if self.minimum_by_rank is None:  # an emptied box (the field is optional): no override
            self.minimum_by_rank = {}
        ranks = set(choices.Rank.values)
        if not isinstance(self.minimum_by_rank, dict) or any(
            key not in ranks or not isinstance(value, int) or value < 1
            for key, value in (self.minimum_by_rank or {}).items()
        ):
            errors["minimum_by_rank"] = Msg.MINIMUM_BY_RANK
        if self.period == choices.Period.POINT and self.pro_rated:
            errors["pro_rated"] = Msg.POINT_NOT_PRO_RATED
        if errors:
            raise ValidationError(errors)

    def minimum_for_rank(self, rank: str | None) -> int:
        """The minimum that applies to a subject of this rank (R05.3: 地厅级 3, others 2)."""
        return int(self.minimum_by_rank.get(rank or "", self.minimum))


class Escalation(models.Model):
    """An escalation rule (E03.1 … E00.1): what triggers it and which actions follow."""

    document = models.ForeignKey(Document, models.PROTECT, related_name="escalations", verbose_name=_("清单文件"))
    tier = models.ForeignKey(
        Tier, models.PROTECT, related_name="escalations", verbose_name=_("责任层级"), null=True, blank=True
    )
    code = models.CharField(_("编码"), max_length=6, validators=[RegexValidator(r"^E\d{2}\.\d$", Msg.ESCALATION_CODE)])
    clause = models.CharField(_("条款"), max_length=20)
    trigger = models.TextField(_("触发情形"))
    text = models.TextField(_("条款原文"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问责规则")
        verbose_name_plural = _("问责规则")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["document", "code"], name="escalation_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.trigger[:30]}"


class EscalationTrigger(models.Model):
    """One kind of trigger of an escalation: a rule's violation, a finding, an incident, …"""

    escalation = models.ForeignKey(Escalation, models.CASCADE, related_name="triggers", verbose_name=_("问责规则"))
    kind = models.CharField(_("触发类型"), max_length=20, choices=choices.TriggerKind.choices)
    relation = models.CharField(
        _("关联关系"), max_length=20, choices=choices.Relation.choices, default=choices.Relation.SELF
    )
    rules = models.ManyToManyField(Rule, blank=True, related_name="escalation_triggers", verbose_name=_("规则"))
    tiers = models.ManyToManyField(
        Tier, blank=True, related_name="escalation_triggers", verbose_name=_("被认定未履责的层级")
    )
    history = HistoricalRecords(m2m_fields=[rules, tiers])

    class Meta:
        verbose_name = _("触发条件")
        verbose_name_plural = _("触发条件")
        ordering = ["escalation", "id"]

    def __str__(self) -> str:
        return f"{self.escalation.code} {self.get_kind_display()}"


class EscalationAction(models.Model):
    """One action of an escalation, the bearer it falls on, and (for 约谈) convenor and targets by severity."""

    escalation = models.ForeignKey(Escalation, models.CASCADE, related_name="actions", verbose_name=_("问责规则"))
    action = models.CharField(_("措施"), max_length=20, choices=choices.ActionKind.choices)
    bearer = models.CharField(_("承担者"), max_length=20, choices=choices.Bearer.choices)
    convenor = models.CharField(_("约谈主体"), max_length=30, choices=choices.Convenor.choices, blank=True)
    targets = models.JSONField(_("约谈对象"), default=list, blank=True)
    min_severity = models.PositiveSmallIntegerField(
        _("最低严重程度"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    max_severity = models.PositiveSmallIntegerField(
        _("最高严重程度"), default=3, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    joint_liability = models.BooleanField(_("连带责任"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问责措施")
        verbose_name_plural = _("问责措施")
        ordering = ["escalation", "id"]

    def __str__(self) -> str:
        return f"{self.escalation.code} {self.get_action_display()} → {self.get_bearer_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.min_severity and self.max_severity and self.min_severity > self.max_severity:
            errors["max_severity"] = Msg.SEVERITY_RANGE
        if self.action == choices.ActionKind.ADMONISH and not self.convenor:
            errors["convenor"] = Msg.ADMONISH_NEEDS_CONVENOR
        if self.targets is None:  # an emptied box (the field is optional): no targets
            self.targets = []
        valid_targets = set(choices.Target.values)
        if not isinstance(self.targets, list) or any(t not in valid_targets for t in self.targets):
            errors["targets"] = Msg.TARGETS_INVALID
        elif self.action == choices.ActionKind.ADMONISH and not self.targets:
            errors["targets"] = Msg.ADMONISH_NEEDS_TARGETS
        if errors:
            raise ValidationError(errors)


class Policy(models.Model):
    """A value the document leaves open, set by the product as a default (spec: **policy**), editable."""

    key = models.SlugField(_("键"), max_length=60, unique=True)
    value = models.DecimalField(_("取值"), max_digits=10, decimal_places=2)
    description = models.CharField(_("说明"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
