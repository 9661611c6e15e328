"""An upload's arrival time behind the proxy: the proxy's X-Request-Start, trusted only from a configured proxy.

The proxy (nginx) buffers the whole body before gunicorn sees the request, so a slow upload started before
the deadline reaches the view after it; the proxy's header says when it really arrived.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from submissions import uploads
from submissions.models import Submission

from .factories import open_phase, team_in, upload

pytestmark = pytest.mark.django_db


def at(monkeypatch, moment):
    monkeypatch.setattr(uploads, "arrival_time", lambda: moment)


def header(moment) -> str:
    return f"t={moment.timestamp():.3f}"


def post(api, phase, user, start: str | None):
    api.force_authenticate(user)
    headers = {"X-Request-Start": start} if start is not None else {}
    return api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart", headers=headers)


@pytest.fixture
def deadline_passed(monkeypatch):
    """A phase whose deadline passed 30 s before the server (gunicorn) sees the upload."""
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    at(monkeypatch, deadline + timedelta(seconds=30))
    return phase, deadline


def test_behind_a_trusted_proxy_an_upload_counts_from_when_the_proxy_received_it(api, settings, deadline_passed):
    settings.TRUSTED_PROXY_COUNT = 1
    phase, deadline = deadline_passed
    response = post(api, phase, team_in(phase).captain, header(deadline - timedelta(seconds=2)))
    assert response.status_code == 201, response.json()
    received = Submission.objects.get().received_at
    assert abs(received - (deadline - timedelta(seconds=2))) < timedelta(milliseconds=1)


def test_it_ignores_x_request_start_when_no_proxy_is_trusted(api, settings, deadline_passed):
    settings.TRUSTED_PROXY_COUNT = 0
    phase, deadline = deadline_passed
    response = post(api, phase, team_in(phase).captain, header(deadline - timedelta(seconds=2)))
    assert response.status_code == 403
    assert response.json()["code"] == "phase_closed"
    assert not Submission.objects.exists()


def test_a_proxy_time_later_than_the_servers_clock_counts_as_the_servers_clock(api, settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    deadline = timezone.now() + timedelta(hours=1)
    phase = open_phase(closes_at=deadline)
    at(monkeypatch, deadline - timedelta(seconds=5))
    response = post(api, phase, team_in(phase).captain, header(deadline + timedelta(minutes=10)))
    assert response.status_code == 201
    assert Submission.objects.get().received_at == deadline - timedelta(seconds=5)


@pytest.mark.parametrize("value", ["", "t=", "t=soon", "t=nan", "t=inf", "t=-5", "t=0", "t=1e400", "1,2"])
def test_a_malformed_header_from_the_proxy_falls_back_to_the_servers_clock(api, settings, deadline_passed, value):
    settings.TRUSTED_PROXY_COUNT = 1
    phase, _deadline = deadline_passed
    response = post(api, phase, team_in(phase).captain, value)
    assert response.status_code == 403
    assert response.json()["code"] == "phase_closed"


@pytest.mark.parametrize("scale", [1000, 1_000_000])
def test_it_reads_milliseconds_and_microseconds_since_the_epoch_too(api, settings, deadline_passed, scale):
    settings.TRUSTED_PROXY_COUNT = 1
    phase, deadline = deadline_passed
    start = deadline - timedelta(seconds=3)
    response = post(api, phase, team_in(phase).captain, str(int(start.timestamp() * scale)))
    assert response.status_code == 201
    assert abs(Submission.objects.get().received_at - start) < timedelta(milliseconds=2)


def test_the_upload_page_takes_the_trusted_proxys_arrival_time_too(client, settings, deadline_passed):
    settings.TRUSTED_PROXY_COUNT = 1
    phase, deadline = deadline_passed
    team = team_in(phase)
    client.force_login(team.captain)
    response = client.post(
        f"/phases/{phase.pk}/submit/",
        {"file": upload(), "idempotency_key": "form-1"},
        headers={"X-Request-Start": header(deadline - timedelta(seconds=1))},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert abs(Submission.objects.get().received_at - (deadline - timedelta(seconds=1))) < timedelta(milliseconds=1)


def test_the_upload_page_ignores_the_header_without_a_trusted_proxy(client, settings, deadline_passed):
    settings.TRUSTED_PROXY_COUNT = 0
    phase, deadline = deadline_passed
    team = team_in(phase)
    client.force_login(team.captain)
    response = client.post(
        f"/phases/{phase.pk}/submit/",
        {"file": upload(), "idempotency_key": "form-1"},
        headers={"X-Request-Start": header(deadline - timedelta(seconds=1))},
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()
