"""`python manage.py score_file`: score one file from the command line, as the Celery worker does."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from submissions.scoring import ScorerConfigurationError, ScoringValidationError, UnknownKindError, score_file

# Exit status for a refused file or bad arguments (as argparse does); 1 stays free for crashes.
EXIT_INVALID = 2


class Command(BaseCommand):
    help = (
        "Score a submission file against a truth file and print the result as JSON. "
        "An invalid file prints one 'error: ...' line on stderr and exits with status 2."
    )
    # Scoring needs neither the database nor URL configuration; checks would only slow it down.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help="challenge kind: detection, hotspot, network, ...")
        parser.add_argument("--truth", required=True, help="truth CSV (may be gzip-compressed)")
        parser.add_argument("--submission", required=True, help="submission CSV or CSV.GZ")
        parser.add_argument("--fractions", help="hotspot only: comma-separated area fractions, e.g. 0.01,0.05")

    def handle(self, *args: Any, **options: Any) -> None:
        """1. Build the parameters. 2. Score. 3. Print JSON, or one error line and exit 2."""
        try:
            params = _params(options["fractions"])
            result = score_file(
                options["kind"],
                options["truth"],
                options["submission"],
                params=params,
                max_decompressed_bytes=settings.SCORING_MAX_DECOMPRESSED_BYTES,
            )
        except ScoringValidationError as exc:
            where = "in the truth file, " if exc.side == "truth" else ""
            self._fail(f"{where}{exc.message}")
        except (UnknownKindError, ValueError) as exc:
            self._fail(str(exc))
        except OSError as exc:
            self._fail(f"cannot read {exc.filename or 'the file'}: {exc.strerror or exc}")
        except ScorerConfigurationError as exc:
            raise CommandError(str(exc)) from exc  # the deployment's problem, not the file's
        self.stdout.write(json.dumps(result, indent=1))

    def _fail(self, message: str) -> None:
        # One line, whatever the message holds, so that scripts can rely on it.
        self.stderr.write("error: " + message.replace("\r", " ").replace("\n", " "))
        sys.exit(EXIT_INVALID)


def _params(fractions: str | None) -> dict[str, Any] | None:
    if fractions is None:
        return None
    try:
        values = [float(part) for part in fractions.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--fractions must be comma-separated numbers, e.g. 0.01,0.05 (got {fractions!r})") from None
    return {"fractions": values}
