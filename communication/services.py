"""Writes: notifications, announcements and their deliveries, email choices, reminders.

Every email goes through `email_send`: only to a verified address (`user.can_receive_email`), in the
recipient's language, never of a kind they opted out of, with RFC 8058 one-click unsubscribe headers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from challenges.models import LAST_YEAR, Challenge, Event, EventRole, Phase, Registration
from challenges.selectors import is_organizer
from challenges.services import audit
from hackplatform.refusals import Refusal

from .models import Announcement, Delivery, EmailOptOut, Notification, PhaseReminder
from .selectors import announcement_recipients, notification_text
from .texts import BODIES, PLATFORM_TOLD, TITLES

logger = logging.getLogger(__name__)

EMAIL_ATTEMPTS = 3  # an email that fails this many times is marked failed in the delivery log
STALE_SENDING = timedelta(minutes=15)  # a worker that claimed an email this long ago died while sending
REMINDER_HOURS = (24, 1)
UNSUBSCRIBE_SALT = "communication.unsubscribe"


# Email ------------------------------------------------------------------------------------------


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed (user, kind) pair: the link works without logging in and cannot be made for someone else.
    It does not expire: an unsubscribe link in an old email must still work."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, kind: str) -> str:
    path = reverse("communication:unsubscribe", args=[unsubscribe_token(user=user, kind=kind)])
    return settings.SITE_URL.rstrip("/") + path


def email_wanted(user: User, kind: str) -> bool:
    return user.can_receive_email and not EmailOptOut.objects.filter(user=user, kind=kind).exists()


def email_send(*, user: User, kind: str, subject: str, body: str) -> bool:
    """Send one email of `kind` to `user` (False when not wanted or not possible); raises on a mail error.

    The caller renders subject and body inside `translation.override(user.preferred_language)`.
    """
    if not email_wanted(user, kind):
        return False
    link = unsubscribe_url(user=user, kind=kind)
    with translation.override(user.preferred_language):
        footer = _(
            "You receive this because you take part in an event on hackplatform. Stop these emails: %(link)s"
        ) % {"link": link}
    message = EmailMessage(
        subject=subject,
        body=f"{body}\n\n-- \n{footer}\n",
        to=[user.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()
    return True


@transaction.atomic
def email_preferences_set(*, user: User, unwanted: set[str]) -> set[str]:
    """Opt out of exactly the kinds in `unwanted` (and back into the others)."""
    unwanted = {kind for kind in unwanted if kind in EmailOptOut.Kind.values}
    EmailOptOut.objects.filter(user=user).exclude(kind__in=unwanted).delete()
    for kind in unwanted:
        EmailOptOut.objects.get_or_create(user=user, kind=kind)
    return unwanted


def unsubscribe_with_token(*, token: str) -> tuple[User, str]:
    """Opt the token's person out of the token's kind of email (no login needed); idempotent."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        kind = data["k"]
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise Refusal(
            _("This unsubscribe link is not valid. Change your email choices from your profile."), code="bad_link"
        )
    if kind not in EmailOptOut.Kind.values:
        raise Refusal(
            _("This unsubscribe link is not valid. Change your email choices from your profile."), code="bad_link"
        )
    EmailOptOut.objects.get_or_create(user=user, kind=kind)
    return user, kind


# Notifications ----------------------------------------------------------------------------------


def notification_create(
    *, user: User, kind: str, code: str, params: dict | None = None, url: str = "", event: Event | None = None
) -> Notification:
    return Notification.objects.create(
        user=user, kind=kind, code=TITLES.check(BODIES.check(code)), params=params or {}, url=url, event=event
    )


def notify(
    *,
    users: Iterable[User],
    kind: str,
    code: str,
    params: dict,
    url: str,
    event: Event | None,
    key: str,
    email: str | None = None,
) -> int:
    """Notify each of `users` once per `key`, and email them once through the delivery log.

    1. one Notification per person and key (unique): hearing the same platform event twice adds nothing,
    2. for each new one, a Delivery (unique per notification) of email kind `email`, pending,
    3. after commit, the emails go out (`deliveries_email`), each claimed on its own: sent in the person's
       language and time zone, skipped when they opted out of that kind or have no verified address,
       retried by beat when the mail server fails, never twice.
    Returns how many people were newly notified.
    """
    TITLES.check(BODIES.check(code))
    users = [user for user in users if user.is_active]
    now = timezone.now()
    with transaction.atomic():
        before = set(Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
        fresh = [user for user in users if user.pk not in before]
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user, kind=kind, code=code, params=params, url=url, event=event, key=key, created_at=now
                )
                for user in fresh
            ],
            ignore_conflicts=True,
        )
        if email is None:
            return len(fresh)
        unsent = Notification.objects.filter(key=key, user__in=fresh, delivery__isnull=True)
        Delivery.objects.bulk_create(
            [Delivery(notification=n, user_id=n.user_id, kind=email, created_at=now) for n in unsent],
            ignore_conflicts=True,
        )
        ids = list(
            Delivery.objects.filter(notification__key=key, user__in=fresh, email=Delivery.Email.PENDING).values_list(
                "pk", flat=True
            )
        )
        if ids:
            from .tasks import email_deliveries

            transaction.on_commit(lambda: _dispatch(email_deliveries, ids))
    return len(fresh)


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise Refusal(_("You have no notification with this id."), code="not_found", status=404)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# Announcements ----------------------------------------------------------------------------------


def _check_announcement(event: Event, fields: dict) -> None:
    audience = fields.get("audience", Announcement.Audience.EVERYONE)
    if audience not in Announcement.Audience.values:
        raise Refusal(_("Unknown audience “%(audience)s”.") % {"audience": audience}, code="bad_audience")
    challenge = fields.get("challenge")
    if challenge is not None and challenge.event_id != event.pk:
        raise Refusal(_("This challenge belongs to another event."), code="bad_challenge")
    if audience == Announcement.Audience.CHALLENGE and challenge is None:
        raise Refusal(_("Choose the challenge whose teams should receive this announcement."), code="no_challenge")
    if not (fields.get("title") or "").strip() or not (fields.get("body") or "").strip():
        raise Refusal(_("An announcement needs a title and a message."), code="empty")
    languages = event.language_codes
    for language, version in (fields.get("translations") or {}).items():
        if language not in languages:
            raise Refusal(
                _(
                    "“%(language)s” is not one of this event's languages (%(languages)s): translations are "
                    "only for those. The organizers choose them in the event's settings."
                )
                % {"language": language, "languages": ", ".join(languages) or "-"},
                code="bad_translations",
            )
        if not isinstance(version, dict):
            raise Refusal(_("Each translation has a title and a body, as text."), code="bad_translations")
        if set(version) - {"title", "body"} or not all(isinstance(v, str) for v in version.values()):
            raise Refusal(_("Each translation has a title and a body, as text."), code="bad_translations")
    send_at = fields.get("send_at")
    if send_at is not None and send_at.year > LAST_YEAR:
        raise Refusal(_("Pick a sending time before the year %(last)s.") % {"last": LAST_YEAR}, code="send_at_far")
    if send_at is not None and send_at < timezone.now() - timedelta(minutes=1):
        raise Refusal(_("The sending time has passed. Leave it empty to send now."), code="send_at_past")


def _require_organizer(actor: User, event: Event) -> None:
    if not is_organizer(actor, event):
        raise Refusal(_("Only the organizers of this event can write announcements."), code="forbidden", status=403)


def _send_now_or_later(announcement: Announcement) -> None:
    if announcement.send_at is None or announcement.send_at <= timezone.now():
        from .tasks import send_announcement

        announcement_id = announcement.pk
        transaction.on_commit(lambda: _dispatch(send_announcement, announcement_id))


def _dispatch(task, *args) -> None:
    """Hand a job to the broker; if it is down, beat's `communication.send_due` picks the work up."""
    try:
        task.delay(*args)
    except Exception:
        logger.warning("could not send %s%s; beat will", task.name, args, exc_info=True)


@transaction.atomic
def announcement_create(
    *,
    event: Event,
    actor: User,
    title: str,
    body: str,
    audience: str = Announcement.Audience.EVERYONE,
    challenge: Challenge | None = None,
    send_at: datetime | None = None,
    translations: dict | None = None,
) -> Announcement:
    """Write an announcement (organizers only); sent at once when `send_at` is empty or past, else by beat."""
    _require_organizer(actor, event)
    fields = {
        "title": title,
        "body": body,
        "audience": audience,
        "challenge": challenge,
        "send_at": send_at,
        "translations": translations or {},
    }
    _check_announcement(event, fields)
    announcement = Announcement.objects.create(event=event, author=actor, **fields)
    audit(event=event, actor=actor, action="announcement_create", announcement=announcement.pk, audience=audience)
    _send_now_or_later(announcement)
    return announcement


def require_unsent(announcement: Announcement) -> None:
    """409 unless the announcement is still waiting for its sending time (checked before reading a change,
    so that a sent one is refused as sent whatever the change says)."""
    if announcement.status != Announcement.Status.SCHEDULED or (
        announcement.send_at is None or announcement.send_at <= timezone.now()
    ):
        raise Refusal(
            _("This announcement was already sent (or cancelled); it can no longer be changed."),
            code="already_sent",
            status=409,
        )


def _lock_unsent(announcement: Announcement, actor: User) -> Announcement:
    _require_organizer(actor, announcement.event)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    require_unsent(locked)
    return locked


@transaction.atomic
def announcement_update(*, announcement: Announcement, actor: User, **changes) -> Announcement:
    """Change a scheduled announcement before it goes out."""
    locked = _lock_unsent(announcement, actor)
    allowed = {"title", "body", "audience", "challenge", "send_at", "translations"}
    unknown = set(changes) - allowed
    if unknown:
        raise Refusal(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, code="invalid"
        )
    fields = {name: getattr(locked, name) for name in allowed} | changes
    _check_announcement(locked.event, fields)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    audit(event=locked.event, actor=actor, action="announcement_update", announcement=locked.pk, fields=sorted(changes))
    _send_now_or_later(locked)
    return locked


@transaction.atomic
def announcement_cancel(*, announcement: Announcement, actor: User) -> Announcement:
    locked = _lock_unsent(announcement, actor)
    locked.status = Announcement.Status.CANCELLED
    locked.save(update_fields=["status"])
    audit(event=locked.event, actor=actor, action="announcement_cancel", announcement=locked.pk)
    return locked


def announcement_send(*, announcement_id: int) -> int:
    """Send one due announcement, exactly once; returns how many people it reached (0: not ours to send).

    1. claim it: UPDATE status scheduled -> sent WHERE it is due; one row changed or stop (another
       worker, or an earlier run, sent it; or it was cancelled or moved later),
    2. in the same transaction, one Delivery (unique per person) and one Notification per recipient:
       a worker killed half-way rolls the claim back too, and beat sends it again from the start,
    3. after commit, the emails go out (`deliveries_email`), each claimed on its own.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Announcement.objects.filter(pk=announcement_id, status=Announcement.Status.SCHEDULED)
            .filter(Q(send_at__isnull=True) | Q(send_at__lte=now))
            .update(status=Announcement.Status.SENT, sent_at=now)
        )
        if claimed != 1:
            return 0
        announcement = Announcement.objects.select_related("event").get(pk=announcement_id)
        users = list(announcement_recipients(announcement).only("pk"))
        Delivery.objects.bulk_create(
            [Delivery(announcement=announcement, user=user, created_at=now) for user in users], ignore_conflicts=True
        )
        url = announcement.event.get_absolute_url()
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user,
                    kind=Notification.Kind.ANNOUNCEMENT,
                    code="announcement",
                    url=url,
                    event=announcement.event,
                    announcement=announcement,
                    created_at=now,
                )
                for user in users
            ],
            ignore_conflicts=True,
        )
        from .tasks import email_announcement

        transaction.on_commit(lambda: _dispatch(email_announcement, announcement_id))
    return len(users)


def _announcement_email(announcement: Announcement, user: User) -> tuple[str, str]:
    with translation.override(user.preferred_language):
        title, body = announcement.text_in(user.preferred_language)
        subject = _("[%(event)s] %(title)s") % {"event": announcement.event.name, "title": title}
        link = settings.SITE_URL.rstrip("/") + announcement.event.get_absolute_url()
        text = (
            body
            + "\n\n"
            + _("From the organizers of %(event)s: %(link)s")
            % {
                "event": announcement.event.name,
                "link": link,
            }
        )
    return subject, text


def _notification_email(notification: Notification, user: User) -> tuple[str, str]:
    """(subject, body) of a platform notification's email, in the person's language and time zone."""
    from submissions.models import Submission
    from submissions.services import submission_email_text

    with translation.override(user.preferred_language), timezone.override(_zone(user)):
        submission = None
        if notification.kind == Notification.Kind.SUBMISSION:
            submission = Submission.objects.filter(pk=(notification.params or {}).get("submission")).first()
        if submission is not None:
            subject, body = submission_email_text(submission=submission)
            if notification.code == "submission_failed_platform":
                body = body.rstrip() + "\n\n" + str(PLATFORM_TOLD)
            return subject, body
        title, text = notification_text(notification)
        link = settings.SITE_URL.rstrip("/") + notification.url
        return title, f"{text}\n\n{link}"


def _zone(user: User):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def delivery_email(*, delivery_id: int) -> str:
    """Email one delivery (of an announcement or a platform notification), never twice: claim it
    (pending -> sending), send, record the outcome.

    A mail error puts it back to pending for beat to retry (up to EMAIL_ATTEMPTS); a worker that dies
    after claiming leaves it `sending`, and beat marks it failed rather than risk a second email.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, email=Delivery.Email.PENDING).update(
        email=Delivery.Email.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return "not_ours"
    delivery = Delivery.objects.select_related("announcement__event", "notification", "user").get(pk=delivery_id)
    user = delivery.user
    kind = delivery.kind or EmailOptOut.Kind.ANNOUNCEMENT
    if not email_wanted(user, kind):
        Delivery.objects.filter(pk=delivery_id).update(email=Delivery.Email.SKIPPED)
        return "skipped"
    try:
        if delivery.announcement is not None:
            subject, body = _announcement_email(delivery.announcement, user)
        else:
            subject, body = _notification_email(delivery.notification, user)
        email_send(user=user, kind=kind, subject=subject, body=body)
    except Exception as exc:
        logger.warning("could not email delivery %s", delivery_id, exc_info=True)
        outcome = Delivery.Email.FAILED if delivery.attempts >= EMAIL_ATTEMPTS else Delivery.Email.PENDING
        Delivery.objects.filter(pk=delivery_id).update(email=outcome, error=str(exc)[:300])
        return outcome
    Delivery.objects.filter(pk=delivery_id).update(email=Delivery.Email.SENT, emailed_at=timezone.now(), error="")
    return "sent"


def deliveries_email(*, announcement_id: int | None = None, delivery_ids: list[int] | None = None) -> dict[str, int]:
    """Email every pending delivery (of one announcement, of the given ids, or all: beat's retry)."""
    pending = Delivery.objects.filter(email=Delivery.Email.PENDING)
    if announcement_id is not None:
        pending = pending.filter(announcement_id=announcement_id)
    if delivery_ids is not None:
        pending = pending.filter(pk__in=delivery_ids)
    counts: dict[str, int] = {}
    for delivery_id in pending.values_list("pk", flat=True):
        outcome = delivery_email(delivery_id=delivery_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def announcements_send_due() -> dict[str, int]:
    """Beat, every minute: send what is due (also what a dead worker or a lost message left), retry
    failed emails, and give up on emails whose worker died while sending them."""
    now = timezone.now()
    due = Announcement.objects.filter(status=Announcement.Status.SCHEDULED).filter(
        Q(send_at__isnull=True) | Q(send_at__lte=now)
    )
    sent = sum(1 for pk in due.values_list("pk", flat=True) if announcement_send(announcement_id=pk))
    interrupted = Delivery.objects.filter(email=Delivery.Email.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        email=Delivery.Email.FAILED, error="interrupted while sending; not sent again to avoid a duplicate"
    )
    emails = {f"email_{outcome}": n for outcome, n in deliveries_email().items()}
    return {"announcements": sent, "email_interrupted": interrupted, **emails}


# Platform events --------------------------------------------------------------------------------


def notify_submission_finished(*, submission_id: int, status: str) -> int:
    """A submission's first outcome: notify and email its uploader; when it failed for a reason on the
    platform's side, notify and email the event's organizers first (so that the uploader's message, which
    says they have been told, is true) -- the event's dashboard also lists it until it is re-scored."""
    from submissions.models import Submission
    from submissions.texts import PLATFORM_ERRORS

    submission = (
        Submission.objects.select_related("submitted_by", "team", "phase__challenge__event")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or status not in ("scored", "failed"):
        return 0
    phase = submission.phase
    event = phase.challenge.event
    params = {
        "challenge": phase.challenge.title,
        "phase": phase.name,
        "file": submission.original_name,
        "submission": submission.pk,
    }
    code = f"submission_{status}"
    notified = 0
    with transaction.atomic():
        if status == "failed" and submission.error_code in PLATFORM_ERRORS:
            code = "submission_failed_platform"
            organizers = User.objects.filter(
                pk__in=EventRole.objects.filter(event=event, role=EventRole.Role.ORGANIZER).values("user_id")
            )
            notified += notify(
                users=organizers,
                kind=Notification.Kind.ALERT,
                code="scoring_alert",
                params={
                    **params,
                    "team": submission.team.name if submission.team_id else "",
                    "error_code": submission.error_code,
                    "error_params": submission.error_params or {},
                },
                url=submission.get_absolute_url(),
                event=event,
                key=f"scoring_alert:{submission.pk}",
                email=EmailOptOut.Kind.ALERT,
            )
        if submission.submitted_by is not None:
            notified += notify(
                users=[submission.submitted_by],
                kind=Notification.Kind.SUBMISSION,
                code=code,
                params=params,
                url=submission.get_absolute_url(),
                event=event,
                key=f"submission:{submission.pk}",
                email=EmailOptOut.Kind.SUBMISSION,
            )
    return notified


def notify_results_published(*, phase_id: int) -> int:
    """Notify and email the event's registered participants, once per publication of the phase's results."""
    phase = Phase.objects.select_related("challenge__event").filter(pk=phase_id).first()
    if phase is None or phase.results_published_at is None:
        return 0
    event = phase.challenge.event
    users = User.objects.filter(pk__in=Registration.objects.filter(event=event).values("user_id"), is_active=True)
    return notify(
        users=users,
        kind=Notification.Kind.RESULTS,
        code="results_published",
        params={"challenge": phase.challenge.title, "phase": phase.name},
        url=phase.challenge.get_absolute_url(),
        event=event,
        key=f"results:{phase.pk}:{phase.results_published_at.isoformat()}",
        email=EmailOptOut.Kind.RESULTS,
    )


def notify_judges_assigned(*, event_id: int, batch: str, entries: dict) -> int:
    """Judges got new entries (judging's assignment, through challenges.hooks.judges_assigned): each
    judge who is still a judge of the event gets one notification and one email for the batch, however
    many entries it brought them, linking to their judging queue."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    counts = {int(judge_id): int(n) for judge_id, n in entries.items()}
    judges = User.objects.filter(
        pk__in=EventRole.objects.filter(event=event, role=EventRole.Role.JUDGE, user_id__in=counts).values("user_id")
    )
    url = reverse("judging:queue", args=[event.slug])
    notified = 0
    with transaction.atomic():
        for judge in judges:
            notified += notify(
                users=[judge],
                kind=Notification.Kind.JUDGING,
                code="judge_assigned",
                params={"event": event.name, "n": counts[judge.pk]},
                url=url,
                event=event,
                key=f"assignment:{batch}"[:120],
                email=EmailOptOut.Kind.JUDGING,
            )
    return notified


def phase_reminders_send(*, now: datetime | None = None) -> int:
    """Beat: notify (and email) the registered participants of each phase opening or closing within 24 h
    and within 1 h, exactly once per phase, moment and window (a unique PhaseReminder row is the claim).

    A phase first seen inside the 1-hour window gets only the 1-hour reminder (the 24-hour one is claimed
    and skipped): two reminders a minute apart say nothing more.
    """
    now = now or timezone.now()
    horizon = now + timedelta(hours=max(REMINDER_HOURS))
    phases = Phase.objects.select_related("challenge__event").filter(
        Q(opens_at__gt=now, opens_at__lte=horizon) | Q(closes_at__gt=now, closes_at__lte=horizon)
    )
    sent = 0
    for phase in phases:
        for moment, at in (
            (PhaseReminder.Moment.OPENS, phase.opens_at),
            (PhaseReminder.Moment.CLOSES, phase.closes_at),
        ):
            if not (now < at <= horizon):
                continue
            windows = [hours for hours in sorted(REMINDER_HOURS) if at - now <= timedelta(hours=hours)]
            if not windows:
                continue
            narrowest = windows[0]
            for hours in windows:
                try:
                    with transaction.atomic():
                        PhaseReminder.objects.create(phase=phase, moment=moment, hours=hours, at=at)
                        if hours == narrowest:
                            sent += _remind(phase, moment, at, hours)
                except IntegrityError:
                    continue  # claimed before (by an earlier run or another beat)
    return sent


def _remind(phase: Phase, moment: str, at: datetime, hours: int) -> int:
    event = phase.challenge.event
    users = User.objects.filter(pk__in=Registration.objects.filter(event=event).values("user_id"), is_active=True)
    return notify(
        users=users,
        kind=Notification.Kind.REMINDER,
        code=f"phase_{moment}",
        params={"challenge": phase.challenge.title, "phase": phase.name, "moment": at.isoformat()},
        url=phase.challenge.get_absolute_url(),
        event=event,
        key=f"reminder:{phase.pk}:{moment}:{hours}:{at.isoformat()}",
        email=EmailOptOut.Kind.REMINDER,
    )
