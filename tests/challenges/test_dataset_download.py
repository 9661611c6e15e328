"""The dataset zip: its SHA-256 and size in the phase detail and on the page, a strong ETag, 304 for
If-None-Match, single byte ranges (206, 416), read through the storage API."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from challenges import services
from challenges.models import Challenge
from tests.factories import register

from .conftest import login

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def participant_api(phase):
    api = APIClient()
    api.force_authenticate(register(phase.challenge.event))
    return api


def zip_bytes(challenge: Challenge) -> bytes:
    with challenge.public_archive.open("rb") as handle:
        return handle.read()


def test_the_hash_and_size_are_stored_when_the_zip_is_built_and_shown_in_the_phase_detail(participant_api, phase):
    data = zip_bytes(phase.challenge)
    phase.challenge.refresh_from_db()
    assert phase.challenge.public_archive_sha256 == hashlib.sha256(data).hexdigest()
    assert phase.challenge.public_archive_size == len(data)
    detail = participant_api.get(f"/api/v1/phases/{phase.pk}/").json()
    assert detail["dataset"] == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "url": f"/api/v1/phases/{phase.pk}/dataset/",
    }


def test_the_download_sends_a_strong_etag_and_answers_304_when_it_still_matches(participant_api, phase):
    url = f"/api/v1/phases/{phase.pk}/dataset/"
    whole = participant_api.get(url)
    data = body(whole)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert whole["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    again = participant_api.get(url, HTTP_IF_NONE_MATCH=whole["ETag"])
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == whole["ETag"]
    other = participant_api.get(url, HTTP_IF_NONE_MATCH='"not-this-one"')
    assert other.status_code == 200 and body(other) == data


def test_a_single_range_answers_206_with_exactly_those_bytes(participant_api, phase):
    url = f"/api/v1/phases/{phase.pk}/dataset/"
    data = zip_bytes(phase.challenge)
    size = len(data)
    part = participant_api.get(url, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert body(part) == data[10:20] and part["Content-Length"] == "10"
    assert part["Content-Range"] == f"bytes 10-19/{size}"
    tail = participant_api.get(url, HTTP_RANGE="bytes=-5")
    assert tail.status_code == 206 and body(tail) == data[-5:]
    rest = participant_api.get(url, HTTP_RANGE=f"bytes={size - 3}-")
    assert rest.status_code == 206 and body(rest) == data[-3:]
    # An If-Range naming another version gets the whole (new) file, not a piece to splice onto old bytes.
    stale = participant_api.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200 and body(stale) == data


def test_a_range_beyond_the_end_answers_416_saying_why(participant_api, phase):
    size = len(zip_bytes(phase.challenge))
    refused = participant_api.get(f"/api/v1/phases/{phase.pk}/dataset/", HTTP_RANGE=f"bytes={size}-")
    assert refused.status_code == 416
    assert refused["Content-Range"] == f"bytes */{size}"
    assert refused.json()["code"] == "range_not_satisfiable" and refused.json()["detail"]


def test_the_page_download_honours_ranges_and_the_page_shows_the_hash(client, phase):
    login(client, register(phase.challenge.event))
    data = zip_bytes(phase.challenge)
    part = client.get(reverse("challenges:phase_dataset", args=[phase.pk]), HTTP_RANGE="bytes=0-3")
    assert part.status_code == 206 and body(part) == data[:4]
    page = client.get(phase.challenge.get_absolute_url())
    assert hashlib.sha256(data).hexdigest() in page.content.decode()


def test_an_archive_without_a_stored_hash_is_hashed_once_through_the_storage(participant_api, phase):
    Challenge.objects.filter(pk=phase.challenge.pk).update(public_archive_sha256="", public_archive_size=None)
    response = participant_api.get(f"/api/v1/phases/{phase.pk}/dataset/")
    data = body(response)
    stored = Challenge.objects.get(pk=phase.challenge.pk)
    assert stored.public_archive_sha256 == hashlib.sha256(data).hexdigest() == response["ETag"].strip('"')
    assert services.dataset_archive_digest(challenge=stored) == (stored.public_archive_sha256, len(data))
