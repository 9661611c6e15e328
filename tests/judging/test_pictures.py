"""Judges see the picture of the scored submission an entry stands on; nobody else outside the team does."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from challenges.datasets.hotspot import cell_id
from challenges.models import Challenge
from judging.models import Assignment, Entry
from tests.factories import make_judge
from tests.submissions.factories import open_phase, scored, scored_challenge, team_in

pytestmark = pytest.mark.django_db


def _entry_on_a_scored_hotspot_submission():
    cells = [(r, c) for r in range(4) for c in range(5)]
    truth = "cell_id,split,incidents\n" + "".join(f"{cell_id(r, c)},public,{(r + c) % 3}\n" for r, c in cells)
    phase = open_phase(challenge=scored_challenge(kind=Challenge.Kind.HOTSPOT, truth=truth))
    predictions = "cell_id,score\n" + "".join(f"{cell_id(r, c)},{(r * c) / 20}\n" for r, c in cells)
    submission = scored(phase, team_in(phase), 0.5, file=ContentFile(predictions.encode(), name="p.csv"))
    entry = Entry.objects.create(
        team=submission.team,
        challenge=phase.challenge,
        event=phase.challenge.event,
        title="Hotspot tool",
        submission=submission,
    )
    return entry, submission


def test_an_assigned_judge_sees_the_picture_and_the_entry_page_shows_it(client):
    entry, submission = _entry_on_a_scored_hotspot_submission()
    judge = make_judge(entry.event)
    Assignment.objects.create(entry=entry, judge=judge, event=entry.event)
    client.force_login(judge)
    picture = client.get(f"/submissions/{submission.pk}/picture.png")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert f"/submissions/{submission.pk}/picture.png" in client.get(entry.get_absolute_url()).content.decode()


def test_a_judge_not_assigned_to_the_entry_does_not_see_the_picture(client):
    entry, submission = _entry_on_a_scored_hotspot_submission()
    client.force_login(make_judge(entry.event))
    assert client.get(f"/submissions/{submission.pk}/picture.png").status_code == 404
