"""Concurrent uploads at the limit: exactly the remaining number is accepted, on a real database file."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from hackplatform.refusals import Refusal
from submissions.models import Submission
from submissions.services import submission_create
from tests.factories import add_member

from .factories import SubmissionFactory, open_phase, team_in, upload


def _race(phase, users, n: int, *, key=None) -> list[str]:
    """n uploads released at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        try:
            barrier.wait()
            submission_create(
                phase=phase,
                user=users[i % len(users)],
                file=upload(),
                received_at=timezone.now(),
                idempotency_key=key(i) if key else "",
            )
            outcome = "accepted"
        except Refusal as exc:
            outcome = exc.code
        except Exception as exc:  # a database error here is the bug this test exists to catch
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_at_the_daily_limit_accept_exactly_the_remaining_number():
    phase = open_phase(daily_limit=5)
    team = team_in(phase)
    members = [team.captain, add_member(team), add_member(team)]
    SubmissionFactory(phase=phase, team=team)
    SubmissionFactory(phase=phase, team=team)  # 3 left today
    outcomes = _race(phase, members, 10)
    assert sorted(outcomes).count("accepted") == 3, outcomes
    assert sorted(outcomes).count("daily_limit_reached") == 7, outcomes
    assert Submission.objects.filter(phase=phase, team=team).count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_make_one_submission():
    phase = open_phase()
    team = team_in(phase)
    outcomes = _race(phase, [team.captain], 6, key=lambda i: "same-key")
    assert outcomes.count("accepted") == 6, outcomes  # every retry answers with the one submission
    assert Submission.objects.filter(team=team).count() == 1


def test_the_database_is_a_file_or_a_server_so_threads_share_it():
    assert connection.vendor != "sqlite" or connection.settings_dict["TEST"]["NAME"]
