"""Pictures show what the submission says over participant-facing data; the truth only after publication."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from challenges import services
from challenges.datasets.hotspot import cell_id
from challenges.models import Challenge
from submissions import selectors
from tests.factories import ChallengeFactory, EventFactory

from .factories import open_phase, scored, team_in

pytestmark = pytest.mark.django_db

ROWS, COLS = 6, 8
CELLS = [(r, c) for r in range(ROWS) for c in range(COLS)]
HISTORY = "week,cell_id,count\n" + "".join(
    f"{week},{cell_id(r, c)},{(r * 3 + c + week) % 5}\n" for week in (1, 2) for r, c in CELLS
)
PREDICTIONS = "cell_id,score\n" + "".join(f"{cell_id(r, c)},{(r * c) / 40}\n" for r, c in CELLS)


def hotspot_truth(pattern: int) -> bytes:
    rows = [
        f"{cell_id(r, c)},{split},{(r * pattern + c * (pattern + 1)) % 7}\n"
        for split in ("public", "private")
        for r, c in CELLS
    ]
    return ("cell_id,split,count\n" + "".join(rows)).encode()


def network_truth(pattern: int) -> bytes:
    rows = [
        f"n{i:02d},{(i * pattern) % 3},{'controller' if i % (pattern + 2) == 0 else 'member'},"
        f"{'public' if i % 2 else 'private'}\n"
        for i in range(30)
    ]
    return ("node_id,ring_id,role,split\n" + "".join(rows)).encode()


def submission_with(kind: str, truth: bytes, public_files: dict[str, bytes], predictions: str, event):
    from django.core.files.base import ContentFile

    challenge = ChallengeFactory(kind=kind, event=event, dataset_meta={"grid_rows": ROWS, "grid_cols": COLS})
    services.challenge_store_dataset(challenge=challenge, public_files=public_files, truth=truth)
    phase = open_phase(challenge=challenge)
    return scored(phase, team_in(phase), 0.5, file=ContentFile(predictions.encode(), name="predictions.csv"))


def picture(client, submission) -> bytes:
    client.force_login(submission.team.captain)
    response = client.get(f"/submissions/{submission.pk}/picture.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return response.content


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def publish(phase, at=None) -> None:
    phase.results_published_at = at or timezone.now()
    phase.save()


@pytest.fixture
def hotspot_pair():
    """Two submissions alike in everything participants can see (files, predictions), with different truths."""
    event = EventFactory()
    files = {"history.csv": HISTORY.encode(), "sample_submission.csv": PREDICTIONS.encode()}
    return tuple(submission_with("hotspot", hotspot_truth(p), files, PREDICTIONS, event) for p in (1, 2))


def test_the_hotspot_picture_before_publication_does_not_depend_on_the_truth(client, hotspot_pair):
    one, two = hotspot_pair
    assert pixels(picture(client, one)) == pixels(picture(client, two))


def test_the_hotspot_picture_before_publication_shades_the_history_the_participants_have(client, hotspot_pair):
    from submissions.pictures import _heat

    image = Image.open(io.BytesIO(picture(client, hotspot_pair[0]))).convert("RGB")
    totals = {(r, c): sum((r * 3 + c + week) % 5 for week in (1, 2)) for r, c in CELLS}
    cell = max(2, min(16, 720 // max(ROWS, COLS)))
    busiest = max(totals, key=totals.get)
    # The middle of the busiest history cell has the darkest shade (flagged outlines only touch the edges).
    assert image.getpixel((busiest[1] * cell + cell // 2, busiest[0] * cell + cell // 2)) == _heat(1.0)


def test_the_truth_overlay_appears_once_the_results_are_published(client, hotspot_pair):
    one, two = hotspot_pair
    before = picture(client, one)
    for submission in hotspot_pair:
        publish(submission.phase)
    after_one, after_two = picture(client, one), picture(client, two)
    assert pixels(after_one) != pixels(before)
    assert pixels(after_one) != pixels(after_two)  # now the shades are the (different) truths
    storage = one.file.storage
    assert storage.exists(f"pictures/{one.pk}-v1-plain-en.png") and storage.exists(f"pictures/{one.pk}-v1-truth-en.png")


def test_a_cached_truth_picture_is_not_served_once_the_results_are_withdrawn(client, hotspot_pair):
    one = hotspot_pair[0]
    publish(one.phase)
    truth_picture = picture(client, one)
    one.phase.results_published_at = None
    one.phase.save()
    plain = picture(client, one)
    assert pixels(plain) != pixels(truth_picture)
    assert pixels(plain) == pixels(picture(client, hotspot_pair[1]))  # the other truth, also unpublished


def test_no_truth_overlay_while_another_phase_of_the_challenge_still_takes_submissions(hotspot_pair):
    one = hotspot_pair[0]
    publish(one.phase)
    later = open_phase(
        challenge=one.phase.challenge,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=3),
    )
    assert not selectors.truth_overlay_shown(one.phase)
    assert selectors.truth_overlay_shown(one.phase, at=later.closes_at + timedelta(seconds=1))
    publish(later)
    assert selectors.truth_overlay_shown(one.phase)


def test_the_submission_page_describes_the_picture_it_shows(client, hotspot_pair):
    one = hotspot_pair[0]
    client.force_login(one.team.captain)
    page = client.get(one.get_absolute_url()).content.decode()
    assert "incidents of the history weeks" in page and "true incidents of the public split" not in page
    publish(one.phase)
    assert "true incidents of the public split" in client.get(one.get_absolute_url()).content.decode()


@pytest.mark.parametrize("published", [False, True])
def test_the_network_picture_never_depends_on_the_truth(client, published):
    event = EventFactory()
    edges = "source,target,volume,night_share,transfer_share\n" + "".join(
        f"n{i:02d},n{i + 1:02d},5,0.5,0.1\n" for i in range(29)
    )
    files = {"edges.csv": edges.encode(), "sample_submission.csv": b"node_id,community_id,score\n"}
    predictions = "node_id,community_id,score\n" + "".join(f"n{i:02d},{i % 4},{i / 30}\n" for i in range(30))
    pair = [submission_with(Challenge.Kind.NETWORK, network_truth(p), files, predictions, event) for p in (1, 2)]
    if published:
        for submission in pair:
            publish(submission.phase)
    assert pixels(picture(client, pair[0])) == pixels(picture(client, pair[1]))
