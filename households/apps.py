from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    """Tier 10: households, pairings, plans, visits and deeds; figures of R05.3 and R10.x."""

    name = "households"
    verbose_name = _("帮扶户与帮扶责任人")

    def ready(self) -> None:
        from households import figures  # noqa: F401  (registers the figure functions)
        from households.models import Pairing
        from tiers.selectors import PERSON_SOURCES

        PERSON_SOURCES.append(lambda user: Pairing.objects.visible_to(user).values("helper"))
