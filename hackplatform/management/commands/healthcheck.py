"""`manage.py healthcheck`: the report of /healthz/ for containers without a web server (worker, beat).

Prints the JSON report; exits 1 when the database does not answer (or, with --require, when any of
the named parts is down), else 0.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from hackplatform.health import OK, health


class Command(BaseCommand):
    help = "Check the database, the broker and the cache; exit 1 when the database (or a --require'd part) is down."

    def add_arguments(self, parser):
        parser.add_argument(
            "--require",
            action="append",
            choices=["broker", "cache"],
            default=[],
            help="also fail when this part is down (a worker needs its broker)",
        )

    def handle(self, *args, **options):
        healthy, report = health()
        self.stdout.write(json.dumps(report))
        missing = [part for part in options["require"] if report[part] != OK]
        if not healthy or missing:
            raise CommandError(f"unhealthy: {', '.join(p for p, v in report.items() if v == 'down')}")
