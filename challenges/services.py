"""Writes that span models or check permissions: events, roles, terms, challenges, phases, teams."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import AuditLog, Challenge, Event, EventRole, Phase, Registration, Team, TeamMembership, Terms
from .selectors import is_organizer


def _require_organizer(user: User, event: Event) -> None:
    if not is_organizer(user, event):
        raise PermissionDenied(_("Only the organizers of this event can do this."))


def audit(*, event: Event, actor: User | None, action: str, **details) -> AuditLog:
    return AuditLog.objects.create(event=event, actor=actor, action=action, details=details)


# Events and roles -------------------------------------------------------------------------------


def can_create_events(user: User) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("challenges.add_event"))


@transaction.atomic
def event_create(*, creator: User, name: str, slug: str, **fields) -> Event:
    """Create an event: 1. check the creator's right, 2. save it, 3. make the creator its organizer."""
    if not can_create_events(creator):
        raise PermissionDenied(_("You do not have the right to create events. Ask the site staff."))
    event = Event(name=name, slug=slug, created_by=creator, **fields)
    event.full_clean()
    event.save()
    EventRole.objects.create(event=event, user=creator, role=EventRole.Role.ORGANIZER)
    audit(event=event, actor=creator, action="event_create")
    return event


@transaction.atomic
def role_grant(*, event: Event, actor: User, user: User, role: str) -> EventRole:
    """Make `user` an organizer or judge of `event` (organizers and site staff only)."""
    if not (is_organizer(actor, event) or actor.is_staff):
        raise PermissionDenied(_("Only the organizers of this event can grant roles."))
    obj, _created = EventRole.objects.get_or_create(event=event, user=user, role=role)
    audit(event=event, actor=actor, action="role_grant", user=user.username, role=role)
    return obj


@transaction.atomic
def terms_publish(*, event: Event, actor: User, text: str) -> Terms:
    """Publish a new version of the data-use agreement; everyone registered must accept it again."""
    _require_organizer(actor, event)
    latest = Terms.objects.select_for_update().filter(event=event).order_by("-version").first()
    terms = Terms.objects.create(event=event, version=(latest.version + 1) if latest else 1, text=text)
    audit(event=event, actor=actor, action="terms_publish", version=terms.version)
    return terms


# Registration -----------------------------------------------------------------------------------


@transaction.atomic
def registration_create(*, event: Event, user: User, accept_terms: bool, at: datetime | None = None) -> Registration:
    """Register `user` for `event`, or record their acceptance of a newer version of the terms.

    1. refuse if the terms are not accepted or registration is closed (re-acceptance is always allowed),
    2. create the registration or update it with the current terms version and the time.
    """
    at = at or timezone.now()
    if not accept_terms:
        raise ValidationError(_("You must accept the event's data-use agreement to register."), code="terms")
    existing = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if existing is None and not event.is_registration_open(at):
        raise ValidationError(_("Registration for this event is closed."), code="registration_closed")
    terms = event.current_terms
    registration = existing or Registration(event=event, user=user)
    registration.terms = terms
    registration.terms_accepted_at = at
    registration.save()
    return registration


def registration_for(*, event: Event, user: User) -> Registration | None:
    if not user or not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).select_related("terms").first()


def require_accepted_terms(*, event: Event, user: User) -> Registration:
    registration = registration_for(event=event, user=user)
    if registration is None:
        raise PermissionDenied(_("Register for this event (and accept its data-use agreement) first."))
    if not registration.accepted_current_terms():
        raise PermissionDenied(_("The data-use agreement changed: accept the new version on the event page first."))
    return registration


# Challenges and datasets ------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def challenge_store_dataset(*, challenge: Challenge, public_files: dict[str, bytes], truth: bytes) -> Challenge:
    """Store a dataset's files in private storage and bump the truth version (re-scoring is the caller's)."""
    slug = f"{challenge.event.slug}-{challenge.slug}"
    old_truth, old_archive = challenge.truth_file.name, challenge.public_archive.name
    challenge.truth_file.save(f"{slug}-truth.csv", ContentFile(truth), save=False)
    challenge.public_archive.save(f"{slug}-data.zip", ContentFile(_zip(public_files)), save=False)
    challenge.truth_version += 1
    challenge.save()
    for name in (old_truth, old_archive):
        if name:
            transaction.on_commit(lambda name=name: challenge.truth_file.storage.delete(name))
    return challenge


def challenge_generate_dataset(*, challenge: Challenge, seed: int, size: str = "small") -> Challenge:
    """Generate the synthetic dataset of a scored challenge and store it (kept apart from the truth)."""
    from .datasets import generate

    if not challenge.is_scored:
        raise ValidationError(_("Judged challenges have no generated dataset."))
    dataset = generate(challenge.kind, seed, size)
    challenge.dataset_source = Challenge.DatasetSource.GENERATED
    challenge.dataset_seed = seed
    challenge.dataset_size = size
    challenge.scoring_params = dataset.params
    challenge.dataset_meta = dataset.meta
    return challenge_store_dataset(challenge=challenge, public_files=dataset.public_files, truth=dataset.truth)


@transaction.atomic
def challenge_create(
    *,
    event: Event,
    actor: User,
    kind: str,
    title: str,
    slug: str,
    description: str = "",
    dataset_seed: int | None = None,
    dataset_size: str = "small",
) -> Challenge:
    """Add a challenge; for a generated kind, generate its dataset from (seed, size)."""
    _require_organizer(actor, event)
    challenge = Challenge(event=event, kind=kind, title=title, slug=slug, description=description)
    challenge.full_clean()
    challenge.save()
    if challenge.is_scored and dataset_seed is not None:
        challenge_generate_dataset(challenge=challenge, seed=dataset_seed, size=dataset_size)
    audit(event=event, actor=actor, action="challenge_create", challenge=challenge.slug, kind=kind)
    return challenge


@transaction.atomic
def phase_create(*, challenge: Challenge, actor: User, name: str, opens_at: datetime, closes_at: datetime, **fields) -> Phase:
    _require_organizer(actor, challenge.event)
    phase = Phase(challenge=challenge, name=name, opens_at=opens_at, closes_at=closes_at, **fields)
    phase.full_clean()
    phase.save()
    return phase


# Teams ------------------------------------------------------------------------------------------


def roster_locked(event: Event, at: datetime | None = None) -> bool:
    """Rosters lock once the event's last phase has closed, unless an organizer unlocked them."""
    if event.roster_unlocked:
        return False
    at = at or timezone.now()
    last = Phase.objects.filter(challenge__event=event).order_by("-closes_at").first()
    return last is not None and at >= last.accepts_until


def _check_can_change_team(event: Event, user: User) -> None:
    require_accepted_terms(event=event, user=user)
    if roster_locked(event):
        raise ValidationError(_("Teams are locked: the event's last phase has closed."), code="roster_locked")


@transaction.atomic
def team_create(*, event: Event, user: User, name: str, country: str) -> Team:
    """Create a team with `user` as its captain and first member.

    1. the user must be registered (terms accepted) and not in a team of this event,
    2. the event's team cap must not be reached,
    3. create the team and the membership (the database refuses a second team per user and event).
    """
    _check_can_change_team(event, user)
    Event.objects.select_for_update().get(pk=event.pk)  # serialize team creation per event for max_teams
    if TeamMembership.objects.filter(event=event, user=user).exists():
        raise ValidationError(_("You are already in a team for this event. Leave it first."), code="already_in_team")
    if event.max_teams is not None and event.teams.filter(is_baseline=False).count() >= event.max_teams:
        raise ValidationError(_("This event has reached its maximum number of teams."), code="max_teams")
    if event.teams.filter(name__iexact=name).exists():
        raise ValidationError(_("A team with this name already exists in this event."), code="team_name_taken")
    team = Team(event=event, name=name, country=country, captain=user)
    team.full_clean()
    team.save()
    try:
        with transaction.atomic():
            TeamMembership.objects.create(team=team, user=user, event=event)
    except IntegrityError:
        raise ValidationError(_("You are already in a team for this event. Leave it first."), code="already_in_team")
    return team


@transaction.atomic
def team_join(*, team: Team, user: User, join_code: str) -> TeamMembership:
    event = team.event
    _check_can_change_team(event, user)
    team = Team.objects.select_for_update().get(pk=team.pk)  # serialize joins: size limit holds under races
    if join_code != team.join_code:
        raise ValidationError(_("This join code is not valid for this team."), code="bad_join_code")
    if TeamMembership.objects.filter(event=event, user=user).exists():
        raise ValidationError(_("You are already in a team for this event. Leave it first."), code="already_in_team")
    if team.memberships.count() >= event.team_size_max:
        raise ValidationError(
            _("This team is full (%(max)d members at most).") % {"max": event.team_size_max}, code="team_full"
        )
    try:
        with transaction.atomic():
            return TeamMembership.objects.create(team=team, user=user, event=event)
    except IntegrityError:
        raise ValidationError(_("You are already in a team for this event. Leave it first."), code="already_in_team")


@transaction.atomic
def team_leave(*, team: Team, user: User) -> None:
    """Leave a team. A captain hands over to the longest-standing member; the last member dissolves it
    unless it has submissions (then it stays, empty, so nothing stored is lost)."""
    event = team.event
    if roster_locked(event):
        raise ValidationError(_("Teams are locked: the event's last phase has closed."), code="roster_locked")
    team = Team.objects.select_for_update().get(pk=team.pk)
    membership = team.memberships.filter(user=user).first()
    if membership is None:
        raise ValidationError(_("You are not a member of this team."), code="not_member")
    membership.delete()
    remaining = team.memberships.order_by("joined_at", "id").first()
    if team.captain_id == user.id and remaining is not None:
        team.captain = remaining.user
        team.save(update_fields=["captain"])


@transaction.atomic
def team_transfer_captain(*, team: Team, actor: User, new_captain: User) -> Team:
    if team.captain_id != actor.id and not is_organizer(actor, team.event):
        raise PermissionDenied(_("Only the captain can hand over the team."))
    if not team.memberships.filter(user=new_captain).exists():
        raise ValidationError(_("The new captain must be a member of the team."), code="not_member")
    team.captain = new_captain
    team.save(update_fields=["captain"])
    return team


def team_of(*, event: Event, user: User) -> Team | None:
    if not user or not user.is_authenticated:
        return None
    membership = TeamMembership.objects.filter(event=event, user=user).select_related("team").first()
    return membership.team if membership else None
