"""Accepting uploads: the server's clock, the size cap, idempotent retries, limits, and refusals with reasons."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.models import Terms
from submissions import uploads
from submissions.models import Submission
from submissions.selectors import phase_remaining
from tests.factories import TeamFactory, UserFactory, register

from .factories import MALFORMED_CSV, SubmissionFactory, open_phase, team_in, upload

pytestmark = pytest.mark.django_db


def url(phase):
    return f"/api/v1/phases/{phase.pk}/submissions/"


def post(api, phase, user, *, content=None, name="predictions.csv", headers=None, **extra):
    api.force_authenticate(user)
    data = {"file": upload(content, name=name), **extra}
    return api.post(url(phase), data, format="multipart", headers=headers or {})


def at(monkeypatch, moment):
    monkeypatch.setattr(uploads, "arrival_time", lambda: moment)


def private_files(settings) -> list[str]:
    root = settings.PRIVATE_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files if "/submissions/" in os.path.join(d, f)]


def test_it_accepts_an_upload_and_answers_201_with_id_status_and_submitted_at(api, settings):
    phase = open_phase()
    team = team_in(phase)
    response = post(api, phase, team.captain, description="first try")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "status", "submitted_at"}
    submission = Submission.objects.get(pk=body["id"])
    assert submission.team == team and submission.description == "first try"
    assert submission.file.storage.exists(submission.file.name)
    assert submission.file.name != "predictions.csv" and "predictions" not in submission.file.name
    assert submission.original_name == "predictions.csv"


def test_it_accepts_a_gzip_compressed_csv(api):
    phase = open_phase()
    team = team_in(phase)
    api.force_authenticate(team.captain)
    response = api.post(url(phase), {"file": upload(gz=True)}, format="multipart")
    assert response.status_code == 201
    assert Submission.objects.get().file.name.endswith(".csv.gz")


def test_it_accepts_an_upload_arriving_one_second_before_the_deadline(api, monkeypatch):
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    team = team_in(phase)
    at(monkeypatch, deadline - timedelta(seconds=1))
    response = post(api, phase, team.captain)
    assert response.status_code == 201
    assert Submission.objects.get().received_at == deadline - timedelta(seconds=1)


def test_it_refuses_an_upload_arriving_one_second_after_the_deadline(api, monkeypatch):
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    team = team_in(phase)
    at(monkeypatch, deadline + timedelta(seconds=1))
    response = post(api, phase, team.captain)
    assert response.status_code == 403
    assert response.json()["code"] == "phase_closed"
    assert "closed" in response.json()["detail"] and "deadline" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_it_refuses_an_upload_arriving_exactly_at_the_deadline_without_grace(api, monkeypatch):
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    at(monkeypatch, deadline)
    assert post(api, phase, team_in(phase).captain).status_code == 403


def test_it_accepts_an_upload_within_the_published_grace_period_and_refuses_it_after(api, monkeypatch):
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline, grace_seconds=30)
    team = team_in(phase)
    at(monkeypatch, deadline + timedelta(seconds=29))
    assert post(api, phase, team.captain).status_code == 201
    at(monkeypatch, deadline + timedelta(seconds=30))
    response = post(api, phase, team.captain)
    assert response.status_code == 403
    assert "grace period of 30 seconds" in response.json()["detail"]


def test_it_refuses_an_upload_before_the_phase_opens_and_says_when_it_opens(api):
    phase = open_phase(opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=2))
    response = post(api, phase, team_in(phase).captain)
    assert response.status_code == 403
    assert response.json()["code"] == "phase_not_open"
    assert "opens at" in response.json()["detail"]


def test_an_upload_that_started_in_time_counts_even_if_its_body_finished_after_the_deadline(monkeypatch):
    from submissions.services import submission_create

    deadline = timezone.now() - timedelta(seconds=10)
    phase = open_phase(opens_at=deadline - timedelta(days=1), closes_at=deadline)
    team = team_in(phase)
    submission, created = submission_create(
        phase=phase,
        user=team.captain,
        file=upload(),
        received_at=deadline - timedelta(seconds=1),
        body_received_at=deadline + timedelta(seconds=20),
    )
    assert created and submission.received_at == deadline - timedelta(seconds=1)


def test_an_upload_trickled_in_long_after_the_deadline_is_refused():
    from hackplatform.refusals import Refusal
    from submissions.services import submission_create

    deadline = timezone.now() - timedelta(hours=2)
    phase = open_phase(opens_at=deadline - timedelta(days=1), closes_at=deadline)
    team = team_in(phase)
    with pytest.raises(Refusal, match="took until"):
        submission_create(
            phase=phase,
            user=team.captain,
            file=upload(),
            received_at=deadline - timedelta(seconds=1),
            body_received_at=deadline + timedelta(hours=1),
        )


def test_it_refuses_a_file_over_the_size_cap_while_it_streams_in_and_keeps_nothing(api, settings):
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 1000
    phase = open_phase()
    response = post(api, phase, team_in(phase).captain, content=b"record_id,score\n" + b"r00,0.5\n" * 500)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"] and "1000\xa0bytes" in response.json()["detail"]
    assert not Submission.objects.exists()
    assert private_files(settings) == []


def test_it_refuses_a_declared_body_far_over_the_cap_before_reading_it(api, settings):
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 1000
    phase = open_phase()
    response = post(api, phase, team_in(phase).captain, content=b"record_id,score\n" + b"r00,0.5\n" * 20_000)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_it_refuses_a_file_that_is_not_a_csv(api):
    phase = open_phase()
    response = post(api, phase, team_in(phase).captain, name="predictions.xlsx")
    assert response.status_code == 400
    assert "not a CSV file" in response.json()["detail"]


def test_it_refuses_an_upload_without_a_file(api):
    phase = open_phase()
    api.force_authenticate(team_in(phase).captain)
    response = api.post(url(phase), {"description": "x"}, format="multipart")
    assert response.status_code == 400
    assert "Choose a file" in response.json()["detail"]


def test_a_retried_upload_with_the_same_idempotency_key_never_creates_a_second_submission(api):
    phase = open_phase()
    team = team_in(phase)
    first = post(api, phase, team.captain, headers={"Idempotency-Key": "abc-123"})
    again = post(api, phase, team.captain, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1


def test_a_retry_after_the_deadline_still_answers_with_the_submission_accepted_before_it(api, monkeypatch):
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    team = team_in(phase)
    at(monkeypatch, deadline - timedelta(seconds=1))
    first = post(api, phase, team.captain, headers={"Idempotency-Key": "k1"})
    at(monkeypatch, deadline + timedelta(seconds=5))
    again = post(api, phase, team.captain, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_a_retry_does_not_use_up_the_limit(api):
    phase = open_phase(daily_limit=1)
    team = team_in(phase)
    assert post(api, phase, team.captain, headers={"Idempotency-Key": "k"}).status_code == 201
    assert post(api, phase, team.captain, headers={"Idempotency-Key": "k"}).status_code == 201
    assert Submission.objects.count() == 1


def test_the_same_key_by_another_team_is_another_upload(api):
    phase = open_phase()
    assert post(api, phase, team_in(phase).captain, headers={"Idempotency-Key": "k"}).status_code == 201
    assert post(api, phase, team_in(phase).captain, headers={"Idempotency-Key": "k"}).status_code == 201
    assert Submission.objects.count() == 2


def test_it_refuses_a_user_who_is_not_registered(api):
    phase = open_phase()
    response = post(api, phase, UserFactory())
    assert response.status_code == 403
    assert "Register for this event" in response.json()["detail"]


def test_it_refuses_a_registered_user_who_is_not_in_a_team(api):
    phase = open_phase()
    user = register(phase.challenge.event)
    response = post(api, phase, user)
    assert response.status_code == 403
    assert response.json()["code"] == "no_team"
    assert "not in a team" in response.json()["detail"]


def test_it_refuses_a_member_who_has_not_accepted_the_new_terms(api):
    phase = open_phase()
    team = team_in(phase)
    Terms.objects.create(event=phase.challenge.event, version=1, text="new terms")
    response = post(api, phase, team.captain)
    assert response.status_code == 403
    assert "data-use agreement" in response.json()["detail"]


def test_it_refuses_anonymous_uploads(api):
    phase = open_phase()
    response = api.post(url(phase), {"file": upload()}, format="multipart")
    assert response.status_code in (401, 403)


def test_the_daily_limit_refuses_with_the_reset_time_and_a_retry_after_header(api):
    phase = open_phase(daily_limit=2)
    team = team_in(phase)
    assert post(api, phase, team.captain).status_code == 201
    assert post(api, phase, team.captain).status_code == 201
    response = post(api, phase, team.captain)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "daily_limit_reached"
    assert "resets at" in body["detail"] and body["resets_at"]
    assert "Retry-After" in response.headers
    assert Submission.objects.count() == 2


def test_submissions_of_yesterday_do_not_count_towards_today(api):
    phase = open_phase(daily_limit=1, opens_at=timezone.now() - timedelta(days=5))
    team = team_in(phase)
    SubmissionFactory(phase=phase, team=team, received_at=timezone.now() - timedelta(days=1, hours=1))
    assert post(api, phase, team.captain).status_code == 201


def test_the_total_limit_refuses_once_reached(api):
    phase = open_phase(total_limit=1)
    team = team_in(phase)
    assert post(api, phase, team.captain).status_code == 201
    response = post(api, phase, team.captain)
    assert response.status_code == 429
    assert response.json()["code"] == "total_limit_reached"


def test_failed_validations_do_not_count_unless_the_phase_says_so(api, django_capture_on_commit_callbacks):
    phase = open_phase(daily_limit=1)
    team = team_in(phase)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api, phase, team.captain, content=MALFORMED_CSV).status_code == 201
    assert Submission.objects.get().status == Submission.Status.FAILED
    assert post(api, phase, team.captain).status_code == 201

    strict = open_phase(daily_limit=1, failed_count=True)
    strict_team = team_in(strict)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api, strict, strict_team.captain, content=MALFORMED_CSV).status_code == 201
    assert post(api, strict, strict_team.captain).status_code == 429


def test_cancelled_submissions_give_the_team_its_submission_back(api):
    phase = open_phase(total_limit=1)
    team = team_in(phase)
    SubmissionFactory(phase=phase, team=team, status=Submission.Status.CANCELLED, counts_toward_limit=False)
    assert post(api, phase, team.captain).status_code == 201


def test_my_remaining_shows_what_the_team_may_still_submit(api):
    phase = open_phase(daily_limit=3, total_limit=10)
    team = team_in(phase)
    post(api, phase, team.captain)
    remaining = phase_remaining(phase, team.captain)
    assert remaining["today"] == 2 and remaining["total"] == 9
    assert remaining["resets_at"] > timezone.now()
    assert remaining["resets_at"].utcoffset() is not None
    assert phase_remaining(phase, UserFactory()) is None


def test_my_remaining_is_null_where_unlimited():
    phase = open_phase()
    team = team_in(phase)
    assert phase_remaining(phase, team.captain) == {"today": None, "total": None, "resets_at": None}


def test_my_remaining_appears_in_the_phase_detail_api(api):
    phase = open_phase(daily_limit=3)
    team = team_in(phase)
    api.force_authenticate(team.captain)
    response = api.get(f"/api/v1/phases/{phase.pk}/")
    assert response.json()["my_remaining"]["today"] == 3


def test_a_team_member_lists_only_their_own_team_submissions(api):
    phase = open_phase()
    team = team_in(phase)
    mine = SubmissionFactory(phase=phase, team=team)
    SubmissionFactory(phase=phase, team=team_in(phase))
    api.force_authenticate(team.captain)
    response = api.get(url(phase))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


# The upload page ---------------------------------------------------------------------------------


def test_the_upload_page_shows_the_window_and_what_the_team_may_still_submit(client):
    phase = open_phase(daily_limit=5, grace_seconds=60)
    team = team_in(phase)
    client.force_login(team.captain)
    response = client.get(reverse("submissions:phase_submit", args=[phase.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "5 more today" in text and "60 seconds after the deadline" in text


def test_the_upload_page_accepts_a_file_and_shows_the_submission(client):
    phase = open_phase()
    team = team_in(phase)
    client.force_login(team.captain)
    response = client.post(
        reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload(), "idempotency_key": "form-1"}
    )
    submission = Submission.objects.get()
    assert response.status_code == 302 and response.url == submission.get_absolute_url()


def test_the_upload_page_explains_a_refusal(client, monkeypatch):
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    team = team_in(phase)
    at(monkeypatch, deadline + timedelta(seconds=1))
    client.force_login(team.captain)
    response = client.post(reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload()})
    assert response.status_code == 403
    assert "This phase is closed" in response.content.decode()


def test_the_upload_page_refuses_a_too_large_file_with_413(client, settings):
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 100
    phase = open_phase()
    client.force_login(team_in(phase).captain)
    response = client.post(reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload()})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_the_upload_page_checks_csrf(client):
    from django.test import Client

    phase = open_phase()
    team = team_in(phase)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(team.captain)
    response = strict.post(reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload()})
    assert response.status_code == 403
    assert not Submission.objects.exists()
    del client


def test_a_team_of_another_event_cannot_upload(api):
    phase = open_phase()
    other = TeamFactory()
    response = post(api, phase, other.captain)
    assert response.status_code == 403


def test_it_refuses_a_csv_for_a_judged_challenge_saying_it_takes_entries(api, client, settings):
    from tests.factories import ChallengeFactory, PhaseFactory

    phase = PhaseFactory(challenge=ChallengeFactory(kind="judged"))
    team = team_in(phase)
    response = post(api, phase, team.captain)
    assert response.status_code == 403
    assert response.json()["code"] == "judged_challenge"
    assert "project entry" in response.json()["detail"]
    client.force_login(team.captain)
    page = client.get(reverse("submissions:phase_submit", args=[phase.pk]))
    assert page.status_code == 200 and "project entry" in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    posted = client.post(reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload()})
    assert posted.status_code == 403 and "project entry" in posted.content.decode()
    assert not Submission.objects.exists()
    assert private_files(settings) == []
