"""Signals submissions sends for apps above it (communication) to react to; submissions imports none of them.

picture_viewers: callables `(user, submission) -> bool` that apps above submissions append from their
AppConfig.ready() to let more people than the team and the organizers see a scored submission's
picture (judging: the judges assigned to an entry that stands on it).

submission_finished: sent after commit when a submission gets its first outcome (scored or failed),
with `submission_id` and `status`. Receivers connect from their AppConfig.ready().
"""

from __future__ import annotations

from django.dispatch import Signal

submission_finished = Signal()

picture_viewers: list = []
