from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    """Organisation tree (places, units, people, posts, assignments), roles and scope, the catalogue."""

    name = "tiers"
    verbose_name = _("组织体系与责任清单")

    def ready(self) -> None:
        from tiers import duty_figures  # noqa: F401  (registers the figure functions of tiers 2–8)
        from tiers.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="tiers.sync_role_groups")
