"""Row locks lock the row asked for, never the rows a default ordering or select_related joins.

`Phase.objects.select_for_update().filter(pk=...).first()` ordered by the phase's default ordering, which
joins its challenge and event, so on PostgreSQL every leaderboard update (and, through the team's
ordering, every upload) locked the event row: all of an event's uploads and scoring jobs waited on it.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from challenges.models import Event, Phase, Team
from hackplatform.locks import lock_row
from submissions.services import leaderboard_rebuild
from tests.services import rerun_on_postgresql
from tests.submissions.factories import open_phase, scored, team_in


@pytest.mark.django_db
def test_lock_row_reads_one_id_without_a_join():
    phase = open_phase()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert lock_row(Phase, phase.pk) is True
        assert lock_row(Phase, phase.pk + 1000) is False
    sql = queries.captured_queries[0]["sql"]
    assert sql.startswith('SELECT "challenges_phase"."id" AS "pk" FROM "challenges_phase" WHERE') and "JOIN" not in sql
    if connection.vendor == "postgresql":
        assert sql.endswith("FOR NO KEY UPDATE")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_leaderboard_rebuild_leaves_the_event_and_its_teams_free_for_others(request):
    if rerun_on_postgresql(request):  # row locks exist on PostgreSQL only
        return
    phase = open_phase()
    team = team_in(phase)
    scored(phase, team, 0.5)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def rebuild_and_hold() -> None:
        try:
            with transaction.atomic():
                leaderboard_rebuild(phase=phase)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=rebuild_and_hold)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            # Another transaction takes the event and the team rows at once (NOWAIT raises if it must wait).
            cursor.execute(
                'SELECT id FROM "challenges_event" WHERE id = %s FOR UPDATE NOWAIT', [phase.challenge.event_id]
            )
            outcome["event"] = cursor.fetchone()[0]
            assert lock_row(Team, team.pk)
            outcome["team"] = True
    finally:
        release.set()
        holder.join(10)
    assert outcome == {"event": phase.challenge.event_id, "team": True}
    assert Event.objects.filter(pk=phase.challenge.event_id).exists()
