"""A scorer for the real-worker tests, loaded through SCORING_EXTRA_SCORERS ("slow=tests.submissions.slow_scorer:SlowScorer").

It waits while the file named by HACKPLATFORM_TEST_HOLD exists (at most 60 s), so a test can catch a
job in the running state, kill its worker, then let the next attempt finish at once.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path


class SlowScorer:
    kind = "slow"
    primary_metric = "value"
    higher_is_better = True
    truth_columns = ("id",)
    submission_columns = ("id",)
    metric_descriptions = {"value": "Always 1 (a test scorer)."}
    default_params: dict = {}

    def score(self, truth, submission, params=None):
        hold = os.environ.get("HACKPLATFORM_TEST_HOLD")
        deadline = time.monotonic() + 60
        while hold and Path(hold).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return {"public": {"value": 1.0}, "private": {"value": 1.0}}


class StubbornScorer(SlowScorer):
    """Like SlowScorer, but deaf to Celery's soft time limit (as C code holding the GIL would be): only
    the hard limit, which kills the worker's child process, ends it."""

    kind = "stubborn"

    def score(self, truth, submission, params=None):
        hold = os.environ.get("HACKPLATFORM_TEST_HOLD")
        deadline = time.monotonic() + 60
        while hold and Path(hold).exists() and time.monotonic() < deadline:
            with contextlib.suppress(BaseException):  # the point: it ignores SoftTimeLimitExceeded
                time.sleep(0.1)
        return {"public": {"value": 1.0}, "private": {"value": 1.0}}
