from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    """Event bundles (export an event's set-up as YAML or a zip, import it as a new event). The top layer:
    it reads and writes challenges, judging and communication; nothing imports it."""

    name = "bundles"
    verbose_name = _("Event bundles")
