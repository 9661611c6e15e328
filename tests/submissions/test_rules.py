"""The ranking rule lives in submissions.rules: scoring, leaderboards, pages, the API and emails agree."""

from __future__ import annotations

import io

import pytest
from django.core import mail

from submissions import rules
from submissions.models import Submission
from submissions.services import submission_score

from .factories import SubmissionFactory, open_phase

pytestmark = pytest.mark.django_db
Status = Submission.Status


def test_an_overridden_primary_metric_still_scores_and_ranks_by_that_metric(django_capture_on_commit_callbacks):
    # Regression: the override key was passed to the scorer, which refused it, so every upload failed.
    phase = open_phase()
    challenge = phase.challenge
    challenge.scoring_params = {"primary_metric": "roc_auc"}
    challenge.save()
    submission = SubmissionFactory(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_score(submission_id=submission.pk) == "scored"
    submission.refresh_from_db()
    assert submission.status == Status.SCORED, submission.error
    assert submission.public_score == pytest.approx(submission.scores["public"]["roc_auc"])
    assert rules.primary_metric(challenge) == challenge.primary_metric == "roc_auc"


def test_the_submission_page_marks_the_overridden_metric_as_primary(client):
    phase = open_phase()
    phase.challenge.scoring_params = {"primary_metric": "roc_auc"}
    phase.challenge.save()
    submission = SubmissionFactory(phase=phase)
    submission_score(submission_id=submission.pk)
    client.force_login(submission.submitted_by)
    page = client.get(submission.get_absolute_url())
    assert page.status_code == 200
    rows = page.context["splits"][0]["rows"]
    assert [row["metric"] for row in rows if row["primary"]] == ["roc_auc"]


def test_the_scored_email_names_the_overridden_metric(django_capture_on_commit_callbacks):
    phase = open_phase()
    phase.challenge.scoring_params = {"primary_metric": "roc_auc"}
    phase.challenge.save()
    submission = SubmissionFactory(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=submission.pk)
    assert len(mail.outbox) == 1
    assert "roc_auc" in mail.outbox[0].body or "ROC" in mail.outbox[0].body


def test_the_scorer_never_receives_platform_keys():
    phase = open_phase()
    phase.challenge.scoring_params = {"primary_metric": "roc_auc"}
    assert rules.scorer_params(phase.challenge) is None
    assert rules.scorer_only({"primary_metric": "x", "fractions": [0.05]}) == {"fractions": [0.05]}


def test_an_uploaded_truth_is_checked_without_the_platform_keys():
    from challenges import hooks

    truth = open_phase().challenge.truth_file
    truth.open("rb")
    data = truth.read()
    truth.close()
    hooks.truth_validator.func("detection", io.BytesIO(data), {"primary_metric": "roc_auc"})


@pytest.mark.parametrize(
    ("kind", "params", "problem"),
    [
        ("detection", {"primary_metric": "accuracy"}, "primary_metric must be one of"),
        ("detection", {"surprise": 1}, "takes no parameter"),
        ("judged", {"primary_metric": "x"}, "takes no scoring parameters"),
    ],
)
def test_bad_scoring_params_are_refused_with_a_sentence(kind, params, problem):
    with pytest.raises(ValueError, match=problem):
        rules.check_scoring_params(kind, params)


def test_good_scoring_params_pass():
    assert rules.check_scoring_params("detection", {"primary_metric": "roc_auc"}) == {"primary_metric": "roc_auc"}
    assert rules.check_scoring_params("hotspot", {"fractions": [0.05, 0.25]})["fractions"] == [0.05, 0.25]


def test_a_direction_comes_from_the_scorer():
    challenge = open_phase().challenge
    assert rules.ranking(challenge) == rules.Ranking(metric="average_precision", higher_is_better=True)
