"""Scripts download uploaded files: a team its own submission's file, the organizers every submission of a
phase (a filtered list, and a zip)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from submissions.models import Submission
from tests.factories import make_organizer
from tests.submissions.factories import SubmissionFactory, detection_csv, open_phase, scored, team_in

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_team_member_downloads_the_file_their_team_uploaded(api):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase, original_name="../../etc/my run.csv")
    api.force_authenticate(submission.team.captain)
    response = api.get(f"/api/v1/submissions/{submission.pk}/file/")
    assert response.status_code == 200
    assert _body(response) == detection_csv()
    disposition = response["Content-Disposition"]
    assert f'filename="submission-{submission.pk}-my run.csv"' in disposition
    assert ".." not in disposition and "/" not in disposition


def test_it_answers_another_teams_file_like_one_that_does_not_exist(api):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    outsider = team_in(phase).captain
    api.force_authenticate(outsider)
    response = api.get(f"/api/v1/submissions/{submission.pk}/file/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_organizers_download_any_submissions_file(api):
    phase = open_phase()
    submission = SubmissionFactory(phase=phase)
    api.force_authenticate(make_organizer(phase.challenge.event))
    assert _body(api.get(f"/api/v1/submissions/{submission.pk}/file/")) == detection_csv()


def test_the_organizers_list_a_phases_submissions_filtered_by_status_and_team(api):
    phase = open_phase()
    team_a, team_b = team_in(phase), team_in(phase)
    queued = SubmissionFactory(phase=phase, team=team_a)
    done_a = scored(phase, team_a, 0.5)
    done_b = scored(phase, team_b, 0.7)
    SubmissionFactory(phase=open_phase())  # another phase: never listed
    api.force_authenticate(make_organizer(phase.challenge.event))
    url = f"/api/v1/phases/{phase.pk}/all-submissions/"

    everything = api.get(url).json()
    assert everything["count"] == 3
    assert {row["id"] for row in everything["results"]} == {queued.pk, done_a.pk, done_b.pk}
    assert {row["id"] for row in api.get(url, {"status": "scored"}).json()["results"]} == {done_a.pk, done_b.pk}
    assert [row["id"] for row in api.get(url, {"status": "scored", "team": team_b.pk}).json()["results"]] == [done_b.pk]


@pytest.mark.parametrize(
    "query", [{"status": "nonsense"}, {"status": ""}, {"team": "x"}, {"team": ""}, {"team": "9223372036854775808"}]
)
def test_it_refuses_a_bad_filter_with_a_reason(api, query):
    phase = open_phase()
    api.force_authenticate(make_organizer(phase.challenge.event))
    response = api.get(f"/api/v1/phases/{phase.pk}/all-submissions/", query)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_it_refuses_participants_the_list_of_all_submissions_and_says_why(api):
    phase = open_phase()
    SubmissionFactory(phase=phase)
    api.force_authenticate(team_in(phase).captain)
    for path in ("all-submissions/", "all-submissions/archive/"):
        response = api.get(f"/api/v1/phases/{phase.pk}/{path}")
        assert response.status_code == 403
        assert "organizers" in response.json()["detail"]


def test_the_organizers_download_the_selection_as_a_zip_with_an_index(api):
    phase = open_phase()
    team = team_in(phase, name="=HYPERLINK(1)")
    first = SubmissionFactory(phase=phase, team=team)
    scored(phase, team_in(phase), 0.7)
    api.force_authenticate(make_organizer(phase.challenge.event))
    response = api.get(f"/api/v1/phases/{phase.pk}/all-submissions/archive/", {"team": team.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    assert sorted(archive.namelist()) == ["index.csv", f"submission-{first.pk}-predictions.csv"]
    assert archive.read(f"submission-{first.pk}-predictions.csv") == detection_csv()
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    assert [(row["id"], row["status"]) for row in rows] == [(str(first.pk), Submission.Status.QUEUED)]
    assert rows[0]["team"] == "'=HYPERLINK(1)"  # formula-safe
