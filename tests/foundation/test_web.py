"""Shared web helpers: one formula-safe CSV writer, one refusal type rendered alike in pages and the API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hackplatform.api import exception_handler
from hackplatform.refusals import Refusal, as_refusal
from hackplatform.web import csv_response, safe_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","win")', '\'=HYPERLINK("http://x","win")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Équipe São Paulo", "Équipe São Paulo"),
        (-0.25, "-0.25"),
        (3, "3"),
        (None, ""),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(cell, written):
    assert safe_cell(cell) == written


def test_a_csv_response_neutralises_every_text_cell_and_keeps_numbers():
    response = csv_response([["team", "score"], ["=cmd|' /C calc'!A0", -1.5]], "x.csv")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["team", "score"], ["'=cmd|' /C calc'!A0", "-1.5"]]


def test_a_refusal_answers_its_status_code_and_retry_after():
    at = datetime(2030, 1, 2, 0, 0, tzinfo=UTC)
    response = exception_handler(Refusal("Come back tomorrow.", code="daily_limit", status=429, retry_after=at), {})
    assert response.status_code == 429
    assert response.data == {"detail": "Come back tomorrow.", "code": "daily_limit", "resets_at": at.isoformat()}
    assert response["Retry-After"] == "Wed, 02 Jan 2030 00:00:00 GMT"


def test_djangos_own_refusals_are_read_as_refusals():
    assert as_refusal(PermissionDenied("Not yours.")).status == 403
    assert as_refusal(PermissionDenied()).text  # a sentence even when the service gave none
    refusal = as_refusal(ValidationError({"name": ["Taken."]}))
    assert refusal.status == 400 and refusal.code == "invalid" and "name" in refusal.error_dict
    response = exception_handler(ValidationError({"name": ["Taken."]}), {})
    assert response.status_code == 400 and response.data["errors"] == {"name": ["Taken."]}
