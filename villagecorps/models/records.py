"""What is recorded about a stationed cadre: duty days, follow-up visits, insurance, rotation training."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tiers.choices import PlaceLevel
from tiers.models.base import Dated, DatedQuerySet
from tiers.scope import ScopedQuerySet
from tiers.validators import record_date_errors
from villagecorps.choices import DayKind, DaySource
from villagecorps.messages import Msg

LOCATION = RegexValidator(r"^-?\d{1,2}(\.\d+)?,\s*-?\d{1,3}(\.\d+)?$", Msg.LOCATION_FORMAT)


class MembershipRecordQuerySet(ScopedQuerySet):
    """Records of a membership, seen by the team's village, the dispatching unit or the member."""

    scope_place_paths = ("membership__team__village__path",)
    scope_units = ("membership__dispatching_unit",)
    scope_persons = ("membership__person",)


class DutyDay(models.Model):
    """How a stationed cadre spent one day (九(四)): one row per person and day, in the membership
    in force that day. Recording the day again replaces the row (the history keeps the old one), so
    a day is never counted twice, and a night is a kind of duty day, so nights never exceed days."""

    membership = models.ForeignKey(
        "villagecorps.Membership", models.PROTECT, related_name="duty_days", verbose_name=_("驻村干部")
    )
    person = models.ForeignKey("tiers.Person", models.PROTECT, related_name="duty_days", verbose_name=_("人员"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=15, choices=DayKind.choices)
    location = models.CharField(_("位置（可不填）"), max_length=40, blank=True, validators=[LOCATION])
    source = models.CharField(_("录入方式"), max_length=10, choices=DaySource.choices, default=DaySource.ADMIN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    recorded_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = MembershipRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻村考勤")
        verbose_name_plural = _("驻村考勤")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="duty_day_once_per_person")]
        # R09.1/R09.2 group by membership over a date range and count kinds: an index-only scan.
        indexes = [models.Index(fields=["membership", "date", "kind"], name="duty_day_membership_date_kind")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.person.name} {self.get_kind_display()}"

    def clean(self) -> None:
        errors = record_date_errors(self, "date")
        if self.location and LOCATION.regex.match(self.location):
            latitude, longitude = (float(part) for part in self.location.split(","))
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                errors["location"] = ValidationError(Msg.LOCATION_RANGE)
        if not errors.get("date") and self.membership_id and self.date:
            m = self.membership
            if self.date < m.start or (m.end and self.date > m.end):
                errors["date"] = ValidationError(
                    Msg.OUTSIDE_MEMBERSHIP,
                    params={
                        "date": f"{self.date:%Y-%m-%d}",
                        "person": m.person.name,
                        "start": f"{m.start:%Y-%m-%d}",
                        "end": f"{m.end:%Y-%m-%d}" if m.end else "今",
                    },
                )
        if errors:
            raise ValidationError(errors)


class FollowUpVisit(models.Model):
    """回访 (五(四)): the dispatching unit visits a cadre it stationed, once a quarter at least."""

    membership = models.ForeignKey(
        "villagecorps.Membership", models.PROTECT, related_name="follow_ups", verbose_name=_("驻村干部")
    )
    date = models.DateField(_("回访日期"))
    visitors = models.CharField(_("回访人员"), max_length=200)
    notes = models.TextField(_("了解的情况和解决的问题"), blank=True)
    history = HistoricalRecords()

    objects = MembershipRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("派出单位回访")
        verbose_name_plural = _("派出单位回访")
        ordering = ["-date"]
        indexes = [models.Index(fields=["membership", "date"], name="follow_up_membership_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 回访 {self.membership.person.name}"

    def clean(self) -> None:
        if errors := record_date_errors(self, "date"):
            raise ValidationError(errors)


class InsuranceQuerySet(DatedQuerySet, MembershipRecordQuerySet):
    pass


class InsuranceCover(Dated):
    """人身意外伤害保险 (五(四)) bought by the dispatching unit for a stationed cadre, ``start``–``end``."""

    membership = models.ForeignKey(
        "villagecorps.Membership", models.PROTECT, related_name="insurance", verbose_name=_("驻村干部")
    )
    insurer = models.CharField(_("保险公司"), max_length=100, blank=True)
    policy_number = models.CharField(_("保单号"), max_length=60, blank=True)
    history = HistoricalRecords()

    objects = InsuranceQuerySet.as_manager()

    class Meta:
        verbose_name = _("意外伤害保险")
        verbose_name_plural = _("意外伤害保险")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="cover_dates")
        ]

    def __str__(self) -> str:
        end = f"{self.end:%Y-%m-%d}" if self.end else ""
        return f"{self.membership.person.name} {self.start:%Y-%m-%d}—{end}"

    def clean(self) -> None:
        errors: dict = {**record_date_errors(self, future=("start", "end")), **self.clean_dates()}
        if not errors and self.membership_id:
            same = InsuranceCover.objects.filter(membership=self.membership)
            if other := same.exclude(pk=self.pk).overlapping(self.start, self.end).first():
                errors["__all__"] = ValidationError(Msg.COVER_OVERLAP, params={"other": str(other)})
        if errors:
            raise ValidationError(errors)


class TrainingQuerySet(ScopedQuerySet):
    """Training days seen by the county's staff, the village where the cadre is stationed (team leader,
    township clerk), the cadre's unit, or the cadre."""

    scope_place_paths = ("county__path", "person__memberships__team__village__path")
    scope_units = ("person__unit",)
    scope_persons = ("person",)


class TrainingDay(models.Model):
    """A day of the county's rotation training (轮训, 七(四)) attended by a village-resident cadre."""

    county = models.ForeignKey("tiers.Place", models.PROTECT, related_name="training_days", verbose_name=_("县"))
    person = models.ForeignKey("tiers.Person", models.PROTECT, related_name="training_days", verbose_name=_("驻村干部"))
    date = models.DateField(_("日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    history = HistoricalRecords()

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("轮训")
        verbose_name_plural = _("轮训")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="training_once_a_day")]
        indexes = [models.Index(fields=["county", "date"], name="training_county_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.person.name} {self.topic}"

    def clean(self) -> None:
        errors = record_date_errors(self, "date")
        if self.county_id and self.county.level != PlaceLevel.COUNTY:
            errors["county"] = ValidationError(Msg.TRAINING_COUNTY)
        if errors:
            raise ValidationError(errors)
