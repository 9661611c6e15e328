"""Judging data for the demo event (called by seed_demo when the judging app is installed; idempotent):
the default rubric, an entry for each demo team on the judged challenge, the judge's assignment and one
scorecard, so that `judge` finds a queue with work in it."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from challenges.models import Challenge, Event, Team
from judging import services
from judging.models import Assignment, Criterion, Entry, Scorecard

ENTRIES = {
    "Team Andes": (
        "SafeShift: shift-pattern alerts for labour inspectors",
        "Flags job ads whose shift patterns match known forced-labour cases, for **labour inspectors**.\n\n"
        "- runs offline on a laptop\n- explains every flag in plain words\n- stores no personal data",
        "https://example.org/andes/safeshift",
    ),
    "Equipe Ipê": (
        "Ponte: a referral map for shelters",
        "A map of shelters and legal aid with their languages and capacity, kept up to date by the shelters "
        "themselves, so frontline responders can refer a survivor in one call.",
        "https://example.org/ipe/ponte",
    ),
    "Équipe Lumière": (
        "Lumière: survivor-led reporting kiosk",
        "A kiosk app that lets a survivor report anonymously in their language, designed with survivors' "
        "organisations; nothing is sent without their explicit consent.",
        "https://example.org/lumiere/kiosk",
    ),
}


class Command(BaseCommand):
    help = "Add judging demo data (rubric, entries, assignment, a scorecard) to the event 'demo'."

    def handle(self, *args, **options):
        event = Event.objects.filter(slug="demo").first()
        challenge = Challenge.objects.filter(event=event, kind=Challenge.Kind.JUDGED).first() if event else None
        organizer = User.objects.filter(username="organizer").first()
        judge = User.objects.filter(username="judge").first()
        if not (event and challenge and organizer and judge):
            self.stdout.write("No demo event with a judged challenge: run seed_demo first.")
            return
        with transaction.atomic():
            if not Criterion.objects.filter(event=event).exists():
                services.criteria_add_defaults(event=event, actor=organizer)
            services.judging_settings_update(event=event, actor=organizer, judges_per_entry=1)
            for team in Team.objects.filter(event=event, name__in=ENTRIES):
                if Entry.objects.filter(team=team, challenge=challenge).exists():
                    continue
                title, summary, url = ENTRIES[team.name]
                services.entry_create(
                    challenge=challenge, user=team.captain, title=title, summary=summary, repository_url=url
                )
            services.assignment_run(event=event, actor=organizer, seed=1)
            first = Assignment.objects.filter(event=event, judge=judge).order_by("entry_id").first()
            if first is not None and not Scorecard.objects.filter(judge=judge, entry__event=event).exists():
                criteria = Criterion.objects.filter(event=event)
                services.scorecard_submit(
                    entry=first.entry,
                    judge=judge,
                    scores={str(c.pk): 4 for c in criteria},
                    comment="Clear users and safeguards; needs a pilot plan.",
                )
        self.stdout.write(f"Judging demo ready: {Entry.objects.filter(event=event).count()} entries.")
