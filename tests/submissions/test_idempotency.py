"""Idempotency-Key on the upload endpoint: the same key from the same uploader within 24 hours answers
with the original submission (201, `Idempotent-Replayed: true`), never a second one, also when two
requests with the key arrive at once; a teammate's or a day-old key is refused (409) saying why."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from submissions.models import Submission
from tests.factories import add_member

from .factories import open_phase, team_in, upload


def post(user, phase, key: str):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(
        f"/api/v1/phases/{phase.pk}/submissions/",
        {"file": upload()},
        format="multipart",
        headers={"Idempotency-Key": key},
    )


@pytest.mark.django_db
def test_a_teammate_reusing_the_key_is_refused_with_409_and_nothing_is_added():
    phase = open_phase()
    team = team_in(phase)
    assert post(team.captain, phase, "shared").status_code == 201
    refused = post(add_member(team), phase, "shared")
    assert refused.status_code == 409
    assert refused.json()["code"] == "idempotency_key_reused" and "another member" in refused.json()["detail"]
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_key_older_than_a_day_is_refused_rather_than_replayed():
    phase = open_phase()
    team = team_in(phase)
    first = post(team.captain, phase, "old-key")
    assert first.status_code == 201
    Submission.objects.update(received_at=timezone.now() - timedelta(hours=25))
    refused = post(team.captain, phase, "old-key")
    assert refused.status_code == 409 and refused.json()["code"] == "idempotency_key_expired"
    assert Submission.objects.count() == 1
    replay_within_a_day = Submission.objects.update(received_at=timezone.now() - timedelta(hours=23))
    assert replay_within_a_day == 1
    again = post(team.captain, phase, "old-key")
    assert (
        again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    )


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_instant_make_one_submission_and_both_answer_it():
    phase = open_phase()
    team = team_in(phase)
    barrier = threading.Barrier(2)
    answers = []

    def one() -> None:
        try:
            barrier.wait()
            response = post(team.captain, phase, "same-instant")
            answers.append((response.status_code, response.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2 and {a[0] for a in answers} == {201}, answers
    assert answers[0][1] == answers[1][1]
    assert Submission.objects.filter(team=team).count() == 1
