from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    """Judging uses challenges and submissions; neither imports it (see docs/architecture.md)."""

    name = "judging"
    verbose_name = _("Judging")
