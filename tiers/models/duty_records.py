"""Duty records of tiers 2 to 8: meetings, study sessions, inspections, unit-leader visits, letters,
submissions (issue 5), and reviewers' findings on qualitative duties.

A record has one or more kinds; each kind counts for the rules it is linked to, so a joint meeting
entered once counts for every duty it satisfies.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers.messages import Msg
from tiers.scope import ScopedQuerySet
from tiers.validators import record_date_errors

ATTACHMENT_TYPES = ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"]
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_attachment_size(file: object) -> None:
    """Attachments are at most 10 MB."""
    if getattr(file, "size", 0) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(Msg.ATTACHMENT_TOO_BIG, params={"limit": ATTACHMENT_MAX_BYTES // (1024 * 1024)})


#: The first bytes of each allowed type: a file is what its content says, not what its name says.
ATTACHMENT_MAGIC = {
    "pdf": (b"%PDF",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_attachment_content(file: Any) -> None:
    """An attachment's content must be of the type its extension names (an .exe renamed .pdf is refused)."""
    extension = str(getattr(file, "name", "")).rsplit(".", 1)[-1].lower()
    expected = ATTACHMENT_MAGIC.get(extension)
    if not expected or getattr(file, "_committed", False):
        return  # the extension check reports unknown types; a stored file was checked when uploaded
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    if not head.startswith(expected):
        raise ValidationError(Msg.ATTACHMENT_CONTENT, params={"extension": extension})


class DutyRecordKind(models.Model):
    """A kind of duty record (e.g. 三级组长单位联席会议) and the rules a record of this kind counts for."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    clause = models.CharField(_("条款"), max_length=20)
    rules = models.ManyToManyField("tiers.Rule", related_name="record_kinds", verbose_name=_("计入的规则"))

    class Meta:
        verbose_name = _("履责记录类别")
        verbose_name_plural = _("履责记录类别")
        ordering = ["clause", "code"]

    def __str__(self) -> str:
        return f"{self.clause} {self.name}"


class DutyRecordQuerySet(ScopedQuerySet):
    """Records seen by a user: by the place they are about, the unit that held them (granted, seated in
    the user's subtree, or assisting one of its villages), or the person."""

    scope_place_paths = ("place__path", "unit__place__path", "unit__assisted_villages__village__path")
    scope_units = ("unit",)
    scope_persons = ("person",)


class DutyRecord(models.Model):
    """Something an organisation or leader did that the list requires: held a meeting, studied the work,
    inspected, visited a village, signed a letter, submitted a list — on a date, with participants."""

    kinds = models.ManyToManyField(DutyRecordKind, related_name="records", verbose_name=_("类别"))
    date = models.DateField(_("日期"))
    place = models.ForeignKey(
        "tiers.Place",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_records",
        verbose_name=_("所涉行政区划"),
        help_text=_("召开会议的市州、县、乡镇，联系县，或调研的帮扶村"),
    )
    unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, null=True, blank=True, related_name="duty_records", verbose_name=_("单位")
    )
    person = models.ForeignKey(
        "tiers.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_records",
        verbose_name=_("主持或调研的领导"),
    )
    title = models.CharField(_("标题"), max_length=200)
    participants = models.ManyToManyField(
        "tiers.Person", blank=True, related_name="attended_records", verbose_name=_("参加人员")
    )
    minutes = models.TextField(_("纪要"), blank=True)
    attachment = models.FileField(
        _("附件"),
        upload_to="duty-records/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_TYPES), validate_attachment_size, validate_attachment_content],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[kinds])

    objects = DutyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("履责记录")
        verbose_name_plural = _("履责记录")
        ordering = ["-date"]
        indexes = [
            models.Index(fields=["place", "date"], name="duty_record_place_date"),
            models.Index(fields=["unit", "date"], name="duty_record_unit_date"),
            models.Index(fields=["person", "date"], name="duty_record_person_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def clean(self) -> None:
        errors = record_date_errors(self, "date")
        if not (self.place_id or self.unit_id or self.person_id):
            errors["__all__"] = ValidationError(Msg.RECORD_NEEDS_SUBJECT)
        if errors:
            raise ValidationError(errors)


class FindingResult(models.TextChoices):
    MET = "met", _("已履行")
    FAILED = "failed", _("未履行")


class FindingQuerySet(ScopedQuerySet):
    scope_place_paths = ("place__path",)
    scope_units = ("unit",)
    scope_persons = ("person",)


class Finding(models.Model):
    """A reviewer's finding that a duty (often a qualitative one) was met or failed in a period."""

    duty = models.ForeignKey("tiers.Duty", models.PROTECT, related_name="findings", verbose_name=_("责任事项"))
    place = models.ForeignKey(
        "tiers.Place", models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("行政区划")
    )
    unit = models.ForeignKey(
        "tiers.Unit", models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("单位")
    )
    person = models.ForeignKey(
        "tiers.Person", models.PROTECT, null=True, blank=True, related_name="findings", verbose_name=_("个人")
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    result = models.CharField(_("结论"), max_length=10, choices=FindingResult.choices)
    evidence = models.TextField(_("依据"))
    attachment = models.FileField(
        _("附件"),
        upload_to="findings/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_TYPES), validate_attachment_size, validate_attachment_content],
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("认定人")
    )
    decided_at = models.DateTimeField(_("认定时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("履责认定")
        verbose_name_plural = _("履责认定")
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return f"{self.duty} {self.get_result_display()}"

    def clean(self) -> None:
        # The period reviewed began in the past; it may end ahead (a finding on this year's duties).
        errors = record_date_errors(self, "period_start", future=("period_end",))
        if not errors and self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = ValidationError(Msg.DATES_ORDER)
        if not (self.place_id or self.unit_id or self.person_id):
            errors["__all__"] = ValidationError(Msg.RECORD_NEEDS_SUBJECT)
        if errors:
            raise ValidationError(errors)
