from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions and leaderboards")

    def ready(self):
        """Fill challenges' extension points (challenges never imports submissions)."""
        from challenges import hooks

        from .selectors import phase_remaining
        from .views import submissions_over_time_panel

        hooks.phase_remaining_provider.register(phase_remaining)
        if submissions_over_time_panel not in hooks.dashboard_panels:
            hooks.dashboard_panels.append(submissions_over_time_panel)
        truth_validator = getattr(hooks, "truth_validator", None)
        if truth_validator is not None:
            truth_validator.register(validate_truth)


def validate_truth(kind: str, fileobj, params: dict | None) -> None:
    """Check an organizer's truth file with the scorer of its kind (raises ScoringValidationError)."""
    try:
        from submissions.scoring import validate_truth as scoring_validate_truth
    except ImportError:
        return
    scoring_validate_truth(kind, fileobj, params=params)
