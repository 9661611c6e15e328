"""The upload rate per team: one counter for the upload page and the API, whichever member uploads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.models import Submission
from tests.factories import add_member

from .factories import open_phase, team_in, upload

pytestmark = pytest.mark.django_db


def api_upload(api, phase, user):
    api.force_authenticate(user)
    return api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")


def page_upload(client, phase, user, key: str):
    client.force_login(user)
    return client.post(reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload(), "idempotency_key": key})


def test_the_api_refuses_a_team_uploading_faster_than_the_rate_with_429_and_retry_after(api, throttle_rates):
    throttle_rates(upload="2/min")
    phase = open_phase()
    team = team_in(phase)
    member = add_member(team)
    assert api_upload(api, phase, team.captain).status_code == 201
    assert api_upload(api, phase, member).status_code == 201
    response = api_upload(api, phase, member)
    assert response.status_code == 429
    assert response.json()["code"] == "upload_rate"
    assert "too fast" in response.json()["detail"]
    assert response["Retry-After"]
    assert Submission.objects.count() == 2


def test_the_upload_page_shares_the_teams_counter_with_the_api(api, client, throttle_rates):
    throttle_rates(upload="2/min")
    phase = open_phase()
    team = team_in(phase)
    assert api_upload(api, phase, team.captain).status_code == 201
    assert page_upload(client, phase, team.captain, "k1").status_code == 302
    response = page_upload(client, phase, team.captain, "k2")
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "too fast" in response.content.decode()


def test_another_team_is_not_slowed_by_a_busy_one(api, throttle_rates):
    throttle_rates(upload="1/min")
    phase = open_phase()
    busy, other = team_in(phase), team_in(phase)
    assert api_upload(api, phase, busy.captain).status_code == 201
    assert api_upload(api, phase, busy.captain).status_code == 429
    assert api_upload(api, phase, other.captain).status_code == 201
