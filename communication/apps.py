from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "communication"
    verbose_name = _("Announcements and notifications")

    def ready(self):
        """Listen to the lower apps' signals and fill their page hooks (they never import communication)."""
        from challenges import hooks as challenge_hooks
        from submissions import hooks as submission_hooks

        from . import receivers

        submission_hooks.submission_finished.connect(
            receivers.on_submission_finished, dispatch_uid="communication.submission_finished"
        )
        challenge_hooks.results_published.connect(
            receivers.on_results_published, dispatch_uid="communication.results_published"
        )
        challenge_hooks.judges_assigned.connect(
            receivers.on_judges_assigned, dispatch_uid="communication.judges_assigned"
        )
        if receivers.scoring_alerts_panel not in challenge_hooks.dashboard_panels:
            challenge_hooks.dashboard_panels.append(receivers.scoring_alerts_panel)
        for banner in (receivers.announcement_banner, receivers.board_link):
            if banner not in challenge_hooks.event_banners:
                challenge_hooks.event_banners.append(banner)
