from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagecorpsConfig(AppConfig):
    """Tier 9: village-resident work teams; figures of R09.1, R09.2, R05.5, R05.6 and R07.4."""

    name = "villagecorps"
    verbose_name = _("驻村帮扶工作队")

    def ready(self) -> None:
        from tiers.selectors import PERSON_SOURCES
        from villagecorps import figures  # noqa: F401  (registers the figure functions)
        from villagecorps.models import Membership

        PERSON_SOURCES.append(lambda user: Membership.objects.visible_to(user).values("person"))
