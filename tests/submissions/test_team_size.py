"""The event's minimum team size: a smaller team cannot submit, and the upload page says so in advance."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from django.utils import translation

from submissions.models import Submission
from submissions.services import team_size_refusal
from tests.factories import add_member

from .factories import open_phase, team_in, upload

pytestmark = pytest.mark.django_db


def phase_with_minimum(minimum: int):
    phase = open_phase()
    event = phase.challenge.event
    event.team_size_min, event.team_size_max = minimum, max(minimum, 3)
    event.save()
    return phase


def stored_files(settings) -> list[str]:
    return [f for _d, _s, files in os.walk(settings.PRIVATE_ROOT) for f in files if not f.startswith("truth")]


def test_the_api_refuses_an_upload_from_a_team_below_the_minimum_size_and_stores_nothing(api, settings):
    phase = phase_with_minimum(2)
    team = team_in(phase)
    api.force_authenticate(team.captain)
    response = api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your team needs at least 2 members to submit; it has 1.",
        "code": "team_too_small",
    }
    assert not Submission.objects.exists()
    assert stored_files(settings) == []


def test_the_api_accepts_the_upload_once_the_team_is_big_enough(api):
    phase = phase_with_minimum(2)
    team = team_in(phase)
    add_member(team)
    api.force_authenticate(team.captain)
    response = api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    assert Submission.objects.get().team == team


def test_the_upload_page_warns_a_team_below_the_minimum_before_it_uploads(client):
    phase = phase_with_minimum(3)
    team = team_in(phase)
    add_member(team)
    client.force_login(team.captain)
    response = client.get(reverse("submissions:phase_submit", args=[phase.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="team-too-small"' in html
    assert "Your team needs at least 3 members to submit; it has 2." in html
    assert reverse("challenges:team_detail", args=[team.pk]) in html


def test_the_upload_page_does_not_warn_a_team_of_the_minimum_size(client):
    phase = phase_with_minimum(2)
    team = team_in(phase)
    add_member(team)
    client.force_login(team.captain)
    html = client.get(reverse("submissions:phase_submit", args=[phase.pk])).content.decode()
    assert 'id="team-too-small"' not in html


def test_the_upload_page_refuses_a_team_below_the_minimum_with_the_reason(client):
    phase = phase_with_minimum(2)
    team = team_in(phase)
    client.force_login(team.captain)
    response = client.post(
        reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload(), "idempotency_key": "form-1"}
    )
    assert response.status_code == 403
    assert "Your team needs at least 2 members to submit; it has 1." in response.content.decode()
    assert not Submission.objects.exists()


def test_the_upload_page_accepts_a_team_of_the_minimum_size(client):
    phase = phase_with_minimum(2)
    team = team_in(phase)
    member = add_member(team)
    client.force_login(member)
    response = client.post(
        reverse("submissions:phase_submit", args=[phase.pk]), {"file": upload(), "idempotency_key": "form-1"}
    )
    assert response.status_code == 302
    assert Submission.objects.get().submitted_by == member


def test_the_refusal_is_translated_with_the_right_plural():
    phase = phase_with_minimum(2)
    team = team_in(phase)
    with translation.override("es"):
        message = " ".join(team_size_refusal(team).messages)
    assert message == "Tu equipo necesita al menos 2 integrantes para enviar; tiene 1."
