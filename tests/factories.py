"""factory_boy factories shared by the tests (submission factories live in tests/submissions/)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from challenges.models import Challenge, Event, EventRole, Phase, Registration, Team, TeamMembership, Terms

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    country = "CO"
    password = factory.django.Password(PASSWORD)
    # Verified, as most accounts are: tests of unverified addresses pass email_verified_at=None.
    email_verified_at = factory.LazyFunction(timezone.now)


def event_creator(**kwargs) -> User:
    user = UserFactory(**kwargs)
    user.user_permissions.add(Permission.objects.get(codename="add_event", content_type__app_label="challenges"))
    return User.objects.get(pk=user.pk)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    timezone = "America/Bogota"
    visibility = Event.Visibility.PUBLISHED
    team_size_min = 1
    team_size_max = 3


class TermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Terms

    event = factory.SubFactory(EventFactory)
    version = 1
    text = "Use the data only for this event."


def make_organizer(event: Event, **kwargs) -> User:
    user = UserFactory(**kwargs)
    EventRole.objects.create(event=event, user=user, role=EventRole.Role.ORGANIZER)
    return user


def make_judge(event: Event, **kwargs) -> User:
    user = UserFactory(**kwargs)
    EventRole.objects.create(event=event, user=user, role=EventRole.Role.JUDGE)
    return user


def register(event: Event, user: User | None = None) -> User:
    """A participant who accepted the event's current terms."""
    user = user or UserFactory()
    Registration.objects.update_or_create(
        event=event, user=user, defaults={"terms": event.current_terms, "terms_accepted_at": timezone.now()}
    )
    return user


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    event = factory.SubFactory(EventFactory)
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    kind = Challenge.Kind.DETECTION
    title = factory.Sequence(lambda n: f"Challenge {n}")


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    challenge = factory.SubFactory(ChallengeFactory)
    name = "Main"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    country = "BR"
    captain = factory.SubFactory(UserFactory)

    @factory.post_generation
    def with_captain_membership(self, create, extracted, **kwargs):
        if create:
            register(self.event, self.captain)
            TeamMembership.objects.get_or_create(team=self, user=self.captain, event=self.event)


def add_member(team: Team, user: User | None = None) -> User:
    user = register(team.event, user)
    TeamMembership.objects.create(team=team, user=user, event=team.event)
    return user
