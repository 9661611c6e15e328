"""The "looking for a team" board: profiles, skills, join requests between a person and a team.

Writes here follow the services' rules (keyword-only, atomic, a Refusal saying why); reads are at the
bottom. Kept apart from services.py (announcements and notifications), re-exported nowhere else.
"""

from __future__ import annotations

import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from challenges import services as challenge_services
from challenges.models import Event, Team
from challenges.selectors import event_staff_role, is_organizer, registration_for, team_of
from hackplatform.locks import SELF
from hackplatform.refusals import Refusal

from . import matching
from .models import DEFAULT_SKILLS, BoardProfile, JoinRequest, Notification, OpenSeats, Skill
from .services import notification_create

MAX_SKILLS, MAX_LANGUAGES = 10, 10


def skills_of(event: Event) -> list[str]:
    extra = list(Skill.objects.filter(event=event).values_list("name", flat=True))
    return [*DEFAULT_SKILLS, *[name for name in extra if name not in DEFAULT_SKILLS]]


def _require_participant(event: Event, user: User) -> None:
    if not user.is_authenticated or registration_for(event=event, user=user) is None:
        raise Refusal(_("Register for this event to use its team board."), code="not_registered", status=403)


def may_see_board(*, event: Event, user: User) -> bool:
    """Registered participants of the event, and its organizers (who moderate it)."""
    if not user.is_authenticated:
        return False
    return is_organizer(user, event) or registration_for(event=event, user=user) is not None


# Writes -----------------------------------------------------------------------------------------


@transaction.atomic
def board_profile_save(
    *,
    event: Event,
    user: User,
    pitch: str,
    skills: list[str],
    languages: list[str],
    country: str = "",
    timezone_name: str = "",
) -> BoardProfile:
    """Opt in to (or update one's entry on) the event's board."""
    _require_participant(event, user)
    if event_staff_role(event=event, user=user):
        raise Refusal(_("Judges and organizers do not look for a team."), code="staff", status=403)
    if not pitch.strip():
        raise Refusal(_("Write a short pitch: what you bring and what you look for."), code="no_pitch")
    allowed = {name.casefold(): name for name in skills_of(event)}
    unknown = [s for s in skills if s.casefold() not in allowed]
    if unknown:
        raise Refusal(
            _("Unknown skills: %(skills)s. Pick from the event's list (organizers can extend it).")
            % {"skills": ", ".join(unknown)},
            code="unknown_skill",
        )
    if len(skills) > MAX_SKILLS or len(languages) > MAX_LANGUAGES:
        raise Refusal(_("List at most 10 skills and 10 languages."), code="too_many")
    if timezone_name and timezone_name not in zoneinfo.available_timezones():
        raise Refusal(_("“%(zone)s” is not a known time zone.") % {"zone": timezone_name[:64]}, code="bad_timezone")
    profile, _created = BoardProfile.objects.update_or_create(
        event=event,
        user=user,
        defaults={
            "pitch": pitch.strip()[:500],
            "skills": sorted({allowed[s.casefold()] for s in skills}),
            "languages": sorted({lang.strip()[:40] for lang in languages if lang.strip()}),
            "country": (country or "").upper()[:2],
            "time_zone": timezone_name or user.timezone,
        },
    )
    return profile


@transaction.atomic
def board_profile_withdraw(*, event: Event, user: User) -> int:
    """Leave the board at any time (the entry is deleted, not hidden)."""
    deleted, _rows = BoardProfile.objects.filter(event=event, user=user).delete()
    return deleted


@transaction.atomic
def board_profile_hide(*, profile: BoardProfile, actor: User, hidden: bool = True) -> BoardProfile:
    """An organizer hides (or shows again) an abusive entry; recorded in the event's audit log."""
    if not is_organizer(actor, profile.event):
        raise Refusal(_("Only the organizers of this event can hide board entries."), code="forbidden", status=403)
    profile.hidden_at = timezone.now() if hidden else None
    profile.save(update_fields=["hidden_at"])
    challenge_services.audit(
        event=profile.event,
        actor=actor,
        action="board_hide" if hidden else "board_show",
        profile=profile.pk,
        user=profile.user.username,
        pitch=profile.pitch,
    )
    return profile


@transaction.atomic
def open_seats_set(*, team: Team, actor: User, seats: int, skills: list[str], note: str = "") -> OpenSeats | None:
    """The captain posts (or, with 0 seats, removes) the team's open seats and the skills it wants.
    Never more seats than the event's size limit leaves."""
    if team.captain_id != actor.pk:
        raise Refusal(_("Only the team's captain can post its open seats."), code="not_captain", status=403)
    free = max(team.event.team_size_max - team.memberships.count(), 0)
    if seats < 0 or seats > free:
        raise Refusal(
            _("This team has %(free)s free seat(s) within the event's size limit.") % {"free": free},
            code="too_many_seats",
        )
    if seats == 0:
        OpenSeats.objects.filter(team=team).delete()
        return None
    allowed = {name.casefold(): name for name in skills_of(team.event)}
    unknown = [s for s in skills if s.casefold() not in allowed]
    if unknown:
        raise Refusal(
            _("Unknown skills: %(skills)s. Pick from the event's list (organizers can extend it).")
            % {"skills": ", ".join(unknown)},
            code="unknown_skill",
        )
    post, _created = OpenSeats.objects.update_or_create(
        team=team,
        defaults={
            "seats": seats,
            "skills": sorted({allowed[s.casefold()] for s in skills}),
            "note": note.strip()[:300],
        },
    )
    return post


def open_seats_of(*, event: Event, viewer: User, skill: str = "") -> list[OpenSeats]:
    """Teams of the event with open seats (same audience as the board), filtered by a wanted skill;
    a team that filled up since it posted is left out."""
    if not may_see_board(event=event, user=viewer):
        raise Refusal(
            _("Only registered participants of this event see its team board."), code="not_registered", status=403
        )
    from django.db.models import Count

    posts = (
        OpenSeats.objects.filter(team__event=event).select_related("team").annotate(members=Count("team__memberships"))
    )
    rows = [p for p in posts if p.members < event.team_size_max]
    if skill:
        rows = [p for p in rows if skill.casefold() in {s.casefold() for s in p.skills}]
    return rows


@transaction.atomic
def skill_add(*, event: Event, actor: User, name: str) -> Skill:
    if not is_organizer(actor, event):
        raise Refusal(_("Only the organizers of this event can add skills."), code="forbidden", status=403)
    name = name.strip()[:60]
    if not name:
        raise Refusal(_("Name the skill."), code="empty")
    skill, _created = Skill.objects.get_or_create(event=event, name=name)
    return skill


def _notify(user: User, code: str, request: JoinRequest) -> None:
    notification_create(
        user=user,
        kind=Notification.Kind.TEAM,
        code=code,
        params={"user": request.user.username, "team": request.team.name, "message": request.message},
        url=f"/events/{request.event.slug}/board/",
        event=request.event,
    )


@transaction.atomic
def join_request_create(
    *, event: Event, actor: User, team: Team | None = None, user: User | None = None, message: str = ""
) -> JoinRequest:
    """A person asks a team (`team`), or a team's captain invites a person on the board (`user`)."""
    _require_participant(event, actor)
    if (team is None) == (user is None):
        raise Refusal(_("Send a request either to a team or to a person."), code="invalid")
    if team is not None:
        if team.event_id != event.pk:
            raise Refusal(_("This team belongs to another event."), code="bad_team")
        if team_of(event=event, user=actor) is not None:
            raise Refusal(_("You are already in a team for this event. Leave it first."), code="already_in_team")
        direction, person = JoinRequest.Direction.TO_TEAM, actor
    else:
        team = team_of(event=event, user=actor)
        if team is None or team.captain_id != actor.pk:
            raise Refusal(_("Only a team's captain can invite people to it."), code="not_captain", status=403)
        if not BoardProfile.objects.filter(event=event, user=user, hidden_at__isnull=True).exists():
            raise Refusal(_("This person is not on the event's team board."), code="not_on_board", status=404)
        if team_of(event=event, user=user) is not None:
            raise Refusal(_("This person is already in a team."), code="already_in_team")
        direction, person = JoinRequest.Direction.TO_PERSON, user
    if team.memberships.count() >= event.team_size_max:
        raise Refusal(_("This team is full."), code="team_full")
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                event=event,
                team=team,
                user=person,
                direction=direction,
                message=message.strip()[:500],
                created_by=actor,
            )
    except IntegrityError:
        raise Refusal(
            _("A request between this person and this team is already waiting."), code="duplicate", status=409
        )
    if direction == JoinRequest.Direction.TO_TEAM:
        _notify(team.captain, "join_to_team", request)
    else:
        _notify(person, "join_to_person", request)
    return request


def _decider(request: JoinRequest, actor: User) -> None:
    """The other side decides: the captain for a person's request, the person for a team's invitation."""
    if request.direction == JoinRequest.Direction.TO_TEAM:
        allowed = request.team.captain_id == actor.pk
    else:
        allowed = request.user_id == actor.pk
    if not allowed:
        raise Refusal(_("Only the other side of this request can answer it."), code="forbidden", status=403)


def _pending(request_id: int, actor: User) -> JoinRequest:
    request = (
        JoinRequest.objects.select_for_update(of=SELF)
        .select_related("team__event", "user", "event")
        .filter(pk=request_id)
        .first()
    )
    if request is None or actor.pk not in (request.user_id, request.team.captain_id):
        raise Refusal(_("No join request with this id is yours to answer."), code="not_found", status=404)
    _decider(request, actor)
    if request.status != JoinRequest.Status.PENDING:
        raise Refusal(
            _("This request was already answered (%(status)s).") % {"status": request.get_status_display()},
            code="answered",
            status=409,
        )
    return request


@transaction.atomic
def join_request_accept(*, request_id: int, actor: User) -> JoinRequest:
    """Accept: the person joins the team through challenges' team_join (its team-row lock keeps the size
    limit under concurrency, and it checks the terms and the roster lock); their other requests close."""
    request = _pending(request_id, actor)
    team = request.team
    challenge_services.team_join(team=team, user=request.user, join_code=team.join_code)
    now = timezone.now()
    request.status, request.decided_at = JoinRequest.Status.ACCEPTED, now
    request.save(update_fields=["status", "decided_at"])
    JoinRequest.objects.filter(event=request.event, user=request.user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.CLOSED, decided_at=now
    )
    BoardProfile.objects.filter(event=request.event, user=request.user).delete()  # found a team: off the board
    other_side = request.created_by if request.created_by_id != actor.pk else None
    if other_side is not None:
        _notify(other_side, "join_accepted", request)
    return request


@transaction.atomic
def join_request_decline(*, request_id: int, actor: User) -> JoinRequest:
    request = _pending(request_id, actor)
    request.status, request.decided_at = JoinRequest.Status.DECLINED, timezone.now()
    request.save(update_fields=["status", "decided_at"])
    if request.created_by_id and request.created_by_id != actor.pk:
        _notify(request.created_by, "join_declined", request)
    return request


# Reads ------------------------------------------------------------------------------------------


def board_entries(
    *, event: Event, viewer: User, skill: str = "", language: str = "", country: str = ""
) -> list[BoardProfile]:
    """The board as `viewer` may see it (participants and organizers only; hidden entries for organizers
    only), filtered by skill, language and country. Never an email address: the profile has none."""
    if not may_see_board(event=event, user=viewer):
        raise Refusal(
            _("Only registered participants of this event see its team board."), code="not_registered", status=403
        )
    qs: QuerySet[BoardProfile] = BoardProfile.objects.filter(event=event).select_related("user")
    if not is_organizer(viewer, event):
        qs = qs.filter(hidden_at__isnull=True)
    if country:
        qs = qs.filter(country=country.upper()[:2])
    rows = list(qs)
    if skill:
        rows = [p for p in rows if skill.casefold() in {s.casefold() for s in p.skills}]
    if language:
        rows = [p for p in rows if language.casefold() in {lang.casefold() for lang in p.languages}]
    return rows


def suggestions_for(*, event: Event, viewer: User, limit: int = 5) -> list[tuple[float, BoardProfile]]:
    """Board members ranked for the viewer by communication.matching (needs the viewer's own entry)."""
    mine = BoardProfile.objects.filter(event=event, user=viewer).first()
    if mine is None:
        return []
    others = [p for p in board_entries(event=event, viewer=viewer) if p.user_id != viewer.pk and p.hidden_at is None]
    as_dict = lambda p: {"skills": p.skills, "languages": p.languages, "timezone": p.time_zone, "profile": p}  # noqa: E731
    ranked = matching.rank(as_dict(mine), [as_dict(p) for p in others], timezone.now().date())
    return [(round(score, 2), row["profile"]) for score, row in ranked[:limit]]


def join_requests_of(*, event: Event, user: User) -> QuerySet[JoinRequest]:
    """Requests the user takes part in: as the person, or as the captain of the team."""
    from django.db.models import Q

    return (
        JoinRequest.objects.filter(event=event)
        .filter(Q(user=user) | Q(team__captain=user))
        .select_related("team", "user")
    )
