"""Reads that need care: which events a user may see, what role they hold, and the dashboard's numbers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User

from .models import Challenge, Event, EventRole, Phase, Registration, Team, TeamMembership


def events_visible_to(user) -> QuerySet[Event]:
    """Which events a user may see.

    1. published events: everyone,
    2. invite-only events: their organizers and judges, and those who registered (through the link),
    3. drafts: their organizers only (and superusers, who see everything).
    """
    visible = Q(visibility=Event.Visibility.PUBLISHED)
    if user is not None and user.is_authenticated:
        if user.is_superuser:
            return Event.objects.all()
        visible |= Q(roles__user=user, roles__role=EventRole.Role.ORGANIZER)
        visible |= Q(visibility=Event.Visibility.INVITE_ONLY) & (Q(roles__user=user) | Q(registrations__user=user))
    return Event.objects.filter(pk__in=Event.objects.filter(visible).values("pk"))


def event_visible(user, event: Event, invite_token: str | None = None) -> bool:
    """Can `user` see `event`? An invite-only event is also visible through its invite link."""
    if event.visibility == Event.Visibility.PUBLISHED:
        return True
    if event.visibility == Event.Visibility.INVITE_ONLY and invite_token and invite_token == event.invite_token:
        return True
    return events_visible_to(user).filter(pk=event.pk).exists()


def event_role(user, event: Event) -> str | None:
    """ "organizer", "judge", "participant" (registered) or None. Organizer wins over judge."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return "organizer"
    roles = set(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True))
    if EventRole.Role.ORGANIZER in roles:
        return "organizer"
    if EventRole.Role.JUDGE in roles:
        return "judge"
    if Registration.objects.filter(event=event, user=user).exists():
        return "participant"
    return None


def is_organizer(user, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return EventRole.objects.filter(event=event, user=user, role=EventRole.Role.ORGANIZER).exists()


def can_see_roster(user, event: Event) -> bool:
    """May `user` see who is in the teams of `event` (usernames)? Everyone when the event makes rosters
    public; otherwise its participants (registered), judges and organizers, and superusers."""
    if event.roster_visibility == Event.RosterVisibility.PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        EventRole.objects.filter(event=event, user=user).exists()
        or Registration.objects.filter(event=event, user=user).exists()
    )


def events_organized_by(user) -> QuerySet[Event]:
    if user is None or not user.is_authenticated:
        return Event.objects.none()
    if user.is_superuser:
        return Event.objects.all()
    return Event.objects.filter(roles__user=user, roles__role=EventRole.Role.ORGANIZER).distinct()


def event_roles_of(user) -> dict[int, str]:
    """{event id: the user's role there}, "organizer" over "judge" over "participant" (registered)."""
    if user is None or not user.is_authenticated:
        return {}
    rank = {EventRole.Role.ORGANIZER: 0, EventRole.Role.JUDGE: 1}
    roles: dict[int, str] = {}
    for event_id, role in EventRole.objects.filter(user=user).values_list("event_id", "role"):
        if event_id not in roles or rank[role] < rank[roles[event_id]]:
            roles[event_id] = role
    for event_id in Registration.objects.filter(user=user).values_list("event_id", flat=True):
        roles.setdefault(event_id, "participant")
    return roles


def events_of_user(user) -> list[dict]:
    """The events where `user` organizes, judges or takes part (registered), newest first, for "My events".

    Each item: {"event", "role" (see `event_roles_of`), "team" (or None)}. Only events the user may
    open; four queries whatever the number of events.
    """
    roles = event_roles_of(user)
    if not roles:
        return []
    teams = {m.event_id: m.team for m in TeamMembership.objects.filter(user=user).select_related("team")}
    events = events_visible_to(user).filter(pk__in=roles).order_by("-created_at")
    return [{"event": event, "role": roles[event.pk], "team": teams.get(event.pk)} for event in events]


def challenges_with_phases(event: Event) -> QuerySet[Challenge]:
    return event.challenges.prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("order", "opens_at")))


def teams_with_members(event: Event) -> QuerySet[Team]:
    return (
        event.teams.select_related("captain")
        .prefetch_related(Prefetch("memberships", queryset=TeamMembership.objects.select_related("user")))
        .annotate(size=Count("memberships"))
        .order_by("name")
    )


def event_deadlines(event: Event) -> list[tuple[str, datetime]]:
    """The upcoming moments a participant cares about, soonest first: registration and phase closings."""
    now = timezone.now()
    items: list[tuple[str, datetime]] = []
    if event.registration_closes_at and event.registration_closes_at > now:
        items.append((_("Registration closes"), event.registration_closes_at))
    for phase in Phase.objects.filter(challenge__event=event, closes_at__gt=now).select_related("challenge"):
        label = _("%(challenge)s (%(phase)s) closes") % {"challenge": phase.challenge.title, "phase": phase.name}
        items.append((label, phase.closes_at))
    return sorted(items, key=lambda item: item[1])


# Organizer dashboard ------------------------------------------------------------------------------


def registrations_by_country(event: Event) -> list[tuple[str, str, int]]:
    """[(code, name, count)], largest first; users without a country under "??"."""
    counts = Counter(
        code or "" for code in Registration.objects.filter(event=event).values_list("user__country", flat=True)
    )
    rows = [(code or "??", countries.name(code) if code else "—", n) for code, n in counts.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def phases_with_state(event: Event) -> list[tuple[Phase, str]]:
    now = timezone.now()
    phases = Phase.objects.filter(challenge__event=event).select_related("challenge").order_by("opens_at")
    return [(phase, phase.state(now)) for phase in phases]


def participant_rows(event: Event) -> list[list[str]]:
    """CSV rows of the participants export: one row per registration (no email unless needed)."""
    team_by_user = dict(TeamMembership.objects.filter(event=event).values_list("user_id", "team__name"))
    rows = [["username", "email", "country", "registered_at", "terms_version", "terms_accepted_at", "team"]]
    for reg in Registration.objects.filter(event=event).select_related("user", "terms").order_by("created_at"):
        rows.append(
            [
                reg.user.username,
                reg.user.email,
                str(reg.user.country or ""),
                reg.created_at.isoformat(),
                str(reg.terms.version) if reg.terms else "",
                reg.terms_accepted_at.isoformat() if reg.terms_accepted_at else "",
                team_by_user.get(reg.user_id, ""),
            ]
        )
    return rows


def team_rows(event: Event) -> list[list[str]]:
    rows = [["team_id", "name", "country", "captain", "members", "size", "created_at"]]
    for team in teams_with_members(event):
        members = sorted(m.user.username for m in team.memberships.all())
        rows.append(
            [
                str(team.pk),
                team.name,
                str(team.country),
                team.captain.username,
                " ".join(members),
                str(len(members)),
                team.created_at.isoformat(),
            ]
        )
    return rows


# Who someone is in an event ----------------------------------------------------------------------


def can_create_events(user: User) -> bool:
    """Site staff, and users given the "add event" permission (the demo's `organizer`), create events."""
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("challenges.add_event")))


def event_staff_role(*, event: Event, user: User | None) -> str | None:
    """The user's EventRole in `event` ("organizer" over "judge"), or None: those who run an event
    do not take part in it."""
    if user is None or not user.is_authenticated:
        return None
    roles = set(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True))
    if EventRole.Role.ORGANIZER in roles:
        return EventRole.Role.ORGANIZER
    if EventRole.Role.JUDGE in roles:
        return EventRole.Role.JUDGE
    return None


def registration_for(*, event: Event, user: User) -> Registration | None:
    if not user or not user.is_authenticated:
        return None
    registration = Registration.objects.filter(event=event, user=user).select_related("terms").first()
    if registration is not None:
        registration.event = event  # the caller's copy: reading `registration.event` costs no second query
    return registration


def roster_locked(event: Event, at: datetime | None = None) -> bool:
    """Rosters lock once the event's last phase has closed, unless an organizer unlocked them."""
    if event.roster_unlocked:
        return False
    at = at or timezone.now()
    last = Phase.objects.filter(challenge__event=event).order_by("-closes_at").first()
    return last is not None and at >= last.accepts_until


def team_of(*, event: Event, user: User) -> Team | None:
    if not user or not user.is_authenticated:
        return None
    # The team alone, through the (event, user) unique index, with no ORDER BY: every upload asks.
    rows = Team.objects.filter(memberships__event_id=event.pk, memberships__user_id=user.pk).order_by()[:1]
    team = next(iter(rows), None)
    if team is not None:
        team.event = event  # the caller's copy: reading `team.event` costs no second query
    return team


def event_setup_steps(event: Event) -> list[dict]:
    """What a new event still needs, in order, each with whether it is done and the challenge it concerns
    (the view turns them into links): the dashboard's checklist. Judges are `required` only for an event
    with a judged challenge."""
    challenges = list(event.challenges.order_by("order", "pk"))
    without_data = next((c for c in challenges if c.is_scored and not c.has_dataset), None)
    has_phase = Phase.objects.filter(challenge__event=event).exists()
    judged = any(not c.is_scored for c in challenges)
    steps = [
        {"key": "terms", "done": event.terms.exists(), "challenge": None},
        {"key": "challenge", "done": bool(challenges), "challenge": None},
        {"key": "dataset", "done": bool(challenges) and without_data is None, "challenge": without_data},
        {"key": "phase", "done": has_phase, "challenge": challenges[0] if challenges else None},
        {"key": "publish", "done": event.visibility != Event.Visibility.DRAFT, "challenge": None},
        {"key": "judges", "done": event.roles.filter(role=EventRole.Role.JUDGE).exists(), "challenge": None},
    ]
    for step in steps:  # judges are needed only once a challenge is judged
        step["required"] = step["key"] != "judges" or judged
    return steps
