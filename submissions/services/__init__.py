"""Writes of the submissions app, one module per concern (the test files mirror them):

- `uploads`: accepting an upload (window, file, team, limits under the team-row lock) and sending its job,
- `scoring`: scoring one submission (claim, score, store, notify),
- `sweeper`: recovering lost or stuck jobs,
- `actions`: re-score, cancel, mark final,
- `leaderboards`: rebuilding a phase's leaderboard from the source rows.

Every function that changes a submission's status does it with a conditional update (the row must
still be in the state the function expects), so two workers, a sweeper and an organizer acting at
the same moment can never both win, and running any of them twice is harmless.

Callers import from `submissions.services`; the names below are its public surface.
"""

from __future__ import annotations

from .actions import phase_rescore, submission_cancel, submission_mark_final, submission_rescore
from .leaderboards import leaderboard_rebuild, leaderboard_update_for, leaderboards_refresh_for_team
from .scoring import (
    lease_heartbeat,
    lease_length,
    lease_renew,
    submission_email_text,
    submission_notify,
    submission_score,
)
from .sweeper import (
    max_attempts,
    queued_lost_after,
    queued_stale_after,
    running_stale_after,
    submissions_sweep,
    waiting_in_broker,
)
from .uploads import (
    file_too_large,
    judged_challenge_refusal,
    send_scoring_job,
    submission_create,
    team_size_refusal,
    upload_allowance,
)

__all__ = [
    "file_too_large",
    "judged_challenge_refusal",
    "leaderboard_rebuild",
    "lease_heartbeat",
    "lease_length",
    "lease_renew",
    "leaderboard_update_for",
    "leaderboards_refresh_for_team",
    "max_attempts",
    "phase_rescore",
    "queued_lost_after",
    "queued_stale_after",
    "running_stale_after",
    "waiting_in_broker",
    "send_scoring_job",
    "submission_cancel",
    "submission_create",
    "submission_mark_final",
    "submission_email_text",
    "submission_notify",
    "submission_rescore",
    "submission_score",
    "submissions_sweep",
    "team_size_refusal",
    "upload_allowance",
]
