"""Signals submissions sends for apps above it (communication) to react to; submissions imports none of them.

submission_finished: sent after commit when a submission gets its first outcome (scored or failed),
with `submission_id` and `status`. Receivers connect from their AppConfig.ready().
"""

from __future__ import annotations

from django.dispatch import Signal

submission_finished = Signal()
