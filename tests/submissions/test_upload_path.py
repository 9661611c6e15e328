"""The upload path does only the work it needs (bench/rush.py measures it at a rush)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import open_phase, team_in, upload

pytestmark = pytest.mark.django_db


def counting_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "submissions_submission" in q["sql"]]


def post(api, phase):
    api.force_authenticate(team_in(phase).captain)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    return queries


def test_an_upload_to_a_phase_without_limits_counts_no_submissions(api):
    queries = post(api, open_phase(daily_limit=None, total_limit=None))
    assert counting_queries(queries) == []


def test_an_upload_to_a_phase_with_a_limit_still_counts_before_and_under_the_lock(api):
    queries = post(api, open_phase(daily_limit=None, total_limit=5))
    assert len(counting_queries(queries)) == 2


def test_an_upload_asks_the_database_only_what_it_needs(api):
    """The phase (with its challenge and event), the team, the registration with the newest terms' id in one
    query, the team-row lock (its id only), the members, the insert: no terms text, no membership row."""
    queries = [q["sql"] for q in post(api, open_phase(daily_limit=None, total_limit=None))]
    reads = [sql for sql in queries if sql.upper().startswith("SELECT")]
    assert len(reads) == 5, reads  # force_authenticate: no token read here
    assert not any('"challenges_terms"."text"' in sql for sql in queries)
    # The lock (FOR NO KEY UPDATE on PostgreSQL; SQLite locks the whole database instead) reads the id only.
    (lock,) = [
        sql for sql in reads if sql.startswith('SELECT "challenges_team"."id" AS "pk" FROM "challenges_team" WHERE')
    ]
    assert "FOR NO KEY UPDATE" in lock or connection.vendor != "postgresql"
    assert sum(1 for sql in queries if sql.upper().startswith("INSERT")) == 1
