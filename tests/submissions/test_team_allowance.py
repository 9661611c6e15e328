"""Changing teams brings no fresh allowance: an upload counts for its team and for its uploader."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from challenges import services as team_services
from hackplatform.refusals import Refusal
from submissions.models import Submission
from submissions.selectors import submission_usage
from submissions.services import submission_create
from tests.factories import TeamFactory, add_member, register

from .factories import open_phase, team_in, upload


def _upload(phase, user):
    return submission_create(phase=phase, user=user, file=upload(), received_at=timezone.now())


@pytest.mark.django_db
def test_it_refuses_a_user_who_used_the_total_limit_in_one_team_and_moved_to_another():
    phase = open_phase(total_limit=2)
    event = phase.challenge.event
    team_a = team_in(phase)
    mover = add_member(team_a)
    _upload(phase, mover)
    _upload(phase, mover)
    team_services.team_leave(team=team_a, user=mover)
    team_b = TeamFactory(event=event)
    team_services.team_join(team=team_b, user=mover, join_code=team_b.join_code)

    with pytest.raises(Refusal) as refused:
        _upload(phase, mover)
    assert refused.value.code == "total_limit_reached"
    with pytest.raises(Refusal):
        _upload(phase, team_b.captain)  # the whole team carries the mover's uploads
    assert submission_usage(phase=phase, team=team_b).total_left == 0
    assert Submission.objects.filter(team=team_b).count() == 0


@pytest.mark.django_db
def test_it_counts_the_movers_uploads_against_a_team_they_create_and_today():
    phase = open_phase(daily_limit=3)
    team_a = team_in(phase)
    mover = add_member(team_a)
    _upload(phase, mover)
    _upload(phase, mover)
    team_services.team_leave(team=team_a, user=mover)
    team_c = team_services.team_create(event=phase.challenge.event, user=mover, name="Fresh start", country="KE")
    usage = submission_usage(phase=phase, team=team_c)
    assert (usage.today_used, usage.today_left) == (2, 1)
    _upload(phase, mover)
    with pytest.raises(Refusal) as refused:
        _upload(phase, mover)
    assert refused.value.code == "daily_limit_reached"
    # The old team keeps counting what was made for it.
    assert submission_usage(phase=phase, team=team_a).today_used == 2


@pytest.mark.django_db
def test_uploads_in_another_phase_do_not_count():
    phase = open_phase(total_limit=1)
    other = open_phase(challenge=phase.challenge, total_limit=1)
    team_a = team_in(phase)
    mover = add_member(team_a)
    _upload(other, mover)
    team_services.team_leave(team=team_a, user=mover)
    team_b = TeamFactory(event=phase.challenge.event)
    add_member(team_b, mover)
    assert submission_usage(phase=phase, team=team_b).total_left == 1


class LeavesWhileArriving(SimpleUploadedFile):
    """An upload whose body is still arriving when its uploader leaves the team (from another tab)."""

    def __init__(self, *args, team, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._leave = lambda: team_services.team_leave(team=team, user=user)

    def chunks(self, chunk_size=None):
        if self._leave is not None:
            self._leave, leave = None, self._leave
            leave()
        yield from super().chunks(chunk_size)


@pytest.mark.django_db
def test_an_upload_whose_uploader_left_while_it_arrived_is_refused():
    """The membership is checked again under the team lock: a stale upload cannot land on the old team,
    where the mover's next team would not see it."""
    phase = open_phase(total_limit=5)
    team_a = team_in(phase)
    mover = add_member(team_a)
    file = LeavesWhileArriving("p.csv", upload().read(), content_type="text/csv", team=team_a, user=mover)
    with pytest.raises(Refusal) as refused:
        submission_create(phase=phase, user=mover, file=file, received_at=timezone.now())
    assert refused.value.code == "no_team"
    assert "no longer in this team" in refused.value.messages[0]
    assert not Submission.objects.filter(team=team_a).exists()


def _race(jobs) -> list[str]:
    """Run the jobs at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job) -> None:
        try:
            barrier.wait()
            job()
            outcome = "accepted"
        except Refusal as exc:
            outcome = exc.code
        except Exception as exc:  # a database error here is a bug
            outcome = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_by_a_mover_and_a_teammate_accept_only_what_the_mover_left():
    phase = open_phase(total_limit=3)
    event = phase.challenge.event
    team_a = team_in(phase)
    mover = add_member(team_a)
    _upload(phase, mover)
    _upload(phase, mover)
    team_services.team_leave(team=team_a, user=mover)
    team_b = TeamFactory(event=event)
    team_services.team_join(team=team_b, user=mover, join_code=team_b.join_code)
    mate = add_member(team_b)

    outcomes = _race([lambda u=(mover if i % 2 else mate): _upload(phase, u) for i in range(8)])
    assert outcomes.count("accepted") == 1, outcomes
    assert outcomes.count("total_limit_reached") == 7, outcomes
    assert Submission.objects.filter(team=team_b).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_join_racing_the_new_teams_uploads_never_lets_it_pass_its_limit():
    phase = open_phase(total_limit=2)
    event = phase.challenge.event
    team_a = team_in(phase)
    mover = add_member(team_a)
    _upload(phase, mover)
    _upload(phase, mover)
    team_services.team_leave(team=team_a, user=mover)
    team_b = TeamFactory(event=event)
    mate = register(event)
    team_services.team_join(team=team_b, user=mate, join_code=team_b.join_code)

    def join():
        team_services.team_join(team=team_b, user=mover, join_code=team_b.join_code)

    outcomes = _race([join] + [lambda: _upload(phase, mate) for _ in range(6)])
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    # Whatever the order, once the mover is in, the team's count (its uploads + the mover's 2) is at most 2
    # plus what it made before the join: uploads after the join are all refused.
    made_for_b = Submission.objects.filter(team=team_b).count()
    assert made_for_b <= 2
    assert submission_usage(phase=phase, team=team_b).total_used == made_for_b + 2
