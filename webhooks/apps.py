from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        """Listen to the lower apps' signals (they never import webhooks)."""
        from challenges import hooks as challenge_hooks
        from submissions import hooks as submission_hooks

        from . import receivers

        submission_hooks.submission_finished.connect(
            receivers.on_submission_finished, dispatch_uid="webhooks.submission_finished"
        )
        challenge_hooks.results_published.connect(
            receivers.on_results_published, dispatch_uid="webhooks.results_published"
        )
