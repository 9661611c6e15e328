from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    """Judging uses challenges and submissions; neither imports it (see docs/architecture.md)."""

    name = "judging"
    verbose_name = _("Judging")

    def ready(self):
        from submissions import hooks

        if judge_sees_picture not in hooks.picture_viewers:
            hooks.picture_viewers.append(judge_sees_picture)


def judge_sees_picture(user, submission) -> bool:
    """A judge assigned to an entry that stands on `submission` sees its picture, as the team does."""
    from .models import Assignment

    return Assignment.objects.filter(judge=user, entry__submission_id=submission.pk).exists()
