"""Downloads of uploaded files: one submission's file, or a phase's submissions as one zip."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable

from hackplatform.web import write_csv

from .models import Submission
from .selectors import submission_download_name

# Kept in memory up to this size, then spilled to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024


def submissions_zip(submissions: Iterable[Submission]):
    """A zip (an open binary file at position 0) with each submission's file and an `index.csv`
    (id, team, status, submitted_at, public_score, file) written through the formula-safe CSV writer."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open, closed by the response
    rows = [["id", "team_id", "team", "status", "submitted_at", "public_score", "file"]]
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for submission in submissions:
            name = submission_download_name(submission)
            if submission.file:
                with submission.file.open("rb") as source, archive.open(name, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
            rows.append(
                [
                    submission.pk,
                    submission.team_id,
                    submission.team.name,
                    submission.status,
                    submission.received_at.isoformat(),
                    submission.public_score,
                    name if submission.file else "",
                ]
            )
        index = io.StringIO()
        write_csv(index, rows)
        archive.writestr("index.csv", index.getvalue())
    spool.seek(0)
    return spool
