from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions and leaderboards")

    def ready(self):
        """Fill challenges' extension points (challenges never imports submissions)."""
        from django.conf import settings

        from challenges import hooks

        from .scoring import registry
        from .selectors import phase_remaining
        from .views import submissions_over_time_panel

        registry.use_extra_entries(lambda: settings.SCORING_EXTRA_SCORERS)
        hooks.phase_remaining_provider.register(phase_remaining)
        if submissions_over_time_panel not in hooks.dashboard_panels:
            hooks.dashboard_panels.append(submissions_over_time_panel)
        from .rules import primary_metric

        hooks.truth_validator.register(validate_truth)
        hooks.ranking_rule.register(primary_metric)
        from .texts import metric_label

        hooks.metric_labeler.register(metric_label)
        hooks.team_changed.connect(refresh_team_copies, dispatch_uid="submissions.refresh_team_copies")


def refresh_team_copies(sender, team, changed, **kwargs) -> None:
    """A renamed team (or a new country) must show as such on the leaderboards, which copy both."""
    if changed & {"name", "country"}:
        from .services import leaderboards_refresh_for_team

        leaderboards_refresh_for_team(team=team)


def validate_truth(kind: str, fileobj, params: dict | None) -> None:
    """Check an organizer's truth file with the scorer of its kind (raises ScoringValidationError)."""
    try:
        from submissions.scoring import validate_truth as scoring_validate_truth
    except ImportError:
        return
    from .rules import scorer_only

    scoring_validate_truth(kind, fileobj, params=scorer_only(params))
