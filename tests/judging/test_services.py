"""Entries, criteria, conflicts, the stored assignment and scorecards, through the services."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from challenges.models import AuditLog
from hackplatform.refusals import Refusal
from judging import selectors, services
from judging.models import Assignment, Entry, EntryImage, Scorecard
from tests.factories import TeamFactory, UserFactory, add_member, make_judge

from .factories import close_phases, entry_for, full_scores, judged_challenge, judging_world

pytestmark = pytest.mark.django_db


def png(name: str = "shot.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# Entries -------------------------------------------------------------------------------------------


def test_a_team_writes_one_entry_per_challenge():
    team = TeamFactory()
    challenge = judged_challenge(team.event)
    entry = entry_for(team, challenge, summary="**bold** <script>x</script>", repository_url="https://git.example/x")
    assert entry.team == team and entry.event == team.event
    with pytest.raises(Refusal) as exc:
        entry_for(team, challenge, title="Again")
    assert exc.value.status == 409
    assert Entry.objects.count() == 1


def test_it_refuses_links_that_are_not_http_or_https():
    team = TeamFactory()
    challenge = judged_challenge(team.event)
    for bad in ("javascript:alert(1)", "ftp://files.example/x", "not a url"):
        with pytest.raises(Refusal) as exc:
            entry_for(team, challenge, repository_url=bad)
        assert "http" in exc.value.text
    assert not Entry.objects.exists()


def test_screenshots_are_reencoded_with_thumbnails_and_capped_at_five():
    team = TeamFactory()
    challenge = judged_challenge(team.event)
    entry = entry_for(team, challenge, images=[png(f"s{i}.png") for i in range(3)])
    images = list(entry.images.all())
    assert len(images) == 3 and all(i.thumbnail.name for i in images)
    with pytest.raises(Refusal) as exc:
        services.entry_update(entry=entry, user=team.captain, images=[png(), png(), png()])
    assert exc.value.code == "too_many_images"
    assert entry.images.count() == 3
    bad = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(Refusal):
        services.entry_update(entry=entry, user=team.captain, images=[bad])
    services.entry_update(entry=entry, user=team.captain, remove_images=[images[0].pk], images=[png()])
    assert entry.images.count() == 3


def test_a_failed_entry_leaves_no_image_files_behind(settings, tmp_path):
    team = TeamFactory()
    challenge = judged_challenge(team.event)
    with pytest.raises(Refusal):
        entry_for(team, challenge, images=[png(), SimpleUploadedFile("x.png", b"nope")])
    assert not Entry.objects.exists() and not EntryImage.objects.exists()
    media = tmp_path / "media" / "entries"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_entries_freeze_at_the_deadline_until_an_organizer_reopens_them():
    world = judging_world(n_teams=1, n_judges=0)
    entry = world.entries[0]
    close_phases(world.challenge)
    with pytest.raises(Refusal) as exc:
        services.entry_update(entry=entry, user=world.teams[0].captain, title="Late")
    assert exc.value.status == 403 and "frozen" in exc.value.text
    services.entry_reopen(entry=entry, actor=world.organizer, reopened=True)
    services.entry_update(entry=entry, user=world.teams[0].captain, title="Late")
    assert AuditLog.objects.filter(event=world.event, action="entry_reopen").exists()


def test_only_members_of_the_team_edit_its_entry_and_organizers_write_none():
    world = judging_world(n_teams=2, n_judges=1)
    with pytest.raises(Refusal) as exc:
        services.entry_update(entry=world.entries[0], user=world.teams[1].captain, title="Hijack")
    assert exc.value.status == 403
    with pytest.raises(Refusal) as exc:
        services.entry_create(challenge=world.challenge, user=world.judges[0], title="Judge's own")
    assert exc.value.status == 403
    member = add_member(world.teams[0])
    services.entry_update(entry=world.entries[0], user=member, title="By a member")


def test_a_scored_entry_may_only_attach_its_own_teams_scored_submission():
    from tests.factories import ChallengeFactory, PhaseFactory
    from tests.submissions.factories import SubmissionFactory

    team, other = TeamFactory(), None
    other = TeamFactory(event=team.event)
    challenge = ChallengeFactory(event=team.event, kind="detection")
    phase = PhaseFactory(challenge=challenge)
    mine = SubmissionFactory(phase=phase, team=team, status="scored")
    theirs = SubmissionFactory(phase=phase, team=other, status="scored")
    with pytest.raises(Refusal):
        entry_for(team, challenge, submission=theirs.pk)
    entry = entry_for(team, challenge, submission=mine.pk)
    assert entry.submission == mine


# Criteria --------------------------------------------------------------------------------------------


def test_the_default_rubric_names_the_fields_concerns_and_each_level():
    world = judging_world(n_teams=0, n_judges=0)
    names = [c.name for c in world.criteria]
    assert names == [
        "Impact on trafficking response",
        "Feasibility",
        "Technical quality",
        "Data ethics and privacy",
        "Safety of survivors and of the people in the data",
    ]
    assert all(len(c.levels) == c.max_score - c.min_score + 1 for c in world.criteria)
    assert services.criteria_add_defaults(event=world.event, actor=world.organizer) == []


def test_the_range_of_a_criterion_is_frozen_once_judges_scored():
    world = judging_world(n_teams=1, n_judges=1)
    services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=1)
    services.scorecard_submit(entry=world.entries[0], judge=world.judges[0], scores=full_scores(world.criteria))
    with pytest.raises(Refusal):
        services.criterion_update(criterion=world.criteria[0], actor=world.organizer, max_score=10)
    services.criterion_update(criterion=world.criteria[0], actor=world.organizer, weight=3)


# Conflicts and assignment -------------------------------------------------------------------------------


def test_the_assignment_never_gives_a_judge_a_conflicted_team_or_country():
    world = judging_world(n_teams=4, n_judges=3)
    j0, j1, j2 = world.judges
    services.conflict_declare(event=world.event, actor=j0, team=world.teams[0])
    services.conflict_declare(event=world.event, actor=j1, country="BR")
    result = services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=2, seed=5)
    pairs = set(Assignment.objects.values_list("entry_id", "judge_id"))
    assert (world.entries[0].pk, j0.pk) not in pairs
    brazil = [e.pk for e in world.entries if e.team.country.code == "BR"]
    assert brazil and all((e, j1.pk) not in pairs for e in brazil)
    assert all(len([p for p in pairs if p[0] == e.pk]) == 2 for e in world.entries)
    assert result.balanced


def test_membership_of_a_team_is_an_automatic_conflict():
    world = judging_world(n_teams=2, n_judges=1)
    judge = world.judges[0]
    entry = world.entries[0]
    # A judge cannot join a team through the site; the rule still holds if one is a member anyway.
    from challenges.models import TeamMembership

    TeamMembership.objects.create(team=world.teams[0], user=judge, event=world.event)
    assert "member" in selectors.conflict_reason(judge=judge, entry=entry)
    services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=0)
    assert not Assignment.objects.filter(entry=entry, judge=judge).exists()
    with pytest.raises(Refusal):
        services.assignment_add(entry=entry, judge=judge, actor=world.organizer)


def test_rerunning_after_a_judge_leaves_moves_only_their_entries():
    world = judging_world(n_teams=6, n_judges=4)
    services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=2, seed=9)
    before = set(Assignment.objects.values_list("entry_id", "judge_id"))
    leaving = world.judges[0]
    world.event.roles.filter(user=leaving).delete()
    services.assignment_run(event=world.event, actor=world.organizer)
    after = set(Assignment.objects.values_list("entry_id", "judge_id"))
    assert {p for p in before if p[1] != leaving.pk} <= after
    assert all(p[1] != leaving.pk for p in after - before)


def test_a_declared_conflict_removes_an_unscored_assignment():
    world = judging_world(n_teams=2, n_judges=1)
    services.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1)
    judge = world.judges[0]
    services.conflict_declare(event=world.event, actor=judge, team=world.teams[0])
    assert not Assignment.objects.filter(judge=judge, entry=world.entries[0]).exists()
    assert Assignment.objects.filter(judge=judge, entry=world.entries[1]).exists()


# Scorecards ----------------------------------------------------------------------------------------------


def test_a_judge_scores_only_assigned_entries_within_range_and_revises_until_judging_closes():
    world = judging_world(n_teams=2, n_judges=2)
    j0, j1 = world.judges
    entry = world.entries[0]
    services.assignment_add(entry=entry, judge=j0, actor=world.organizer)
    with pytest.raises(Refusal) as exc:
        services.scorecard_submit(entry=entry, judge=j1, scores=full_scores(world.criteria))
    assert exc.value.status == 403 and exc.value.code == "not_assigned"
    with pytest.raises(Refusal) as exc:
        services.scorecard_submit(entry=entry, judge=j0, scores=full_scores(world.criteria, value=9))
    assert "between 1 and 5" in exc.value.text
    partial = full_scores(world.criteria)
    partial.pop(str(world.criteria[0].pk))
    with pytest.raises(Refusal):
        services.scorecard_submit(entry=entry, judge=j0, scores=partial)
    card, created = services.scorecard_submit(entry=entry, judge=j0, scores=full_scores(world.criteria), revise=False)
    assert created
    card, created = services.scorecard_submit(entry=entry, judge=j0, scores=full_scores(world.criteria, 4), revise=True)
    assert not created and set(card.scores.values()) == {4}
    services.judging_settings_update(
        event=world.event, actor=world.organizer, closes_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(Refusal) as exc:
        services.scorecard_submit(entry=entry, judge=j0, scores=full_scores(world.criteria, 5))
    assert exc.value.code == "judging_closed" and exc.value.status == 403
    assert Scorecard.objects.get().scores == full_scores(world.criteria, 4)


def test_a_judge_of_another_event_cannot_score():
    world = judging_world(n_teams=1, n_judges=1)
    other = judging_world(n_teams=1, n_judges=1)
    with pytest.raises(Refusal) as exc:
        services.scorecard_submit(entry=world.entries[0], judge=other.judges[0], scores=full_scores(world.criteria))
    assert exc.value.code == "not_a_judge"


def test_results_rank_with_normalized_and_raw_scores():
    world = judging_world(n_teams=3, n_judges=2)
    lenient, harsh = world.judges
    e0, e1, e2 = world.entries
    for judge, entry, value in ((lenient, e0, 5), (lenient, e1, 4), (harsh, e1, 2), (harsh, e2, 1)):
        services.assignment_add(entry=entry, judge=judge, actor=world.organizer)
        services.scorecard_submit(entry=entry, judge=judge, scores=full_scores(world.criteria, value))
    rows = selectors.results(world.event)
    assert [r.entry for r in rows] == [e0, e1, e2]
    assert rows[0].raw_mean == pytest.approx(5) and rows[1].n_scorecards == 2
    assert rows[1].normalized == pytest.approx(0)


def test_nobody_outside_judges_and_organizers_declares_conflicts():
    world = judging_world(n_teams=1, n_judges=1)
    stranger = UserFactory()
    with pytest.raises(Refusal):
        services.conflict_declare(event=world.event, actor=stranger, team=world.teams[0])
    with pytest.raises(Refusal):
        services.conflict_declare(event=world.event, actor=world.judges[0], judge=make_judge(world.event), country="CO")
