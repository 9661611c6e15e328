"""Writes of judging: settings, criteria, entries and their screenshots, conflicts, the assignment,
scorecards, publication and prizes. Every refusal is a `Refusal` saying why."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from challenges import hooks
from challenges.models import Challenge, Event, Team
from challenges.selectors import event_staff_role, is_organizer, team_of
from challenges.services import audit, require_accepted_terms
from hackplatform.formats import format_moment
from hackplatform.locks import SELF
from hackplatform.refusals import Refusal
from submissions.models import Submission

from . import selectors
from .assignment import AssignmentResult, assign
from .models import MAX_IMAGES, Assignment, Conflict, Criterion, Entry, EntryImage, JudgingSettings, Prize, Scorecard

logger = logging.getLogger(__name__)

SUMMARY_MAX = 20_000


def _require_organizer(user: User, event: Event) -> None:
    if not is_organizer(user, event):
        raise Refusal(_("Only the organizers of this event can do this."), code="forbidden", status=403)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        refusal = Refusal(" ".join(exc.messages), code="invalid")
        if hasattr(exc, "error_dict"):
            refusal.error_dict = exc.error_dict
        raise refusal from exc


# Settings -------------------------------------------------------------------------------------------

SETTINGS_EDITABLE = {
    "judges_per_entry",
    "seed",
    "opens_at",
    "closes_at",
    "anonymous",
    "show_judge_names",
    "judged_weight",
    "leaderboard_weight",
}


@transaction.atomic
def judging_settings_update(*, event: Event, actor: User, **fields) -> JudgingSettings:
    _require_organizer(actor, event)
    unknown = set(fields) - SETTINGS_EDITABLE
    if unknown:
        raise Refusal(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, code="invalid"
        )
    settings, _created = JudgingSettings.objects.select_for_update().get_or_create(event=event)
    changed = sorted(name for name, value in fields.items() if getattr(settings, name) != value)
    for name, value in fields.items():
        setattr(settings, name, value)
    _full_clean(settings)
    settings.save()
    if changed:
        audit(event=event, actor=actor, action="judging_update", fields=changed)
    return settings


@transaction.atomic
def results_publish(*, event: Event, actor: User, published: bool) -> JudgingSettings:
    """Publish (or withdraw) the judged results; publication also closes scoring."""
    _require_organizer(actor, event)
    settings, _created = JudgingSettings.objects.select_for_update().get_or_create(event=event)
    if published == settings.published:
        return settings
    settings.published_at = timezone.now() if published else None
    settings.save(update_fields=["published_at"])
    audit(event=event, actor=actor, action="judging_publish" if published else "judging_withdraw")
    return settings


# Criteria -------------------------------------------------------------------------------------------


def _levels(min_score: int, *texts) -> list[dict]:
    return [{"score": min_score + i, "text": str(text)} for i, text in enumerate(texts)]


# The defaults offered to every event: what a jury of tools against human trafficking should weigh.
DEFAULT_CRITERIA = [
    (
        gettext_lazy("Impact on trafficking response"),
        gettext_lazy("Would it help people who identify, support or protect victims, or who disrupt trafficking?"),
        1.5,
        (
            gettext_lazy("No clear link to trafficking response."),
            gettext_lazy("A plausible link, but no user or use named."),
            gettext_lazy("A named user and use; benefit likely."),
            gettext_lazy("Clear benefit for a named group of responders."),
            gettext_lazy("Likely to change how responders work, with evidence."),
        ),
    ),
    (
        gettext_lazy("Feasibility"),
        gettext_lazy("Could it be deployed by the people it is for, with their means and constraints?"),
        1.0,
        (
            gettext_lazy("Not realistic."),
            gettext_lazy("Would need resources its users do not have."),
            gettext_lazy("Feasible with a clear effort."),
            gettext_lazy("Feasible; a path to deployment is described."),
            gettext_lazy("Ready to pilot."),
        ),
    ),
    (
        gettext_lazy("Technical quality"),
        gettext_lazy("Does it work, is it sound, tested and documented?"),
        1.0,
        (
            gettext_lazy("Does not run."),
            gettext_lazy("Runs, with major gaps."),
            gettext_lazy("Works for the main case."),
            gettext_lazy("Solid, tested, documented."),
            gettext_lazy("Excellent and reusable."),
        ),
    ),
    (
        gettext_lazy("Data ethics and privacy"),
        gettext_lazy("Minimal data, lawful basis, no profiling by protected traits, bias considered."),
        1.0,
        (
            gettext_lazy("Harmful data practices."),
            gettext_lazy("Risks not considered."),
            gettext_lazy("Main risks named."),
            gettext_lazy("Risks named and mitigated."),
            gettext_lazy("Privacy and fairness by design, checked."),
        ),
    ),
    (
        gettext_lazy("Safety of survivors and of the people in the data"),
        gettext_lazy("Could it expose, re-traumatize or endanger survivors, or people wrongly flagged?"),
        1.5,
        (
            gettext_lazy("Puts people at risk."),
            gettext_lazy("Risks to people not considered."),
            gettext_lazy("Some safeguards."),
            gettext_lazy("Safeguards and a human in the loop."),
            gettext_lazy("Survivor-informed design with strong safeguards."),
        ),
    ),
]


def _check_levels(levels) -> list[dict]:
    if levels in (None, ""):
        return []
    if not isinstance(levels, list) or not all(
        isinstance(level, dict) and isinstance(level.get("score"), int) and isinstance(level.get("text", ""), str)
        for level in levels
    ):
        raise Refusal(_('Levels must be a list of {"score": whole number, "text": description}.'), code="bad_levels")
    return [{"score": level["score"], "text": level.get("text", "")[:500]} for level in levels]


def _scored(event: Event) -> bool:
    return Scorecard.objects.filter(entry__event=event).exists()


@transaction.atomic
def criterion_create(
    *,
    event: Event,
    actor: User,
    name: str,
    description: str = "",
    weight: float = 1.0,
    min_score: int = 1,
    max_score: int = 5,
    levels: list | None = None,
) -> Criterion:
    _require_organizer(actor, event)
    if _scored(event):
        raise Refusal(
            _("Judges have already scored entries: the rubric can no longer gain criteria."), code="rubric_frozen"
        )
    criterion = Criterion(
        event=event,
        name=name.strip(),
        description=description,
        weight=weight,
        min_score=min_score,
        max_score=max_score,
        levels=_check_levels(levels),
        order=Criterion.objects.filter(event=event).count(),
    )
    _full_clean(criterion)
    criterion.save()
    audit(event=event, actor=actor, action="criterion_create", criterion=criterion.name)
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, actor: User, **fields) -> Criterion:
    """Change a criterion. Once judges scored, only its name, description, levels and weight may change
    (a new range would make the stored scores mean something else)."""
    event = criterion.event
    _require_organizer(actor, event)
    if "levels" in fields:
        fields["levels"] = _check_levels(fields["levels"])
    if _scored(event) and any(
        name in fields and fields[name] != getattr(criterion, name) for name in ("min_score", "max_score")
    ):
        raise Refusal(
            _("Judges have already scored entries: the range of a criterion can no longer change."),
            code="rubric_frozen",
        )
    for name, value in fields.items():
        if name not in {"name", "description", "levels", "weight", "min_score", "max_score", "order"}:
            raise Refusal(_("The field “%(field)s” cannot be changed.") % {"field": name}, code="invalid")
        setattr(criterion, name, value)
    _full_clean(criterion)
    criterion.save()
    audit(event=event, actor=actor, action="criterion_update", criterion=criterion.name, fields=sorted(fields))
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: User) -> None:
    event = criterion.event
    _require_organizer(actor, event)
    if _scored(event):
        raise Refusal(_("Judges have already scored entries: criteria can no longer be removed."), code="rubric_frozen")
    audit(event=event, actor=actor, action="criterion_delete", criterion=criterion.name)
    criterion.delete()


@transaction.atomic
def criteria_add_defaults(*, event: Event, actor: User) -> list[Criterion]:
    """Add the default rubric (those of its criteria the event does not have yet, by name)."""
    _require_organizer(actor, event)
    existing = set(Criterion.objects.filter(event=event).values_list("name", flat=True))
    made = []
    for name, description, weight, levels in DEFAULT_CRITERIA:
        if str(name) in existing:
            continue
        made.append(
            criterion_create(
                event=event,
                actor=actor,
                name=str(name),
                description=str(description),
                weight=weight,
                min_score=1,
                max_score=5,
                levels=_levels(1, *levels),
            )
        )
    return made


# Entries ----------------------------------------------------------------------------------------------

_http_url = URLValidator(schemes=["http", "https"])


def _check_url(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        _http_url(value)
    except ValidationError:
        refusal = Refusal(
            _("“%(url)s” is not a web address: give a full http:// or https:// link.") % {"url": value[:200]},
            code="bad_url",
        )
        refusal.error_dict = {field: [ValidationError(refusal.text)]}
        raise refusal from None
    return value


def _check_submission(team: Team, challenge: Challenge, submission: Submission | int | None) -> Submission | None:
    if submission in (None, "", 0):
        return None
    if not challenge.is_scored:
        raise Refusal(_("A judged challenge has no scored submissions to attach."), code="bad_submission")
    pk = submission.pk if isinstance(submission, Submission) else submission
    found = Submission.objects.filter(pk=pk, team=team, phase__challenge=challenge).first()
    if found is None:
        raise Refusal(
            _("Attach one of your team's own submissions to this challenge."), code="bad_submission", status=400
        )
    if found.status != Submission.Status.SCORED:
        raise Refusal(_("Attach a submission that has been scored."), code="bad_submission")
    return found


def _require_entry_open(entry: Entry) -> None:
    if selectors.entry_is_open(entry):
        return
    deadline = selectors.entry_deadline(entry.challenge)
    if deadline is None:
        raise Refusal(_("This challenge has no phase yet, so it takes no entries."), code="entry_closed", status=403)
    raise Refusal(
        _("Entries for this challenge were frozen at %(deadline)s. Ask the organizers to reopen yours.")
        % {"deadline": format_moment(deadline)},
        code="entry_closed",
        status=403,
    )


def _add_images(entry: Entry, images: Iterable, written: list) -> None:
    """Check, re-encode and store screenshots (at most MAX_IMAGES per entry). Each stored file is noted in
    `written`, so the caller deletes them if its transaction fails (the rows roll back, files would not)."""
    from challenges.images import process_image

    images = [i for i in images or () if i]
    if not images:
        return
    have = entry.images.count()
    if have + len(images) > MAX_IMAGES:
        raise Refusal(
            ngettext(
                "An entry has at most %(max)d screenshot.", "An entry has at most %(max)d screenshots.", MAX_IMAGES
            )
            % {"max": MAX_IMAGES}
            + " "
            + _("It has %(n)d; remove some first.") % {"n": have},
            code="too_many_images",
        )
    for i, upload in enumerate(images):
        try:
            processed = process_image(upload, name=f"entry-{entry.pk}-{have + i + 1}", max_side=1600, thumb_side=400)
        except ValidationError as exc:
            raise Refusal(" ".join(exc.messages), code=getattr(exc, "code", None) or "bad_image") from exc
        image = EntryImage(entry=entry, order=have + i)
        image.image.save(processed.image.name, processed.image, save=False)
        written.append((image.image.storage, image.image.name))
        image.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
        written.append((image.thumbnail.storage, image.thumbnail.name))
        image.save()


def _delete_files(written: list) -> None:
    for storage, name in written:
        storage.delete(name)


def _entry_fields(team: Team, challenge: Challenge, fields: dict) -> dict:
    clean = {}
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            raise Refusal(_("Give your entry a title."), code="no_title")
        clean["title"] = title[:200]
    if "summary" in fields:
        summary = fields["summary"] or ""
        if len(summary) > SUMMARY_MAX:
            raise Refusal(
                _("The summary is too long (%(max)d characters at most).") % {"max": SUMMARY_MAX}, code="too_long"
            )
        clean["summary"] = summary
    for name in ("repository_url", "video_url"):
        if name in fields:
            clean[name] = _check_url(fields[name], name)
    if "submission" in fields:
        clean["submission"] = _check_submission(team, challenge, fields["submission"])
    return clean


def _require_team_member(challenge: Challenge, user: User) -> Team:
    event = challenge.event
    if event_staff_role(event=event, user=user):
        raise Refusal(
            _("Organizers and judges do not write entries: entries are the teams' own."), code="forbidden", status=403
        )
    require_accepted_terms(event=event, user=user)
    team = team_of(event=event, user=user)
    if team is None:
        raise Refusal(
            _("You are not in a team for this event: create or join a team first."), code="no_team", status=403
        )
    return team


def entry_create(*, challenge: Challenge, user: User, title: str, images: Iterable = (), **fields) -> Entry:
    """A team's entry for a challenge.

    1. the user must be a registered participant in a team (organizers and judges write none),
    2. entries are open until the end of the challenge's last phase,
    3. one entry per team and challenge; links must be http(s) web addresses; the submission must be one
       of the team's scored submissions to this challenge,
    4. screenshots (at most 5) are checked and re-encoded, with thumbnails.
    """
    written: list = []
    try:
        with transaction.atomic():
            return _entry_create(challenge, user, title, images, fields, written)
    except BaseException:
        _delete_files(written)
        raise


def _entry_create(challenge: Challenge, user: User, title: str, images: Iterable, fields: dict, written: list) -> Entry:
    team = _require_team_member(challenge, user)
    entry = Entry(team=team, challenge=challenge, event=challenge.event)
    _require_entry_open(entry)
    if Entry.objects.filter(team=team, challenge=challenge).exists():
        raise Refusal(_("Your team already has an entry for this challenge: edit it."), code="entry_exists", status=409)
    for name, value in _entry_fields(team, challenge, {"title": title, **fields}).items():
        setattr(entry, name, value)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise Refusal(_("Your team already has an entry for this challenge: edit it."), code="entry_exists", status=409)
    _add_images(entry, images, written)
    return entry


def can_edit_entry(user: User | None, entry: Entry) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return entry.team.memberships.filter(user=user).exists()


def entry_update(
    *, entry: Entry, user: User, images: Iterable = (), remove_images: Iterable[int] = (), **fields
) -> Entry:
    """Change an entry (its team's members only, until the deadline or while an organizer reopened it);
    new screenshots are added, those in `remove_images` (ids) deleted."""
    written: list = []
    try:
        with transaction.atomic():
            return _entry_update(entry, user, images, remove_images, fields, written)
    except BaseException:
        _delete_files(written)
        raise


def _entry_update(entry: Entry, user: User, images, remove_images, fields: dict, written: list) -> Entry:
    if not can_edit_entry(user, entry):
        raise Refusal(_("Only the members of the team can change its entry."), code="forbidden", status=403)
    entry = Entry.objects.select_for_update(of=SELF).select_related("challenge", "team", "event").get(pk=entry.pk)
    _require_entry_open(entry)
    for name, value in _entry_fields(entry.team, entry.challenge, fields).items():
        setattr(entry, name, value)
    entry.save()
    remove = {int(pk) for pk in remove_images or ()}
    if remove:
        for image in entry.images.filter(pk__in=remove):
            names, storage = (image.image.name, image.thumbnail.name), image.image.storage
            image.delete()
            transaction.on_commit(lambda names=names, storage=storage: [storage.delete(n) for n in names])
    _add_images(entry, images, written)
    return entry


@transaction.atomic
def entry_reopen(*, entry: Entry, actor: User, reopened: bool) -> Entry:
    """An organizer reopens a frozen entry for its team (or freezes it again); always audited."""
    _require_organizer(actor, entry.event)
    if entry.reopened != reopened:
        entry.reopened = reopened
        entry.save(update_fields=["reopened", "updated_at"])
        audit(
            event=entry.event,
            actor=actor,
            action="entry_reopen" if reopened else "entry_freeze",
            entry=entry.pk,
            team=entry.team.name,
        )
    return entry


# Conflicts ---------------------------------------------------------------------------------------------


@transaction.atomic
def conflict_declare(
    *, event: Event, actor: User, judge: User | None = None, team: Team | None = None, country: str = ""
) -> Conflict:
    """A judge declares a conflict with a team or a whole country (an organizer may record one for a judge).

    Assignments that now conflict are removed (unless the judge already scored the entry: that stays, for
    the organizers to decide).
    """
    judge = judge or actor
    if judge != actor:
        _require_organizer(actor, event)
    if not selectors.is_judge(judge, event):
        raise Refusal(_("Only the judges of this event declare conflicts in it."), code="forbidden", status=403)
    if (team is None) == (not country):
        raise Refusal(_("Name either a team or a country."), code="invalid")
    if team is not None and team.event_id != event.pk:
        raise Refusal(_("This team is not in this event."), code="invalid")
    conflict, _created = Conflict.objects.get_or_create(event=event, judge=judge, team=team, country=country or "")
    entries = Entry.objects.filter(event=event)
    entries = entries.filter(team=team) if team is not None else entries.filter(team__country=country)
    scored = Scorecard.objects.filter(judge=judge, entry__in=entries).values("entry_id")
    Assignment.objects.filter(judge=judge, entry__in=entries).exclude(entry_id__in=scored).delete()
    if actor != judge:
        audit(
            event=event,
            actor=actor,
            action="conflict_record",
            judge=judge.username,
            team=team and team.name,
            country=country,
        )
    return conflict


@transaction.atomic
def conflict_remove(*, conflict: Conflict, actor: User) -> None:
    if conflict.judge_id != actor.pk:
        _require_organizer(actor, conflict.event)
    conflict.delete()


# Assignment ----------------------------------------------------------------------------------------------


@transaction.atomic
def assignment_run(
    *,
    event: Event,
    actor: User,
    judges_per_entry: int | None = None,
    seed: int | None = None,
    keep_existing: bool = True,
) -> AssignmentResult:
    """Assign judges to every entry of the event (judging.md).

    1. organizers only; judges_per_entry and seed are stored in the event's judging settings,
    2. `keep_existing`: every still-valid pair stays (a judge who left loses theirs, which alone move);
       otherwise only pairs the judge already scored stay, and the rest is planned afresh,
    3. the pure `assignment.assign` decides; the rows are replaced; the run is audited.
    """
    _require_organizer(actor, event)
    settings, _created = JudgingSettings.objects.select_for_update().get_or_create(event=event)
    if judges_per_entry is not None:
        settings.judges_per_entry = judges_per_entry
    if seed is not None:
        settings.seed = seed
    _full_clean(settings)
    settings.save()
    judges = list(selectors.judges_of(event))
    entries = list(Entry.objects.filter(event=event).select_related("team"))
    if not judges:
        raise Refusal(_("This event has no judges yet: invite some first."), code="no_judges")
    if not entries:
        raise Refusal(_("No team has written an entry yet."), code="no_entries")
    scored = set(Scorecard.objects.filter(entry__event=event).values_list("entry_id", "judge_id"))
    existing = set(Assignment.objects.filter(event=event).values_list("entry_id", "judge_id"))
    kept = existing if keep_existing else existing & scored
    keep: dict[int, list[int]] = {}
    for entry_id, judge_id in kept:
        keep.setdefault(entry_id, []).append(judge_id)
    result = assign(
        entries=[e.pk for e in entries],
        judges=[j.pk for j in judges],
        conflicts=selectors.conflict_pairs(event, entries, judges),
        judges_per_entry=settings.judges_per_entry,
        seed=settings.seed,
        keep=keep,
    )
    wanted = result.pairs()
    for entry_id, judge_id in existing - wanted:
        if (entry_id, judge_id) not in scored:
            Assignment.objects.filter(entry_id=entry_id, judge_id=judge_id).delete()
    added = sorted(wanted - existing)
    Assignment.objects.bulk_create([Assignment(event=event, entry_id=e, judge_id=j) for e, j in added])
    _announce_assigned(event, [j for _e, j in added])
    audit(
        event=event,
        actor=actor,
        action="assignment_run",
        judges_per_entry=settings.judges_per_entry,
        seed=settings.seed,
        keep_existing=keep_existing,
        balanced=result.balanced,
        short=len(result.shortfalls),
    )
    return result


def assignment_warnings(event: Event) -> list[str]:
    """What the current assignment fails to meet, in words (shown on the organizers' page)."""
    settings = selectors.judging_settings(event)
    judges = list(selectors.judges_of(event))
    entries = list(Entry.objects.filter(event=event).select_related("team"))
    rows = list(Assignment.objects.filter(event=event).values_list("entry_id", "judge_id"))
    warnings = []
    if not judges or not entries:
        return warnings
    conflicted = selectors.conflict_pairs(event, entries, judges)
    bad = [(e, j) for e, j in rows if (j, e) in conflicted]
    if bad:
        warnings.append(
            ngettext(
                "%(n)d assignment conflicts with a judge's declared conflict.",
                "%(n)d assignments conflict with judges' declared conflicts.",
                len(bad),
            )
            % {"n": len(bad)}
        )
    per_entry: dict[int, int] = {}
    loads = dict.fromkeys((j.pk for j in judges), 0)
    for e, j in rows:
        per_entry[e] = per_entry.get(e, 0) + 1
        if j in loads:
            loads[j] += 1
    short = [e for e in entries if per_entry.get(e.pk, 0) < settings.judges_per_entry]
    if short:
        warnings.append(
            ngettext(
                "%(n)d entry has fewer than %(k)d judges (not enough judges without a conflict, or not assigned yet).",
                "%(n)d entries have fewer than %(k)d judges (not enough judges without a conflict, or not assigned yet).",
                len(short),
            )
            % {"n": len(short), "k": settings.judges_per_entry}
        )
    if loads and max(loads.values()) - min(loads.values()) > 1:
        warnings.append(
            _(
                "Judges' loads differ by more than one entry (from %(min)d to %(max)d): run a fresh assignment, "
                "or the conflicts do not allow better."
            )
            % {"min": min(loads.values()), "max": max(loads.values())}
        )
    return warnings


def _announce_assigned(event: Event, judge_ids: list[int]) -> None:
    """After commit, tell the apps above (communication notifies each judge) through challenges.hooks:
    one batch per run, with how many entries each judge newly got; never fails the assignment."""
    entries = dict(Counter(judge_ids))
    if not entries:
        return
    batch = f"{event.pk}:{uuid.uuid4().hex}"

    def send() -> None:
        for _receiver, result in hooks.judges_assigned.send_robust(
            sender=Assignment, event_id=event.pk, batch=batch, entries=entries
        ):
            if isinstance(result, Exception):
                logger.warning("a receiver of judges_assigned failed for %s", batch, exc_info=result)

    transaction.on_commit(send)


@transaction.atomic
def assignment_add(*, entry: Entry, judge: User, actor: User) -> Assignment:
    _require_organizer(actor, entry.event)
    if not selectors.is_judge(judge, entry.event):
        raise Refusal(_("%(name)s is not a judge of this event.") % {"name": judge.username}, code="not_a_judge")
    reason = selectors.conflict_reason(judge=judge, entry=entry)
    if reason:
        raise Refusal(
            _("%(name)s cannot judge this entry: %(reason)s") % {"name": judge.username, "reason": reason},
            code="conflict",
        )
    assignment, created = Assignment.objects.get_or_create(
        entry=entry, judge=judge, defaults={"event": entry.event, "by_hand": True}
    )
    if created:
        _announce_assigned(entry.event, [judge.pk])
    audit(event=entry.event, actor=actor, action="assignment_add", entry=entry.pk, judge=judge.username)
    return assignment


@transaction.atomic
def assignment_remove(*, entry: Entry, judge: User, actor: User) -> None:
    _require_organizer(actor, entry.event)
    if Scorecard.objects.filter(entry=entry, judge=judge).exists():
        raise Refusal(
            _("%(name)s has already scored this entry: the scorecard would be orphaned.") % {"name": judge.username},
            code="already_scored",
        )
    Assignment.objects.filter(entry=entry, judge=judge).delete()
    audit(event=entry.event, actor=actor, action="assignment_remove", entry=entry.pk, judge=judge.username)


# Scorecards ---------------------------------------------------------------------------------------------


def require_can_score(*, entry: Entry, judge: User, at: datetime | None = None) -> None:
    """403 saying why unless `judge` is assigned to `entry`, has no conflict with it, and judging is open."""
    event = entry.event
    if not selectors.is_judge(judge, event):
        raise Refusal(_("Only the judges of this event score its entries."), code="not_a_judge", status=403)
    reason = selectors.conflict_reason(judge=judge, entry=entry)
    if reason:
        raise Refusal(_("You cannot score this entry: %(reason)s") % {"reason": reason}, code="conflict", status=403)
    if not Assignment.objects.filter(entry=entry, judge=judge).exists():
        raise Refusal(
            _("This entry is not assigned to you: you score only the entries in your queue."),
            code="not_assigned",
            status=403,
        )
    settings = selectors.judging_settings(event)
    at = at or timezone.now()
    if settings.published:
        raise Refusal(_("Judging is closed: the results are published."), code="judging_closed", status=403)
    if settings.opens_at and at < settings.opens_at:
        raise Refusal(
            _("Judging opens at %(at)s.") % {"at": format_moment(settings.opens_at.astimezone(event.tzinfo))},
            code="judging_not_open",
            status=403,
        )
    if settings.closes_at and at >= settings.closes_at:
        raise Refusal(
            _("Judging closed at %(at)s.") % {"at": format_moment(settings.closes_at.astimezone(event.tzinfo))},
            code="judging_closed",
            status=403,
        )


def _check_scores(event: Event, scores: dict) -> dict[str, int]:
    criteria = selectors.criteria_of(event)
    if not criteria:
        raise Refusal(_("The organizers have not set the rubric yet."), code="no_criteria")
    if not isinstance(scores, dict):
        raise Refusal(_("Scores must be an object {criterion id: score}."), code="bad_scores")
    given = {str(k): v for k, v in scores.items()}
    known = {str(c.pk) for c in criteria}
    unknown = sorted(set(given) - known)
    if unknown:
        raise Refusal(
            _("These criteria are not in this event's rubric: %(ids)s.") % {"ids": ", ".join(unknown)},
            code="bad_scores",
        )
    clean = {}
    for criterion in criteria:
        value = given.get(str(criterion.pk))
        if value is None or value == "":
            raise Refusal(
                _("Score every criterion: “%(name)s” is missing.") % {"name": criterion.name}, code="missing_score"
            )
        try:
            if isinstance(value, bool):
                raise TypeError
            number = int(value)
            if number != float(value):
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            raise Refusal(
                _("The score for “%(name)s” must be a whole number.") % {"name": criterion.name}, code="bad_scores"
            ) from None
        if not criterion.min_score <= number <= criterion.max_score:
            raise Refusal(
                _("The score for “%(name)s” must be between %(min)d and %(max)d.")
                % {"name": criterion.name, "min": criterion.min_score, "max": criterion.max_score},
                code="bad_scores",
            )
        clean[str(criterion.pk)] = number
    return clean


@transaction.atomic
def scorecard_submit(
    *, entry: Entry, judge: User, scores: dict, comment: str = "", revise: bool | None = None
) -> tuple[Scorecard, bool]:
    """A judge's scorecard for an entry: every criterion, each within its range.

    `revise`: True (PUT) needs an existing scorecard, False (POST) a new one; None takes either.
    Returns (scorecard, created).
    """
    require_can_score(entry=entry, judge=judge)
    clean = _check_scores(entry.event, scores)
    if len(comment or "") > 5000:
        raise Refusal(_("The comment is too long (5000 characters at most)."), code="too_long")
    card = Scorecard.objects.select_for_update(of=SELF).filter(entry=entry, judge=judge).order_by().first()
    if card is None and revise is True:
        raise Refusal(
            _("You have no scorecard for this entry yet: send it with POST."), code="no_scorecard", status=404
        )
    if card is not None and revise is False:
        raise Refusal(
            _("You already scored this entry: revise your scorecard with PUT."), code="scorecard_exists", status=409
        )
    created = card is None
    card = card or Scorecard(entry=entry, judge=judge)
    card.scores = clean
    card.comment = comment or ""
    card.save()
    return card, created


# Prizes --------------------------------------------------------------------------------------------------


@transaction.atomic
def prize_create(*, event: Event, actor: User, name: str, challenge: Challenge | None = None) -> Prize:
    _require_organizer(actor, event)
    if challenge is not None and challenge.event_id != event.pk:
        raise Refusal(_("This challenge is not in this event."), code="invalid")
    prize = Prize(event=event, name=(name or "").strip(), challenge=challenge, order=event.prizes.count())
    _full_clean(prize)
    prize.save()
    audit(event=event, actor=actor, action="prize_create", prize=prize.name)
    return prize


@transaction.atomic
def prize_award(*, prize: Prize, actor: User, winner: Entry | None) -> Prize:
    _require_organizer(actor, prize.event)
    if winner is not None:
        if winner.event_id != prize.event_id:
            raise Refusal(_("This entry is not in this event."), code="invalid")
        if prize.challenge_id and winner.challenge_id != prize.challenge_id:
            raise Refusal(_("This prize is for another challenge's entries."), code="invalid")
    prize.winner = winner
    prize.save(update_fields=["winner"])
    audit(event=prize.event, actor=actor, action="prize_award", prize=prize.name, entry=winner and winner.pk)
    return prize


@transaction.atomic
def prize_delete(*, prize: Prize, actor: User) -> None:
    _require_organizer(actor, prize.event)
    audit(event=prize.event, actor=actor, action="prize_delete", prize=prize.name)
    prize.delete()
