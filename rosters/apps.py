"""The rosters app: bulk import of organisations, people, teams, households and pairings from Excel."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rosters"
    verbose_name = _("花名册导入")
