"""Scoring in the background: claim, score, store under a unique key, fail with a readable message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from submissions import services
from submissions.models import LeaderboardEntry, ScoreResult, Submission
from submissions.services import submission_score
from submissions.tasks import score_submission
from tests.factories import UserFactory, make_organizer

from .factories import DETECTION_TRUTH, MALFORMED_CSV, SubmissionFactory, detection_csv, open_phase, team_in

pytestmark = pytest.mark.django_db
Status = Submission.Status


def test_a_valid_file_ends_scored_with_both_splits_stored_under_a_unique_key(django_capture_on_commit_callbacks):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        assert score_submission.delay(submission.pk).get() == "scored"
    submission.refresh_from_db()
    assert submission.status == Status.SCORED
    assert submission.scores["public"]["average_precision"] == pytest.approx(1.0)
    assert set(submission.scores) == {"public", "private"}
    assert submission.public_score == pytest.approx(1.0) and submission.private_score == pytest.approx(1.0)
    assert submission.attempts == 1 and submission.scored_at is not None and submission.error == ""
    assert ScoreResult.objects.get(submission=submission, truth_version=1).scores == submission.scores
    assert LeaderboardEntry.objects.filter(phase=phase, submission=submission).count() == 2


def test_a_malformed_file_ends_failed_with_a_message_naming_the_line(django_capture_on_commit_callbacks):
    submission = SubmissionFactory(phase=open_phase(), file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_score(submission_id=submission.pk) == "failed"
    submission.refresh_from_db()
    assert submission.status == Status.FAILED
    assert submission.error.startswith("Your file was not accepted: line 3")
    assert submission.counts_toward_limit is True  # whether it counts is the phase's setting, applied when counting
    assert not ScoreResult.objects.exists()
    assert not LeaderboardEntry.objects.exists()


def test_running_the_job_twice_is_harmless():
    submission = SubmissionFactory(phase=open_phase())
    assert submission_score(submission_id=submission.pk) == "scored"
    assert submission_score(submission_id=submission.pk) == "skipped"
    submission.refresh_from_db()
    assert submission.attempts == 1
    assert ScoreResult.objects.count() == 1


def test_a_job_for_a_submission_that_does_not_exist_does_nothing():
    assert submission_score(submission_id=987654) == "skipped"


def test_a_job_over_its_soft_time_limit_ends_failed_with_the_reason(monkeypatch, settings):
    settings.SCORING_SOFT_TIME_LIMIT = 300

    def too_slow(submission):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services.scoring, "_run_scorer", too_slow)
    submission = SubmissionFactory(phase=open_phase())
    assert submission_score(submission_id=submission.pk) == "failed"
    submission.refresh_from_db()
    assert submission.status == Status.FAILED
    assert "took longer than 300 seconds" in submission.error


def test_an_unexpected_error_ends_failed_with_a_generic_message_that_does_not_count(monkeypatch, caplog):
    def broken(submission):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services.scoring, "_run_scorer", broken)
    submission = SubmissionFactory(phase=open_phase())
    assert submission_score(submission_id=submission.pk) == "failed"
    submission.refresh_from_db()
    assert "problem on our side" in submission.error and "disk on fire" not in submission.error
    assert submission.counts_toward_limit is False
    assert "disk on fire" in caplog.text


def test_a_challenge_without_truth_fails_without_counting():
    phase = open_phase()
    phase.challenge.truth_file = ""
    phase.challenge.save()
    submission = SubmissionFactory(phase=phase)
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.FAILED and "no answer key" in submission.error
    assert submission.counts_toward_limit is False


def test_a_result_arriving_after_the_submission_was_cancelled_is_discarded(monkeypatch):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    organizer = make_organizer(phase.challenge.event)
    real = services.scoring._run_scorer

    def cancel_meanwhile(sub):
        services.submission_cancel(submission=sub, actor=organizer)
        return real(sub)

    monkeypatch.setattr(services.scoring, "_run_scorer", cancel_meanwhile)
    assert submission_score(submission_id=submission.pk) == "superseded"
    submission.refresh_from_db()
    assert submission.status == Status.CANCELLED
    assert not LeaderboardEntry.objects.exists()


def test_the_team_is_emailed_when_a_submission_is_scored_or_fails(django_capture_on_commit_callbacks):
    phase = open_phase()
    good = SubmissionFactory(phase=phase)
    bad = SubmissionFactory(phase=phase, file=ContentFile(MALFORMED_CSV, name="bad.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=good.pk)
        submission_score(submission_id=bad.pk)
    assert len(mail.outbox) == 2
    scored_mail, failed_mail = mail.outbox
    assert "was scored" in scored_mail.subject and scored_mail.to == [good.submitted_by.email]
    assert f"/submissions/{good.pk}/" in scored_mail.body
    assert "could not be scored" in failed_mail.subject and "line 3" in failed_mail.body


def test_an_uploader_whose_address_is_not_verified_gets_no_email(django_capture_on_commit_callbacks):
    phase = open_phase()
    team = team_in(phase, captain=UserFactory(email_verified_at=None))
    submission = SubmissionFactory(phase=phase, team=team, submitted_by=team.captain)
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == "scored"
    assert mail.outbox == []


def test_an_organizer_rescores_every_submission_after_replacing_the_truth(django_capture_on_commit_callbacks):
    phase = open_phase()
    organizer = make_organizer(phase.challenge.event)
    submissions = [SubmissionFactory(phase=phase), SubmissionFactory(phase=phase)]
    for s in submissions:
        submission_score(submission_id=s.pk)
    challenge = phase.challenge
    flipped = DETECTION_TRUTH.replace(",1,", ",X,").replace(",0,", ",1,").replace(",X,", ",0,")
    challenge.truth_file.save("truth2.csv", ContentFile(flipped.encode()), save=False)
    challenge.truth_version = 2
    challenge.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phase_rescore(phase=phase, actor=organizer) == 2
    for s in submissions:
        s.refresh_from_db()
        assert s.status == Status.SCORED and s.public_score < 0.9
        assert set(s.results.values_list("truth_version", flat=True)) == {1, 2}


def test_a_participant_cannot_rescore_or_cancel(client):
    phase = open_phase()
    team = team_in(phase)
    submission = SubmissionFactory(phase=phase, team=team, status=Status.SCORED)
    client.force_login(team.captain)
    for action in ("rescore", "cancel"):
        response = client.post(f"/api/v1/submissions/{submission.pk}/{action}/")
        assert response.status_code == 403
        assert "organizers" in response.json()["detail"]
    submission.refresh_from_db()
    assert submission.status == Status.SCORED


def test_an_organizer_cancels_a_submission_and_it_leaves_the_leaderboard(client):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    submission_score(submission_id=submission.pk)
    assert LeaderboardEntry.objects.filter(submission=submission).exists()
    client.force_login(make_organizer(phase.challenge.event))
    response = client.post(f"/api/v1/submissions/{submission.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert not LeaderboardEntry.objects.filter(submission=submission).exists()
    again = client.post(f"/api/v1/submissions/{submission.pk}/cancel/")
    assert again.status_code == 409


def test_rescoring_a_running_submission_is_refused_with_the_reason(client):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase, status=Status.RUNNING, claimed_at=timezone.now())
    client.force_login(make_organizer(phase.challenge.event))
    response = client.post(f"/api/v1/submissions/{submission.pk}/rescore/")
    assert response.status_code == 409
    assert "only scored or failed" in response.json()["detail"]


def test_a_gzip_upload_is_scored_like_the_plain_file():
    import gzip

    submission = SubmissionFactory(
        phase=open_phase(), file=ContentFile(gzip.compress(detection_csv()), name="p.csv.gz")
    )
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Status.SCORED, submission.error


def test_the_status_page_shows_scores_with_their_definitions(client):
    phase = open_phase()
    team = team_in(phase)
    submission = SubmissionFactory(phase=phase, team=team)
    submission_score(submission_id=submission.pk)
    client.force_login(team.captain)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "average_precision" in page and "ranks the leaderboard" in page
    assert 'aria-live="polite"' in page and "submission-status.js" in page
    assert "Private scores are shown once the organizers publish the results." in page


def test_the_status_page_of_a_queued_submission_shows_its_place_in_the_queue(client):
    phase = open_phase()
    team = team_in(phase)
    SubmissionFactory(phase=phase, received_at=timezone.now() - timedelta(minutes=1))
    submission = SubmissionFactory(phase=phase, team=team)
    client.force_login(team.captain)
    assert "position 2 in the queue" in client.get(submission.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert api["status"] == "queued" and api["queue_position"] == 2


def test_a_rescore_does_not_email_the_team_again(django_capture_on_commit_callbacks):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=submission.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_rescore(submission=submission, actor=make_organizer(phase.challenge.event))
    submission.refresh_from_db()
    assert submission.status == Status.SCORED and submission.attempts == 1
    assert len(mail.outbox) == 1


def test_a_worker_reads_a_truth_once_for_many_jobs_and_again_once_it_is_replaced(monkeypatch):
    from submissions import scoring as scoring_package

    reads = []
    real = scoring_package.prepare_truth

    def counting(*args, **kwargs):
        reads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring_package, "prepare_truth", counting)
    phase = open_phase()
    first = [SubmissionFactory(phase=phase) for _ in range(3)]
    for s in first:
        assert submission_score(submission_id=s.pk) == "scored"
    assert reads == ["detection"]
    challenge = phase.challenge
    flipped = DETECTION_TRUTH.replace(",1,", ",X,").replace(",0,", ",1,").replace(",X,", ",0,")
    challenge.truth_file.save("truth2.csv", ContentFile(flipped.encode()), save=False)
    challenge.truth_version = 2
    challenge.save()
    later = SubmissionFactory(phase=phase)
    assert submission_score(submission_id=later.pk) == "scored"
    later.refresh_from_db()
    assert len(reads) == 2 and later.public_score < 0.9  # scored against the new truth, not the cached one


def test_with_the_truth_cache_off_every_job_reads_the_truth(monkeypatch, settings):
    from submissions import scoring as scoring_package

    settings.SCORING_TRUTH_CACHE_SIZE = 0
    reads = []
    real = scoring_package.prepare_truth
    monkeypatch.setattr(scoring_package, "prepare_truth", lambda *a, **k: reads.append(1) or real(*a, **k))
    phase = open_phase()
    for s in [SubmissionFactory(phase=phase) for _ in range(2)]:
        assert submission_score(submission_id=s.pk) == "scored"
    assert len(reads) == 2


def test_notices_go_to_the_notify_queue_read_after_scoring_and_the_sweeper_is_read_first(settings):
    from hackplatform.celery import app

    router = app.amqp.router
    assert router.route({}, "submissions.notify_finished")["queue"].name == "notify"
    assert router.route({}, "communication.email_announcement")["queue"].name == "notify"
    assert router.route({}, "submissions.score_submission")["queue"].name == "celery"
    assert [q.name for q in settings.CELERY_TASK_QUEUES] == ["housekeeping", "celery", "notify"]


def test_a_broker_that_refuses_the_notice_gets_it_sent_inline(monkeypatch, django_capture_on_commit_callbacks):
    from submissions import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.notify_finished, "apply_async", refuse)
    submission = SubmissionFactory(phase=open_phase())
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_score(submission_id=submission.pk) == "scored"
    assert len(mail.outbox) == 1 and submission.submitted_by.email in mail.outbox[0].to


@pytest.mark.django_db(transaction=True)
def test_a_result_is_written_again_on_a_fresh_connection_when_the_database_went_away(monkeypatch):
    from django.db import OperationalError, connection

    from submissions.services import scoring as scoring_service

    submission = SubmissionFactory(phase=open_phase())
    real, calls, closed = scoring_service._finish, [], []
    monkeypatch.setattr(scoring_service, "FINISH_RETRY_PAUSES", (0, 0))
    monkeypatch.setattr(connection, "close", lambda real_close=connection.close: closed.append(1) or real_close())

    def dead_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring_service, "_finish", dead_once)
    assert submission_score(submission_id=submission.pk) == "scored"
    submission.refresh_from_db()
    assert submission.status == Status.SCORED and submission.attempts == 1 and closed
    assert ScoreResult.objects.filter(submission=submission).count() == 1


def test_scoring_again_against_the_same_truth_overwrites_its_one_result_row(django_capture_on_commit_callbacks):
    phase = open_phase()
    organizer = make_organizer(phase.challenge.event)
    submission = SubmissionFactory(phase=phase)
    assert submission_score(submission_id=submission.pk) == "scored"
    first = ScoreResult.objects.get(submission=submission)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phase_rescore(phase=phase, actor=organizer) == 1
    again = ScoreResult.objects.get(submission=submission)  # still one row for (submission, truth version 1)
    assert again.pk == first.pk and again.computed_at > first.computed_at
    assert again.scores == first.scores


@pytest.mark.django_db(transaction=True)
def test_workers_keep_their_database_connection_between_jobs_and_close_it_only_when_django_would(settings):
    from celery.fixups.django import DjangoWorkerFixup

    from hackplatform.celery import app

    assert DjangoWorkerFixup(app).db_reuse_max == 500  # Celery's fix-up no longer closes it after every task
    from celery.signals import task_postrun
    from django.db import connection

    connection.ensure_connection()
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close_at = None
    task_postrun.send(sender=None)
    assert connection.connection is not None  # kept
    connection.errors_occurred = True
    connection.close_at = 0  # too old
    task_postrun.send(sender=None)
    assert connection.connection is None  # closed, as after a request


def test_a_task_run_inline_never_closes_the_callers_connection(django_capture_on_commit_callbacks):
    from django.db import connection

    from hackplatform.celery import ping

    connection.close_at = 0  # would be "too old" after a worker's task
    assert ping.delay("x").get() == "x"  # eager: inside this test's transaction
    assert connection.connection is not None and not connection.needs_rollback
    assert Submission.objects.count() == 0  # the transaction is still usable
