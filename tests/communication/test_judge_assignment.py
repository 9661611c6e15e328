"""A judge hears of the entries assigned to them: once per assignment batch, by notification and email,
in their language, with a link to their judging queue (judging -> challenges.hooks -> communication)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from communication import services
from communication.models import Delivery, EmailOptOut, Notification
from communication.selectors import notification_text
from judging import services as judging
from tests.factories import TeamFactory
from tests.judging.factories import entry_for, judging_world

pytestmark = pytest.mark.django_db


def test_each_judge_is_notified_and_emailed_once_per_assignment_run_with_a_link_to_their_queue(
    django_capture_on_commit_callbacks,
):
    world = judging_world(n_teams=3, n_judges=2)
    with django_capture_on_commit_callbacks(execute=True):
        judging.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=2, seed=1)
    notes = Notification.objects.filter(code="judge_assigned").order_by("user_id")
    assert [n.user_id for n in notes] == sorted(j.pk for j in world.judges)  # one each, not one per entry
    assert all(n.params["n"] == 3 and n.kind == "judging" for n in notes)
    assert notes[0].url == f"/events/{world.event.slug}/judging/queue/"
    with translation.override("en"):
        assert notification_text(notes[0])[1].startswith("You have 3 new entries to judge in")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(j.email for j in world.judges)
    message = mail.outbox[0]
    assert f"/events/{world.event.slug}/judging/queue/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Delivery.objects.values_list("kind", "email")) == {("judging", "sent")}


def test_running_the_assignment_again_with_nothing_new_notifies_nobody_and_a_new_entry_tells_only_its_judges(
    django_capture_on_commit_callbacks,
):
    world = judging_world(n_teams=2, n_judges=2)
    with django_capture_on_commit_callbacks(execute=True):
        judging.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=1)
        judging.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=1)
    assert Notification.objects.filter(code="judge_assigned").count() == 2 and len(mail.outbox) == 2
    entry_for(TeamFactory(event=world.event, country="MX"), world.challenge, title="Late entry")
    with django_capture_on_commit_callbacks(execute=True):
        judging.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=1)
    latest = Notification.objects.filter(code="judge_assigned").order_by("-id").first()
    assert Notification.objects.filter(code="judge_assigned").count() == 3 and latest.params["n"] == 1
    assert len(mail.outbox) == 3


def test_a_judge_added_by_hand_is_notified_and_the_email_follows_their_choices(django_capture_on_commit_callbacks):
    world = judging_world(n_teams=1, n_judges=2)
    quiet, keen = world.judges
    EmailOptOut.objects.create(user=quiet, kind="judging")
    with django_capture_on_commit_callbacks(execute=True):
        judging.assignment_add(entry=world.entries[0], judge=quiet, actor=world.organizer)
        judging.assignment_add(entry=world.entries[0], judge=quiet, actor=world.organizer)  # already there
        judging.assignment_add(entry=world.entries[0], judge=keen, actor=world.organizer)
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted([quiet.pk, keen.pk])
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert Delivery.objects.get(user=quiet).email == Delivery.Email.SKIPPED


def test_the_judges_email_is_written_in_their_language(django_capture_on_commit_callbacks):
    world = judging_world(n_teams=1, n_judges=1)
    judge = world.judges[0]
    judge.language = "pt"
    judge.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        judging.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=1)
    assert "Você recebe esta mensagem" in mail.outbox[0].body


def test_a_receiver_that_fails_never_undoes_the_assignment(django_capture_on_commit_callbacks, monkeypatch):
    world = judging_world(n_teams=1, n_judges=1)

    def broken(**kwargs):
        raise RuntimeError("mail system down")

    monkeypatch.setattr(services, "notify_judges_assigned", broken)
    with django_capture_on_commit_callbacks(execute=True):
        judging.assignment_run(event=world.event, actor=world.organizer, judges_per_entry=1, seed=1)
    assert world.entries[0].assignments.count() == 1
