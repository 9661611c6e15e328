"""Create (or refresh) the demo event: users, seven teams from seven countries, one challenge of each kind,
then (by name, through the apps above) a scored submission history and the judging data."""

from __future__ import annotations

import os
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from challenges import selectors, services
from challenges.models import Challenge, Event, EventRole, Phase, Team

DEMO_TERMS = """Data-use agreement (demo)

1. All data in this event is synthetic. Do not try to link it to real people, places or cases.
2. Use the data only for this event. Do not redistribute it.
3. Do not build tools that profile people by nationality, ethnicity, gender or other protected traits.
"""

CHALLENGES = [
    ("detection", "detection", "Flag suspicious accounts", 11),
    ("hotspot", "hotspot", "Forecast exploitation hotspots in Veridia", 12),
    ("network", "network", "Uncover hidden trafficking rings", 13),
    ("judged", "judged", "Build a tool for frontline responders", None),
]
# (team, country, captain, other members). The three captains are the demo logins; the other members have
# no verified address, so the backdated history of uploads they make sends nobody an email.
TEAMS = [
    ("Team Andes", "CO", "alice", ["andres", "valentina"]),
    ("Equipe Ipê", "BR", "bob", ["joana", "thiago", "luana"]),
    ("Équipe Lumière", "FR", "carol", ["amelie", "hugo"]),
    ("Sahel Signal", "SN", "awa", ["moussa", "fatou"]),
    ("Bayanihan Lab", "PH", "maria", ["jose", "rizal"]),
    ("Savanna Analytics", "KE", "wanjiru", ["otieno", "achieng", "kamau"]),
    ("Sankalp", "IN", "priya", ["arjun", "meera"]),
]
LOGINS = ("alice", "bob", "carol")
HISTORY_DAYS = 6  # the phases opened this long ago, so the seeded uploads spread over days


class Command(BaseCommand):
    help = "Create the demo event 'demo' with users organizer, judge, alice, bob and carol (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with a known password; refusing with DEBUG off (use --force).")
        password = os.environ.get("DEMO_PASSWORD", "hackathon-demo")
        with transaction.atomic():
            self._seed(password)
            # Uploads and scores live in submissions, which challenges never imports: ask it by name.
            call_command("seed_submissions_demo", stdout=self.stdout)
            # Judging demo data lives in the judging app, which challenges never imports: ask it by name.
            if apps.is_installed("judging"):
                call_command("seed_judging_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo ready: event 'demo'."))
        self.stdout.write(f"Logins (password '{password}'): organizer, judge, alice, bob, carol")

    def _user(self, username: str, password: str, country: str = "", verified: bool = True) -> User:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org", "country": country}
        )
        user.password = password  # hashed once by the caller: one PBKDF2 run, not one per demo user
        if verified and user.email_verified_at is None:
            user.email_verified_at = timezone.now()  # demo addresses count as verified: they get notifications
        user.save()
        return user

    def _seed(self, password: str) -> None:
        now = timezone.now()
        password = make_password(password)
        organizer = self._user("organizer", password, "CO")
        organizer.user_permissions.add(
            Permission.objects.get(codename="add_event", content_type__app_label="challenges")
        )
        organizer = User.objects.get(pk=organizer.pk)  # drop the permission cache
        judge = self._user("judge", password, "PT")

        event = Event.objects.filter(slug="demo").first()
        if event is None:
            event = services.event_create(
                creator=organizer,
                name="Demo hackathon against human trafficking",
                slug="demo",
                description=(
                    "A demonstration event. Detect suspicious accounts, forecast hotspots in the fictional "
                    "city of Veridia, and uncover hidden rings in a synthetic network.\n\n"
                    "**All data is synthetic.**"
                ),
                timezone="America/Bogota",
                visibility=Event.Visibility.PUBLISHED,
                team_size_min=1,
                team_size_max=4,
                code_of_conduct="Be kind, be inclusive, and respect the people this work is for.",
            )
        EventRole.objects.get_or_create(event=event, user=organizer, role=EventRole.Role.ORGANIZER)
        EventRole.objects.get_or_create(event=event, user=judge, role=EventRole.Role.JUDGE)
        if event.current_terms is None:
            services.terms_publish(event=event, actor=organizer, text=DEMO_TERMS)

        for order, (slug, kind, title, seed) in enumerate(CHALLENGES):
            challenge = Challenge.objects.filter(event=event, slug=slug).first()
            if challenge is None:
                challenge = services.challenge_create(
                    event=event, actor=organizer, kind=kind, title=title, slug=slug, dataset_seed=seed
                )
            challenge.order = order
            challenge.save(update_fields=["order"])
            phase = challenge.phases.first()
            if phase is None:
                services.phase_create(
                    challenge=challenge,
                    actor=organizer,
                    name="Main phase",
                    opens_at=now - timedelta(days=HISTORY_DAYS),
                    closes_at=now + timedelta(days=24),
                    daily_limit=10 if challenge.is_scored else None,
                    total_limit=100 if challenge.is_scored else None,
                )
            elif not phase.is_open(now) or phase.opens_at > now - timedelta(days=HISTORY_DAYS):
                # Reopen a phase that closed since the last run, and move the opening back (a database
                # seeded before the history existed): the seeded uploads must fall inside the window.
                Phase.objects.filter(pk=phase.pk).update(
                    opens_at=min(phase.opens_at, now - timedelta(days=HISTORY_DAYS)),
                    closes_at=max(phase.closes_at, now + timedelta(days=24)),
                )

        for team_name, country, captain_name, member_names in TEAMS:
            team = Team.objects.filter(event=event, name=team_name).first()
            for username in [captain_name, *member_names]:
                user = self._user(username, password, country, verified=username in LOGINS)
                services.registration_create(event=event, user=user, accept_terms=True)
                if selectors.team_of(event=event, user=user) is not None:
                    continue
                if team is None:
                    team = services.team_create(event=event, user=user, name=team_name, country=country)
                else:
                    services.team_join(team=team, user=user, join_code=team.join_code)
