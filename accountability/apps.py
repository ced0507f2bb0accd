from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    """The engines: compliance runs, violations and escalations (later issues)."""

    name = "accountability"
    verbose_name = _("问责与考核")
