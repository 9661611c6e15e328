"""Notifications (what a person sees in their list), announcements (organizers to participants), their
per-recipient deliveries, email choices and the once-only claims of phase reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Event, Phase


class Notification(models.Model):
    """One thing a person should know. Its words are a code and parameters (communication.texts),
    rendered in the reader's language, or the announcement it points to (in the reader's language too)."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        SUBMISSION = "submission", _("Submission")
        RESULTS = "results", _("Results")
        REMINDER = "reminder", _("Deadline reminder")
        TEAM = "team", _("Team request")
        JUDGING = "judging", _("Judging assignment")
        ALERT = "alert", _("Scoring problem")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    announcement = models.ForeignKey(
        "Announcement", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # What this notification is about ("submission:12", "assignment:<batch>"): one per person and key, so a
    # platform event heard twice (a retried job, a replayed signal) notifies and emails once.
    key = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once_per_key"
            ),
            # An announcement reaches a person once, whatever retries happen.
            models.UniqueConstraint(
                fields=["user", "announcement"],
                condition=models.Q(announcement__isnull=False),
                name="notification_once_per_announcement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.code}"


class Announcement(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone registered")
        CHALLENGE = "challenge", _("The teams of one challenge")
        NOT_SUBMITTED = "not_submitted", _("Teams that have not submitted yet")
        JUDGES = "judges", _("Judges")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), help_text=_("Markdown."))
    # {"es": {"title": ..., "body": ...}, ...}: readers get their language's version when there is one.
    translations = models.JSONField(default=dict, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    send_at = models.DateTimeField(_("send at"), null=True, blank=True, help_text=_("Empty: send now."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"], name="announcement_due")]

    def __str__(self) -> str:
        return self.title

    def text_in(self, language: str | None) -> tuple[str, str]:
        """(title, body) in `language` when the organizers wrote that translation in one of the event's
        languages, else the original."""
        code = (language or "")[:2]
        if code not in self.event.language_codes:
            return self.title, self.body
        version = (self.translations or {}).get(code) or {}
        return version.get("title") or self.title, version.get("body") or self.body


class Delivery(models.Model):
    """One email to one person: of an announcement (unique per announcement and person) or of a platform
    notification (unique per notification). The delivery log: never twice, retried, outcome recorded."""

    class Email(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent (no verified address, or the person opted out)")
        FAILED = "failed", _("Failed")

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="delivery"
    )
    # The kind of email (EmailOptOut.Kind): what the person may switch off, and the unsubscribe link's kind.
    kind = models.CharField(max_length=20, default="announcement")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    email = models.CharField(max_length=20, choices=Email.choices, default=Email.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["announcement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="delivery_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(announcement__isnull=False) | models.Q(notification__isnull=False),
                name="delivery_of_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id or self.notification_id} -> {self.user_id}: {self.email}"


class EmailOptOut(models.Model):
    """A kind of email a person chose not to receive (from their preferences or an unsubscribe link)."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcements from the organizers of my events")
        REMINDER = "reminder", _("Reminders 24 hours and 1 hour before a phase opens or closes")
        SUBMISSION = "submission", _("My team's submissions: scored or failed")
        RESULTS = "results", _("Results published in my events")
        JUDGING = "judging", _("Entries assigned to me as a judge")
        ALERT = "alert", _("Scoring failures in events I organize")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.user} no {self.kind}"


class PhaseReminder(models.Model):
    """The claim of one reminder (a phase's opening or closing, 24 h or 1 h before): unique, so the beat
    task sends each exactly once however often it runs and on however many machines."""

    class Moment(models.TextChoices):
        OPENS = "opens", _("opens")
        CLOSES = "closes", _("closes")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="+")
    moment = models.CharField(max_length=10, choices=Moment.choices)
    hours = models.PositiveSmallIntegerField()
    at = models.DateTimeField(help_text="The opening or closing time the reminder was about.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["phase", "moment", "hours", "at"], name="phase_reminder_once")]

    def __str__(self) -> str:
        return f"{self.phase_id} {self.moment} -{self.hours}h"


DEFAULT_SKILLS = ("data science", "GIS", "graph analysis", "law", "social work", "design")


class Skill(models.Model):
    """A skill an event's organizers added to the board's list (DEFAULT_SKILLS are always offered)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("skill"), max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="skill_unique_per_event")]

    def __str__(self) -> str:
        return self.name


class BoardProfile(models.Model):
    """A participant looking for a team, on one event's board (opt-in; deleted when they withdraw)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_profiles")
    pitch = models.CharField(_("pitch"), max_length=500)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="board_profile_once")]

    def __str__(self) -> str:
        return f"{self.user} on {self.event}"


class JoinRequest(models.Model):
    class Direction(models.TextChoices):
        TO_TEAM = "to_team", _("A person asks to join a team")
        TO_PERSON = "to_person", _("A team invites a person")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed (the person joined a team)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("challenges.Team", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=models.Q(status="pending"), name="join_request_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} <-> {self.team} ({self.status})"


class OpenSeats(models.Model):
    """A team's post on the board: how many people it still looks for, and with which skills."""

    team = models.OneToOneField("challenges.Team", on_delete=models.CASCADE, related_name="+")
    seats = models.PositiveSmallIntegerField(_("open seats"), default=1)
    skills = models.JSONField(_("skills wanted"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.team} seeks {self.seats}"
