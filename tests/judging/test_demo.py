"""seed_demo gives the demo judge a queue with work in it (through the judging app's own command)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from judging.models import Assignment, Criterion, Entry, Scorecard

pytestmark = pytest.mark.django_db


def test_the_demo_judge_finds_a_queue_with_work_and_seeding_twice_adds_nothing(client):
    call_command("seed_demo", force=True, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)
    judge = User.objects.get(username="judge")
    assert Criterion.objects.filter(event__slug="demo").count() == 5
    assert Entry.objects.filter(event__slug="demo").count() == 3
    assert Assignment.objects.filter(judge=judge).count() == 3
    assert Scorecard.objects.filter(judge=judge).count() == 1
    client.force_login(judge)
    queue = client.get("/events/demo/judging/queue/").content.decode()
    assert "1 of 3 scored" in queue
