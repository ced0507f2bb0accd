from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagecorpsConfig(AppConfig):
    """Tier 9: village-resident work teams."""

    name = "villagecorps"
    verbose_name = _("驻村帮扶工作队")
