"""Read-only JSON API of the catalogue: ``GET /api/v1/catalogue/``."""

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tiers import models


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Tier
        fields = ["code", "section", "name", "name_en", "subject"]


class DutySerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.code")

    class Meta:
        model = models.Duty
        fields = ["code", "clause", "tier", "title", "text"]


class RuleSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.code")
    duty = serializers.CharField(source="duty.code")

    class Meta:
        model = models.Rule
        fields = [
            "code",
            "clause",
            "tier",
            "duty",
            "subject_kind",
            "subject",
            "counted",
            "period",
            "measure",
            "minimum",
            "minimum_by_rank",
            "unit",
            "pro_rated",
            "deadline",
            "active",
        ]


class EscalationTriggerSerializer(serializers.ModelSerializer):
    rules = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    tiers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = models.EscalationTrigger
        fields = ["kind", "relation", "rules", "tiers"]


class EscalationActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.EscalationAction
        fields = [
            "action",
            "bearer",
            "convenor",
            "targets",
            "min_severity",
            "max_severity",
            "joint_liability",
        ]


class EscalationSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.code", default=None)
    triggers = EscalationTriggerSerializer(many=True)
    actions = EscalationActionSerializer(many=True)

    class Meta:
        model = models.Escalation
        fields = ["code", "clause", "tier", "trigger", "triggers", "actions"]


class CatalogueView(APIView):
    """The catalogue in force: document, tiers, duties, rules and escalations (read-only)."""

    def get(self, request: Request) -> Response:
        document = models.Document.objects.order_by("-in_force_from").first()
        tiers = models.Tier.objects.filter(document=document).order_by("code")
        duties = models.Duty.objects.filter(tier__document=document).select_related("tier").order_by("code")
        rules = models.Rule.objects.filter(tier__document=document).select_related("tier", "duty").order_by("code")
        escalations = (
            models.Escalation.objects.filter(document=document)
            .select_related("tier")
            .prefetch_related("actions", "triggers__rules", "triggers__tiers")
            .order_by("code")
        )
        return Response(
            {
                "document": {
                    "code": document.code,
                    "title": document.title,
                    "issued_on": document.issued_on,
                    "in_force_from": document.in_force_from,
                }
                if document
                else None,
                "tiers": TierSerializer(tiers, many=True).data,
                "duties": DutySerializer(duties, many=True).data,
                "rules": RuleSerializer(rules, many=True).data,
                "escalations": EscalationSerializer(escalations, many=True).data,
            }
        )
