"""Notification texts stored as a code and parameters (hackplatform.texts), rendered for the reader."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from hackplatform.texts import Catalogue

TITLES = Catalogue(
    "communication.title",
    {
        "submission_scored": _("Your submission to %(challenge)s was scored"),
        "submission_failed": _("Your submission to %(challenge)s could not be scored"),
        "submission_failed_platform": _("Your submission to %(challenge)s could not be scored"),
        "scoring_alert": _("%(challenge)s: a submission could not be scored because of a platform problem"),
        "judge_assigned": _("%(event)s: entries to judge"),
        "results_published": _("Results of %(challenge)s (%(phase)s) are published"),
        "phase_opens": _("%(challenge)s: %(phase)s opens soon"),
        "phase_closes": _("%(challenge)s: %(phase)s closes soon"),
        "join_to_team": _("%(user)s asks to join %(team)s"),
        "join_to_person": _("%(team)s invites you to join"),
        "join_accepted": _("%(team)s: a join request was accepted"),
        "join_declined": _("%(team)s: a join request was declined"),
    },
)

BODIES = Catalogue(
    "communication.body",
    {
        "submission_scored": _("Your file %(file)s for %(phase)s was scored. See its scores on the submission page."),
        "submission_failed": _("Your file %(file)s for %(phase)s was not scored. The submission page says why."),
        "submission_failed_platform": _(
            "Your file %(file)s for %(phase)s was not scored because of a problem on our side, not with your "
            "file. It does not count towards your limits. The organizers have been told and can re-score it."
        ),
        # %(reason)s is the failure's message, rendered when read (see selectors.notification_text).
        "scoring_alert": _(
            "Submission %(submission)s of %(team)s (%(file)s, %(phase)s) failed: %(reason)s Fix the cause, then "
            "re-score it from its page. The event's dashboard lists such failures until they are re-scored."
        ),
        "judge_assigned": ngettext_lazy(
            "You have %(n)s new entry to judge in %(event)s. Your judging queue lists it.",
            "You have %(n)s new entries to judge in %(event)s. Your judging queue lists them.",
            "n",
        ),
        "results_published": _("The organizers published the final leaderboard of %(phase)s."),
        # %(moment)s is filled in when read, in the reader's time zone (see selectors.notification_text).
        "phase_opens": _("%(phase)s of %(challenge)s opens at %(moment)s."),
        "phase_closes": _("%(phase)s of %(challenge)s closes at %(moment)s. Submit before then."),
        "join_to_team": _("%(user)s wrote: %(message)s"),
        "join_to_person": _("%(team)s wrote: %(message)s"),
        "join_accepted": _("%(user)s is now a member of %(team)s."),
        "join_declined": _("The request between %(user)s and %(team)s was declined."),
    },
)

# Appended to the uploader's email about a failure on the platform's side: true because the organizers'
# notification and email are written in the same transaction, before the uploader's.
PLATFORM_TOLD = _("The organizers have been told.")
