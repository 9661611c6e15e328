"""Writes that span models or check permissions: events, roles, terms, challenges, phases, teams."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from hackplatform.locks import SELF

from .models import AuditLog, Challenge, Event, EventRole, Phase, Registration, Team, TeamMembership, Terms
from .names import team_name_key
from .selectors import can_create_events, event_staff_role, is_organizer, roster_locked


def _require_organizer(user: User, event: Event) -> None:
    if not is_organizer(user, event):
        raise PermissionDenied(_("Only the organizers of this event can do this."))


def audit(*, event: Event | None, actor: User | None, action: str, **details) -> AuditLog:
    """Record a decision. `event` is None for what belongs to no event (a deleted event, a revoked token):
    the row outlives its event (`AuditLog.event` is SET_NULL), so a deletion stays explained."""
    return AuditLog.objects.create(event=event, actor=actor, action=action, details=details)


# Events and roles -------------------------------------------------------------------------------


@transaction.atomic
def event_create(*, creator: User, name: str, slug: str, banner=None, **fields) -> Event:
    """Create an event: 1. check the creator's right, 2. save it (with its banner re-encoded, if one was
    sent), 3. make the creator its organizer."""
    if not can_create_events(creator):
        raise PermissionDenied(_("You do not have the right to create events. Ask the site staff."))
    event = Event(name=name, slug=slug, created_by=creator, **fields)
    event.full_clean()
    if banner:
        event_set_banner(event=event, upload=banner)
    event.save()
    EventRole.objects.create(event=event, user=creator, role=EventRole.Role.ORGANIZER)
    audit(event=event, actor=creator, action="event_create")
    return event


def require_not_event_staff(*, event: Event, user: User) -> None:
    """Refuse (403, saying why) an organizer or judge of `event` who tries to register or join a team."""
    role = event_staff_role(event=event, user=user)
    if role == EventRole.Role.ORGANIZER:
        raise PermissionDenied(
            _("You organize this event, so you cannot take part in it: organizers cannot register or join a team.")
        )
    if role == EventRole.Role.JUDGE:
        raise PermissionDenied(
            _("You judge this event, so you cannot take part in it: judges cannot register or join a team.")
        )


@transaction.atomic
def role_grant(*, event: Event, actor: User, user: User, role: str) -> EventRole:
    """Make `user` an organizer or judge of `event` (organizers and site staff only).

    Someone who takes part in the event (registered, or in one of its teams) cannot also run or judge it:
    refused, saying why. (An existing role granted again is harmless.)
    """
    if not (is_organizer(actor, event) or actor.is_staff):
        raise PermissionDenied(_("Only the organizers of this event can grant roles."))
    already = EventRole.objects.filter(event=event, user=user, role=role).exists()
    if not already and (
        Registration.objects.filter(event=event, user=user).exists()
        or TeamMembership.objects.filter(event=event, user=user).exists()
    ):
        raise ValidationError(
            _(
                "%(name)s takes part in this event (registered or in a team): "
                "a participant cannot also be one of its organizers or judges."
            )
            % {"name": user.username},
            code="participant_cannot_have_role",
        )
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
def registration_create(
    *,
    event: Event,
    user: User,
    accept_terms: bool,
    at: datetime | None = None,
    invite_token: str | None = None,
) -> Registration:
    """Register `user` for `event`, or record their acceptance of a newer version of the terms.

    1. refuse its organizers and judges (they do not take part), and refuse if the terms are not
       accepted, the event is a draft, an invite-only event is joined
       without its invite link, or registration is closed (re-acceptance is always allowed),
    2. create the registration or update it with the current terms version and the time.
    """
    at = at or timezone.now()
    require_not_event_staff(event=event, user=user)
    if not accept_terms:
        raise ValidationError(_("You must accept the event's data-use agreement to register."), code="terms")
    existing = Registration.objects.select_for_update(of=SELF).filter(event=event, user=user).order_by().first()
    if existing is None:
        if event.visibility == Event.Visibility.DRAFT:
            raise PermissionDenied(_("This event is not open yet: the organizers have not published it."))
        if event.visibility == Event.Visibility.INVITE_ONLY and invite_token != event.invite_token:
            raise PermissionDenied(_("This event is invite-only: open the invite link the organizers sent you."))
        if not event.is_registration_open(at):
            if event.registration_opens_at and at < event.registration_opens_at:
                raise ValidationError(_("Registration for this event has not opened yet."), code="registration_closed")
            raise ValidationError(_("Registration for this event is closed."), code="registration_closed")
    terms = event.current_terms
    registration = existing or Registration(event=event, user=user)
    registration.terms = terms
    registration.terms_accepted_at = at
    registration.save()
    return registration


def require_accepted_terms(*, event: Event, user: User) -> None:
    """Refuse unless `user` registered for `event` and accepted its newest data-use agreement.

    One query (the registration and the newest terms' id as a subquery; no terms text): every upload asks.
    """
    newest = Terms.objects.filter(event_id=event.pk).order_by("-version").values("pk")[:1]
    row = None
    if user and user.is_authenticated:
        rows = (
            Registration.objects.filter(event_id=event.pk, user_id=user.pk)
            .annotate(newest_terms_id=Subquery(newest))
            .values_list("terms_id", "terms_accepted_at", "newest_terms_id")[:1]
        )
        row = next(iter(rows), None)
    if row is None:
        raise PermissionDenied(_("Register for this event (and accept its data-use agreement) first."))
    if not Registration.accepts(*row):
        raise PermissionDenied(_("The data-use agreement changed: accept the new version on the event page first."))


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
    archive = _zip(public_files)
    challenge.public_archive.save(f"{slug}-data.zip", ContentFile(archive), save=False)
    # Computed once here, from the bytes written: downloads send it as the ETag and clients check it.
    challenge.public_archive_sha256 = hashlib.sha256(archive).hexdigest()
    challenge.public_archive_size = len(archive)
    challenge.truth_version += 1
    challenge.save()
    for name in (old_truth, old_archive):
        if name:
            transaction.on_commit(lambda name=name: challenge.truth_file.storage.delete(name))
    return challenge


@transaction.atomic
def challenge_delete(*, challenge: Challenge, actor: User) -> None:
    """Delete a challenge (the event's organizers) that nothing stands on yet.

    1. refuse anyone but the organizers (403);
    2. lock the challenge and refuse one with submissions or project entries (409): scores, leaderboards
       and judges' scorecards would go with it;
    3. record it in the event's audit log, delete it (its phases go with it) and its files after commit.
    """
    from hackplatform.refusals import Refusal

    _require_organizer(actor, challenge.event)
    challenge = Challenge.objects.select_for_update(of=SELF).select_related("event").get(pk=challenge.pk)
    # Reverse relations by name: submissions and judging sit above this app and are never imported here.
    if Phase.objects.filter(challenge=challenge, submissions__isnull=False).exists():
        raise Refusal(
            _("This challenge has submissions: it cannot be deleted."), code="challenge_has_submissions", status=409
        )
    if challenge.entries.exists():
        raise Refusal(
            _("This challenge has project entries: it cannot be deleted."), code="challenge_has_entries", status=409
        )
    files = [f.name for f in (challenge.truth_file, challenge.public_archive) if f]
    audit(
        event=challenge.event, actor=actor, action="challenge_delete", challenge=challenge.slug, title=challenge.title
    )
    challenge.delete()
    _delete_files_on_commit(files)


def dataset_archive_digest(*, challenge: Challenge) -> tuple[str, int]:
    """The participant zip's (sha256, size): stored when the zip is built; an archive that predates the
    fields (or was put there by hand) is hashed once here, through the storage API, and stored."""
    if challenge.public_archive_sha256 and challenge.public_archive_size is not None:
        return challenge.public_archive_sha256, challenge.public_archive_size
    digest, size = hashlib.sha256(), 0
    with challenge.public_archive.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    challenge.public_archive_sha256, challenge.public_archive_size = digest.hexdigest(), size
    Challenge.objects.filter(pk=challenge.pk).update(public_archive_sha256=digest.hexdigest(), public_archive_size=size)
    return challenge.public_archive_sha256, size


def default_slug(title: str) -> str:
    """The slug a challenge gets when the organizers give none: its title, made URL-safe."""
    return slugify(title)[:80] or "challenge"


def challenge_generate_dataset(*, challenge: Challenge, seed: int, size: str = "small") -> Challenge:
    """Generate the synthetic dataset of a scored challenge and store it (kept apart from the truth).

    The challenge's server-held `dataset_secret` is mixed with the organizers' seed: the same seed gives
    the organizers the same files again, while nobody else can rebuild them from the published generator.
    """
    from .datasets import generate

    if not challenge.is_scored:
        raise ValidationError(_("Judged challenges have no generated dataset."))
    try:
        dataset = generate(challenge.kind, seed, size, bytes.fromhex(challenge.dataset_secret))
    except (ValueError, TypeError) as exc:  # the generator refuses a seed or a size, saying why
        raise ValidationError({"dataset_seed": ValidationError(str(exc), code="bad_seed")})
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
    slug: str = "",
    description: str = "",
    dataset_seed: int | None = None,
    dataset_size: str = "small",
) -> Challenge:
    """Add a challenge (its slug made from the title when none is given); for a generated kind, generate
    its dataset from (seed, size)."""
    _require_organizer(actor, event)
    slug = slug or default_slug(title)
    challenge = Challenge(event=event, kind=kind, title=title, slug=slug, description=description)
    challenge.full_clean()
    challenge.save()
    if challenge.is_scored and dataset_seed is not None:
        challenge_generate_dataset(challenge=challenge, seed=dataset_seed, size=dataset_size)
    audit(event=event, actor=actor, action="challenge_create", challenge=challenge.slug, kind=kind)
    return challenge


@transaction.atomic
def phase_create(
    *,
    challenge: Challenge,
    actor: User,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    results_published: bool | None = None,
    **fields,
) -> Phase:
    """Add a phase to a challenge (its organizers only), its results published at once if asked."""
    _require_organizer(actor, challenge.event)
    phase = Phase(challenge=challenge, name=name, opens_at=opens_at, closes_at=closes_at, **fields)
    phase.full_clean()
    phase.save()
    if results_published:
        phase = phase_publish_results(phase=phase, actor=actor, published=True)
    return phase


# Teams ------------------------------------------------------------------------------------------


def _check_can_change_team(event: Event, user: User) -> None:
    require_not_event_staff(event=event, user=user)
    require_accepted_terms(event=event, user=user)
    if roster_locked(event):
        raise ValidationError(_("Teams are locked: the event's last phase has closed."), code="roster_locked")


def _check_team_name_free(event: Event, name: str, *, team: Team | None = None) -> None:
    """Refuse (on the `name` field) a name another team of `event` has, or one that only differs from it
    by case, spacing or look-alike characters (challenges.names.team_name_key)."""
    others = event.teams.filter(name_key=team_name_key(name))
    if team is not None:
        others = others.exclude(pk=team.pk)
    taken = others.values_list("name", flat=True).first()
    if taken is not None:
        raise ValidationError(
            {
                "name": ValidationError(
                    _(
                        "A team of this event is already called “%(taken)s”, which looks the same as "
                        "“%(name)s”. Choose a name that differs by more than case, spacing or look-alike letters."
                    )
                    % {"taken": taken, "name": name},
                    code="team_name_taken",
                )
            }
        )


@transaction.atomic
def team_create(*, event: Event, user: User, name: str, country: str, logo=None) -> Team:
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
    _check_team_name_free(event, name)
    team = Team(event=event, name=name, country=country, captain=user)
    team.full_clean()
    if logo:
        processed = _processed_logo(logo, name)
        team.logo.save(processed.name, processed, save=False)
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
    # Lock the team row: joins are serialized (the size limit holds under races), and an upload to this
    # team (which locks the same row) cannot check the limits while a member, and the uploads they made
    # for their previous team in the phase (submissions.selectors.counted_submissions), is arriving.
    team = Team.objects.select_for_update().get(pk=team.pk)
    if join_code != team.join_code:
        raise ValidationError(_("This join code is not valid for this team."), code="bad_join_code")
    if TeamMembership.objects.filter(event=event, user=user).exists():
        raise ValidationError(_("You are already in a team for this event. Leave it first."), code="already_in_team")
    if team.memberships.count() >= event.team_size_max:
        raise ValidationError(
            ngettext(
                "This team is full (%(max)d member at most).",
                "This team is full (%(max)d members at most).",
                event.team_size_max,
            )
            % {"max": event.team_size_max},
            code="team_full",
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
    audit(event=event, actor=user, action="team_leave", team=team.pk, user=user.username)
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


@transaction.atomic
def team_regenerate_join_code(*, team: Team, actor: User) -> Team:
    """Give the team a new join code (its captain only); the old code and invite link stop working at once."""
    from .models import _join_code

    team = Team.objects.select_for_update(of=SELF).select_related("event").get(pk=team.pk)
    if team.captain_id != getattr(actor, "id", None):
        raise PermissionDenied(_("Only the team's captain can make a new join code."))
    team.join_code = _join_code()
    team.save(update_fields=["join_code"])
    return team


# Organizer edits --------------------------------------------------------------------------------

EVENT_EDITABLE = {
    "name",
    "description",
    "timezone",
    "registration_opens_at",
    "registration_closes_at",
    "team_size_min",
    "team_size_max",
    "max_teams",
    "visibility",
    "code_of_conduct",
    "roster_visibility",
    "languages",
}


def _processed_logo(upload, name: str) -> ContentFile:
    from .images import process_image

    return process_image(upload, name=name, max_side=512, thumb_side=128).image


@transaction.atomic
def event_update(*, event: Event, actor: User, banner=None, roster_unlocked: bool | None = None, **fields) -> Event:
    """Change an event's settings (its organizers only); a new banner is checked and re-encoded; a change
    of the roster lock is recorded as such (event_set_roster_unlocked)."""
    _require_organizer(actor, event)
    if roster_unlocked is not None and roster_unlocked != event.roster_unlocked:
        event = event_set_roster_unlocked(event=event, actor=actor, unlocked=roster_unlocked)
    unknown = set(fields) - EVENT_EDITABLE
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    changed = {}
    for name, value in fields.items():
        if getattr(event, name) != value:
            changed[name] = str(value)
            setattr(event, name, value)
    event.full_clean(exclude=["created_by", "banner", "banner_thumbnail"])
    if banner:
        event_set_banner(event=event, upload=banner)
        changed["banner"] = event.banner.name
    event.save()
    if changed:
        audit(event=event, actor=actor, action="event_update", fields=sorted(changed))
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: User) -> None:
    """Delete an event (its organizers): only a draft nobody registered for, since anything else has
    participants whose data-use agreements, teams and uploads depend on it.

    1. refuse anyone but the organizers (403);
    2. lock the event row and refuse a published or invite-only event, or one with registrations (409);
    3. record the deletion in the audit log (the row keeps the slug and name; its event becomes null);
    4. delete it (cascading to its challenges, phases, terms and roles) and its files after commit.
    """
    from hackplatform.refusals import Refusal

    _require_organizer(actor, event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.visibility != Event.Visibility.DRAFT:
        raise Refusal(
            _("Only a draft event can be deleted: make it a draft again first, or keep it."),
            code="event_not_draft",
            status=409,
        )
    if event.registrations.exists():
        raise Refusal(
            _("This event has registered participants: it cannot be deleted."),
            code="event_has_registrations",
            status=409,
        )
    files = [f.name for f in (event.banner, event.banner_thumbnail) if f]
    for challenge in event.challenges.all():
        files += [f.name for f in (challenge.truth_file, challenge.public_archive) if f]
    audit(event=None, actor=actor, action="event_delete", event_slug=event.slug, event_name=event.name)
    event.delete()
    _delete_files_on_commit(files)


def _delete_files_on_commit(names: list[str]) -> None:
    """Remove stored files once the rows naming them are gone for good (never on a rollback)."""
    from django.core.files.storage import storages

    def delete() -> None:
        for name in names:
            for alias in ("private", "default"):
                storage = storages[alias]
                if storage.exists(name):
                    storage.delete(name)

    if names:
        transaction.on_commit(delete)


def event_set_banner(*, event: Event, upload) -> Event:
    """Store a re-encoded banner and its thumbnail (the caller saves the event)."""
    from .images import process_image

    processed = process_image(upload, name=event.slug, max_side=1600, thumb_side=480)
    event.banner.save(processed.image.name, processed.image, save=False)
    event.banner_thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    return event


@transaction.atomic
def event_set_roster_unlocked(*, event: Event, actor: User, unlocked: bool) -> Event:
    """Organizer override of the roster lock; always recorded in the audit log."""
    _require_organizer(actor, event)
    event.roster_unlocked = unlocked
    event.save(update_fields=["roster_unlocked", "updated_at"])
    audit(event=event, actor=actor, action="roster_unlock" if unlocked else "roster_lock")
    return event


@transaction.atomic
def role_grant_by_username(*, event: Event, actor: User, username: str, role: str) -> EventRole:
    """Give the user called `username` (any case) a role in `event`: what the roles page and the API do."""
    if not (is_organizer(actor, event) or actor.is_staff):
        raise PermissionDenied(_("Only the organizers of this event can grant roles."))
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise ValidationError(
            {
                "username": ValidationError(
                    _("No user is called “%(name)s”. They must sign up first.") % {"name": username},
                    code="unknown_user",
                )
            }
        )
    return role_grant(event=event, actor=actor, user=user, role=role)


def judge_invite(*, event: Event, actor: User, username: str) -> EventRole:
    """Make an existing user a judge of `event` (organizers only)."""
    _require_organizer(actor, event)
    return role_grant_by_username(event=event, actor=actor, username=username, role=EventRole.Role.JUDGE)


@transaction.atomic
def challenge_update(
    *,
    challenge: Challenge,
    actor: User,
    dataset_seed: int | None = None,
    dataset_size: str | None = None,
    **fields,
) -> Challenge:
    """Change a challenge's text; a new (seed, size) regenerates the dataset (and bumps truth_version)."""
    _require_organizer(actor, challenge.event)
    for name in fields:
        if name not in {"title", "description", "slug", "order"}:
            raise ValidationError(_("The field “%(field)s” cannot be changed.") % {"field": name})
        setattr(challenge, name, fields[name])
    if "slug" in fields and not fields["slug"]:
        challenge.slug = default_slug(challenge.title)
    challenge.full_clean()
    challenge.save()
    size = dataset_size or challenge.dataset_size
    if dataset_seed is not None and (
        dataset_seed != challenge.dataset_seed
        or size != challenge.dataset_size
        or challenge.dataset_source != Challenge.DatasetSource.GENERATED
        or not challenge.has_dataset
        or challenge.dataset_is_rebuildable
    ):
        challenge_generate_dataset(challenge=challenge, seed=dataset_seed, size=size)
        audit(
            event=challenge.event, actor=actor, action="dataset_generate", challenge=challenge.slug, seed=dataset_seed
        )
    audit(
        event=challenge.event, actor=actor, action="challenge_update", challenge=challenge.slug, fields=sorted(fields)
    )
    return challenge


@transaction.atomic
def challenge_save(
    *,
    event: Event,
    actor: User,
    challenge: Challenge | None = None,
    kind: str,
    title: str,
    slug: str = "",
    description: str = "",
    dataset_source: str,
    dataset_seed: int | None = None,
    dataset_size: str = "small",
    truth_file=None,
    public_files=None,
) -> Challenge:
    """What the organizer's challenge form does, as one step: create or change the challenge, then
    1. generate its dataset from (seed, size) when the source is "generated", or
    2. store the organizers' own truth and participant files when the source is "uploaded" and files came.
    All or nothing: a refused dataset leaves the challenge as it was."""
    seed = dataset_seed if dataset_source == Challenge.DatasetSource.GENERATED else None
    common = {"title": title, "slug": slug, "description": description, "dataset_seed": seed}
    if challenge is None:
        challenge = challenge_create(event=event, actor=actor, kind=kind, dataset_size=dataset_size, **common)
    else:
        challenge = challenge_update(challenge=challenge, actor=actor, dataset_size=dataset_size, **common)
    if dataset_source == Challenge.DatasetSource.UPLOADED and truth_file:
        challenge = challenge_upload_dataset(
            challenge=challenge, actor=actor, truth=truth_file, public_files=public_files
        )
    return challenge


TRUTH_HEADERS = {
    Challenge.Kind.DETECTION: ["record_id", "label", "split"],
    Challenge.Kind.HOTSPOT: ["cell_id", "split", "count"],
    Challenge.Kind.NETWORK: ["node_id", "ring_id", "role", "split"],
}


def _check_truth(kind: str, data: bytes, params: dict) -> None:
    """Check an uploaded truth file with the registered validator, else its CSV header (scoring.md)."""
    from . import hooks

    validator = hooks.truth_validator.func
    if validator is not None:
        try:
            validator(kind, io.BytesIO(data), params or None)
        except ValidationError:
            raise
        except Exception as exc:  # the scorer's own error type; its message is meant for people
            raise ValidationError(_("The truth file does not fit the scoring rules: %(error)s") % {"error": exc})
        return
    try:
        first = data.split(b"\n", 1)[0].decode("utf-8-sig").strip("\r")
    except UnicodeDecodeError:
        raise ValidationError(_("The truth file must be a UTF-8 CSV file."))
    expected = TRUTH_HEADERS.get(kind)
    if expected and first.split(",") != expected:
        raise ValidationError(
            _("The truth file's header must be “%(expected)s” (it is “%(found)s”).")
            % {"expected": ",".join(expected), "found": first[:120]}
        )


def _read_public_files(upload, max_bytes: int) -> dict[str, bytes]:
    """Participant files from a zip (flattened, safe names) or a single CSV; sample_submission.csv required."""
    name = getattr(upload, "name", "") or ""
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    files: dict[str, bytes] = {}
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(upload) as archive:
                total = 0
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                    if not base or base.startswith(".") or info.filename.startswith("__MACOSX"):
                        continue
                    if base in files:
                        raise ValidationError(
                            _("Two participant files are called %(name)s: the zip is flattened, so names must differ.")
                            % {"name": base}
                        )
                    total += info.file_size
                    if total > max_bytes:
                        raise ValidationError(_("The participant files are too large once unpacked."))
                    files[base] = archive.read(info)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError):
            raise ValidationError(_("The participant files are not a readable zip archive."))
    else:
        base = name.replace("\\", "/").rsplit("/", 1)[-1] or "data.csv"
        files[base] = upload.read(max_bytes + 1)
        if len(files[base]) > max_bytes:
            raise ValidationError(_("The participant file is too large."))
    if "sample_submission.csv" not in files:
        raise ValidationError(
            _("Include a sample_submission.csv among the participant files, so teams know the expected format.")
        )
    if any(n.lower().startswith("truth") for n in files):
        raise ValidationError(_("The participant files must not contain the truth file."))
    return files


@transaction.atomic
def challenge_upload_dataset(*, challenge: Challenge, actor: User, truth, public_files) -> Challenge:
    """Use the organizers' own data: 1. check the truth against the scoring spec, 2. read the
    participant files (zip or CSV), 3. store both in private storage (bumps truth_version)."""
    from django.conf import settings

    _require_organizer(actor, challenge.event)
    if not challenge.is_scored:
        raise ValidationError(_("Judged challenges are not scored: they need no truth file."))
    max_bytes = settings.DATASET_MAX_UPLOAD_BYTES
    if getattr(truth, "size", 0) > max_bytes or getattr(public_files, "size", 0) > max_bytes:
        raise ValidationError(_("The dataset files are too large (limit %(mb)d MB).") % {"mb": max_bytes // 2**20})
    truth.seek(0)
    truth_bytes = truth.read()
    _check_truth(challenge.kind, truth_bytes, challenge.scoring_params)
    files = _read_public_files(public_files, max_bytes)
    challenge.dataset_source = Challenge.DatasetSource.UPLOADED
    challenge.dataset_seed = None
    challenge.dataset_meta = {"files": sorted(files)}
    challenge_store_dataset(challenge=challenge, public_files=files, truth=truth_bytes)
    audit(event=challenge.event, actor=actor, action="dataset_upload", challenge=challenge.slug)
    return challenge


PHASE_EDITABLE = {
    "name",
    "opens_at",
    "closes_at",
    "grace_seconds",
    "daily_limit",
    "total_limit",
    "failed_count",
    "leaderboard_mode",
    "public_leaderboard",
    "order",
}


@transaction.atomic
def phase_update(*, phase: Phase, actor: User, results_published: bool | None = None, **fields) -> Phase:
    """Change a phase (its organizers only); `results_published` publishes or withdraws its results too."""
    _require_organizer(actor, phase.challenge.event)
    unknown = set(fields) - PHASE_EDITABLE
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if results_published is not None:
        phase = phase_publish_results(phase=phase, actor=actor, published=results_published)
    if not fields:
        return phase
    for name, value in fields.items():
        setattr(phase, name, value)
    phase.full_clean()
    phase.save()
    audit(event=phase.challenge.event, actor=actor, action="phase_update", phase=phase.pk, fields=sorted(fields))
    return phase


@transaction.atomic
def phase_publish_results(*, phase: Phase, actor: User, published: bool) -> Phase:
    """Publish (or withdraw) a phase's results: the private split becomes visible to everyone."""
    _require_organizer(actor, phase.challenge.event)
    if published == phase.results_published:
        return phase  # idempotent: re-publishing keeps the first publication time
    phase.results_published_at = timezone.now() if published else None
    phase.save(update_fields=["results_published_at"])
    if published:
        from .hooks import results_published

        phase_id = phase.pk
        transaction.on_commit(lambda: results_published.send_robust(sender=Phase, phase_id=phase_id))
    audit(
        event=phase.challenge.event,
        actor=actor,
        action="results_publish" if published else "results_withdraw",
        phase=phase.pk,
    )
    return phase


def dataset_check_access(*, phase: Phase, user: User) -> None:
    """May `user` download `phase`'s data? Organizers and judges always; participants once registered
    with the current terms and once the phase has opened. Raises PermissionDenied saying why."""
    from .selectors import event_role

    event = phase.challenge.event
    if event_role(user, event) in ("organizer", "judge"):
        return
    if not user or not user.is_authenticated:
        raise PermissionDenied(_("Log in and register for this event to download its data."))
    require_accepted_terms(event=event, user=user)
    if timezone.now() < phase.opens_at:
        raise PermissionDenied(_("The data becomes available when the phase opens."))


@transaction.atomic
def team_join_by_code(*, event: Event, user: User, join_code: str) -> TeamMembership:
    """Join the team of `event` whose join code is `join_code` (the invite link carries it)."""
    team = Team.objects.filter(event=event, join_code=join_code.strip()).first()
    if team is None:
        raise ValidationError(
            _("No team of this event has this join code. Check it with your captain."), code="bad_join_code"
        )
    return team_join(team=team, user=user, join_code=join_code.strip())


def can_edit_team(user: User, team: Team) -> bool:
    """The captain and the event's organizers may change a team's name, country and logo."""
    if not user or not user.is_authenticated:
        return False
    return team.captain_id == user.id or is_organizer(user, team.event)


def require_team_editor(*, team: Team, user: User) -> None:
    if not can_edit_team(user, team):
        raise PermissionDenied(_("Only the team's captain or the event's organizers can change this team."))


@transaction.atomic
def team_update(*, team: Team, actor: User, name: str | None = None, country: str | None = None, logo=None) -> Team:
    """Change a team's name, country or logo.

    1. only the captain or an organizer; never once the rosters are locked (an organizer may unlock them),
    2. lock the team row; a name is refused when another team of the event has it (ignoring case),
    3. a new logo goes through the image pipeline (checked, re-encoded); the old file is deleted after commit,
    4. save, record it in the audit log and send `hooks.team_changed`, so copies of the name
       (the leaderboards) are rebuilt in this same transaction.
    """
    from . import hooks

    require_team_editor(team=team, user=actor)
    if roster_locked(team.event):
        raise ValidationError(_("Teams are locked: the event's last phase has closed."), code="roster_locked")
    team = Team.objects.select_for_update(of=SELF).select_related("event").get(pk=team.pk)
    changed: set[str] = set()
    if name is not None:
        name = name.strip()
        if name != team.name:
            _check_team_name_free(team.event, name, team=team)
            team.name = name
            changed.add("name")
    if country is not None and str(country) != team.country.code:
        team.country = country
        changed.add("country")
    team.full_clean(exclude=["logo", "captain"])
    old_logo = team.logo.name
    if logo:
        processed = _processed_logo(logo, team.name)
        team.logo.save(processed.name, processed, save=False)
        changed.add("logo")
        if old_logo:
            storage = team.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    if not changed:
        return team
    try:
        try:
            with transaction.atomic():
                team.save()
        except IntegrityError:  # another team took a look-alike name since the check above
            _check_team_name_free(team.event, team.name, team=team)
            raise
        audit(event=team.event, actor=actor, action="team_update", team=team.pk, fields=sorted(changed))
        hooks.team_changed.send(sender=Team, team=team, changed=changed)
    except BaseException:
        if "logo" in changed:  # the transaction rolls back: do not leave the new file behind
            team.logo.storage.delete(team.logo.name)
        raise
    return team
