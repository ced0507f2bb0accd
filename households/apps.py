from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    """Tier 10: households and their helpers."""

    name = "households"
    verbose_name = _("帮扶户与帮扶责任人")
