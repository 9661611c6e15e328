"""Events, their roles and terms, challenges with their datasets, phases, and teams."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import validate_timezone
from challenges.names import team_name_key
from hackplatform.storage import private_storage

AOE = "Etc/GMT+12"  # "Anywhere on Earth": UTC-12, the last place on Earth where a day ends.

# The years an event's dates may fall in. Far from datetime's own limits (years 1 and 9999), so that a
# date shown in any time zone, or moved by a grace period, stays a date: 9999-12-31 plus a day of grace
# was an OverflowError on every page listing the phase.
FIRST_YEAR, LAST_YEAR = 2000, 2999


def check_date_range(instance: models.Model, *names: str) -> None:
    """Refuse (by field) the dates of `instance` outside FIRST_YEAR..LAST_YEAR."""
    errors = {
        name: _("Pick a date between the years %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        for name in names
        if getattr(instance, name) is not None and not FIRST_YEAR <= getattr(instance, name).year <= LAST_YEAR
    }
    if errors:
        raise ValidationError(errors)


def all_languages() -> list[str]:
    """Every language the site runs in (settings.LANGUAGES): an event's languages by default."""
    return [code for code, _name in settings.LANGUAGES]


def validate_languages(value) -> None:
    """An event's languages: a list of distinct codes of settings.LANGUAGES, at least one."""
    known = all_languages()
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."), code="languages")
    unknown = [code for code in value if code not in known]
    if unknown or len(set(value)) != len(value):
        raise ValidationError(_("Languages are chosen from %(known)s.") % {"known": ", ".join(known)}, code="languages")


def _join_code() -> str:
    return secrets.token_urlsafe(9)


def _invite_token() -> str:
    return secrets.token_urlsafe(16)


def dataset_secret() -> str:
    """128 random bits (32 hex digits), mixed with the organizers' seed into every generated dataset."""
    return secrets.token_hex(16)


class Event(models.Model):
    class Visibility(models.TextChoices):
        DRAFT = "draft", _("Draft (organizers only)")
        PUBLISHED = "published", _("Published")
        INVITE_ONLY = "invite_only", _("Invite only (with the invite link)")

    class RosterVisibility(models.TextChoices):
        PARTICIPANTS = "participants", _("Participants, judges and organizers of the event")
        PUBLIC = "public", _("Everyone, also visitors who are not logged in")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    banner = models.ImageField(_("banner"), upload_to="banners/", blank=True)
    banner_thumbnail = models.ImageField(upload_to="banners/thumbs/", blank=True, editable=False)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    team_size_min = models.PositiveSmallIntegerField(
        _("minimum team size"), default=1, validators=[MinValueValidator(1)]
    )
    team_size_max = models.PositiveSmallIntegerField(
        _("maximum team size"), default=5, validators=[MinValueValidator(1)]
    )
    max_teams = models.PositiveIntegerField(_("maximum number of teams"), null=True, blank=True)
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.DRAFT)
    invite_token = models.CharField(max_length=40, default=_invite_token, unique=True, editable=False)
    code_of_conduct = models.TextField(_("code of conduct"), blank=True, help_text=_("Markdown."))
    roster_visibility = models.CharField(
        _("who sees the members of teams"),
        max_length=20,
        choices=RosterVisibility.choices,
        default=RosterVisibility.PARTICIPANTS,
        help_text=_("Others see each team's name, country and number of members, not who is in it."),
    )
    roster_unlocked = models.BooleanField(
        _("roster unlocked by an organizer"),
        default=False,
        help_text=_("Lets teams change after the last phase closed (recorded in the audit log)."),
    )
    languages = models.JSONField(
        _("languages"),
        default=all_languages,
        validators=[validate_languages],
        help_text=_("Announcements can be translated into these languages."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team_size_max__gte=F("team_size_min")),
                name="event_team_size_range",
                violation_error_message=_("The maximum team size must be at least the minimum team size."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("challenges:event_detail", args=[self.slug])

    def clean(self) -> None:
        check_date_range(self, "registration_opens_at", "registration_closes_at")

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def language_codes(self) -> list[str]:
        """The event's languages that the site still runs in, in the site's order."""
        chosen = set(self.languages or [])
        return [code for code in all_languages() if code in chosen]

    @property
    def is_aoe(self) -> bool:
        return self.timezone == AOE

    def is_registration_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        if self.registration_opens_at and at < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and at >= self.registration_closes_at)

    @property
    def current_terms(self) -> Terms | None:
        return self.terms.order_by("-version").first()


class Terms(models.Model):
    """One version of an event's data-use agreement; participants accept the newest one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField()
    text = models.TextField(_("data-use agreement"), help_text=_("Markdown."))
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "-version"]
        constraints = [models.UniqueConstraint(fields=["event", "version"], name="terms_unique_version")]

    def __str__(self) -> str:
        return f"{self.event} terms v{self.version}"


class EventRole(models.Model):
    """Organizer or judge of one event. Participants are those with a Registration."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")
        JUDGE = "judge", _("Judge")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user", "role"], name="eventrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.event}"


class Registration(models.Model):
    """A participant's registration: which version of the terms they accepted, and when."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    terms = models.ForeignKey(Terms, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.event}"

    def accepted_current_terms(self) -> bool:
        current = self.event.current_terms
        return self.accepts(self.terms_id, self.terms_accepted_at, current.id if current else None)

    @staticmethod
    def accepts(terms_id: int | None, accepted_at, newest_terms_id: int | None) -> bool:
        """The rule, in one place: no terms published, or the newest ones accepted."""
        return newest_terms_id is None or (terms_id == newest_terms_id and accepted_at is not None)


# What the organizer dashboard shows for each audit action code (`action` stays a plain code in the
# database, so other apps may record their own; an unknown code is shown as it is).
AUDIT_ACTION_LABELS = {
    "event_create": _("Event created"),
    "event_update": _("Event settings changed"),
    "role_grant": _("Role granted"),
    "terms_publish": _("Data-use agreement published"),
    "challenge_create": _("Challenge added"),
    "challenge_update": _("Challenge changed"),
    "dataset_generate": _("Dataset generated"),
    "dataset_upload": _("Dataset uploaded"),
    "phase_update": _("Phase changed"),
    "results_publish": _("Results published"),
    "results_withdraw": _("Results withdrawn"),
    "roster_unlock": _("Rosters unlocked"),
    "roster_lock": _("Rosters locked again"),
    "submission_rescore": _("Submission sent to be scored again"),
    "phase_rescore": _("All submissions of a phase sent to be scored again"),
    "submission_cancel": _("Submission cancelled"),
    "team_update": _("Team changed"),
    "team_leave": _("Member left a team"),
    "event_delete": _("Event deleted"),
    "challenge_delete": _("Challenge deleted"),
    "token_revoke": _("API token revoked"),
    # Recorded by the judging app
    "judging_update": _("Judging settings changed"),
    "judging_publish": _("Judged results published"),
    "judging_withdraw": _("Judged results withdrawn"),
    "criterion_create": _("Criterion added"),
    "criterion_update": _("Criterion changed"),
    "criterion_delete": _("Criterion removed"),
    "entry_reopen": _("Entry reopened"),
    "entry_freeze": _("Entry frozen again"),
    "conflict_record": _("Conflict recorded for a judge"),
    "assignment_run": _("Judges assigned"),
    "assignment_add": _("Judge added to an entry"),
    "assignment_remove": _("Judge removed from an entry"),
    "prize_create": _("Prize added"),
    "prize_award": _("Prize awarded"),
    "prize_delete": _("Prize removed"),
    "announcement_create": _("Announcement written"),
    "announcement_update": _("Announcement changed"),
    "announcement_cancel": _("Announcement cancelled"),
    "board_hide": _("Team board entry hidden"),
    "board_show": _("Team board entry shown again"),
    # Recorded by the bundles app
    "bundle_export": _("Event exported as a bundle"),
    "bundle_export_full": _("Event exported as a full archive (with secrets and truth files)"),
    "bundle_import": _("Event created from a bundle"),
    # Recorded by the webhooks app
    "webhook_create": _("Webhook added"),
    "webhook_delete": _("Webhook deleted"),
}


class AuditLog(models.Model):
    """Organizer overrides and other decisions someone may later need to explain."""

    # SET_NULL: the record of a deleted event (or of what belongs to none, a revoked token) stays.
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=80)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        """The action in the active language (AUDIT_ACTION_LABELS), or its code when it has no label."""
        label = AUDIT_ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action


# The primary (leaderboard) metric of each built-in scorer, as named in the scoring specification.


class Challenge(models.Model):
    class Kind(models.TextChoices):
        DETECTION = "detection", _("Pattern detection")
        HOTSPOT = "hotspot", _("Hotspot mapping")
        NETWORK = "network", _("Network tracking")
        JUDGED = "judged", _("Judged project")

    class DatasetSource(models.TextChoices):
        NONE = "none", _("No dataset")
        GENERATED = "generated", _("Generated by the platform")
        UPLOADED = "uploaded", _("Uploaded by the organizers")

    class DatasetSize(models.TextChoices):
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")
        LARGE = "large", _("Large")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="challenges")
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    order = models.PositiveSmallIntegerField(default=0)
    dataset_source = models.CharField(max_length=20, choices=DatasetSource.choices, default=DatasetSource.NONE)
    dataset_seed = models.BigIntegerField(null=True, blank=True)
    # Server-only: never in a serializer, form, page, log or the admin. Without it the open-source
    # generator and any seed rebuild nothing, so the truth cannot be derived from the participant files.
    dataset_secret = models.CharField(max_length=32, default=dataset_secret, editable=False)
    dataset_size = models.CharField(max_length=10, choices=DatasetSize.choices, default=DatasetSize.SMALL)
    # Files in private storage: the hidden truth, and the zip participants may download.
    truth_file = models.FileField(storage=private_storage, upload_to="truth/", blank=True)
    public_archive = models.FileField(storage=private_storage, upload_to="datasets/", blank=True)
    # The zip's SHA-256 (hex) and size in bytes, stored when it is built: the download's ETag, and what
    # clients check the file against (API phase detail, challenge page).
    public_archive_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    public_archive_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    truth_version = models.PositiveIntegerField(default=0, help_text="Bumped whenever the truth file is replaced.")
    scoring_params = models.JSONField(default=dict, blank=True)
    dataset_meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "slug"], name="challenge_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:challenge_detail", args=[self.event.slug, self.slug])

    @property
    def is_scored(self) -> bool:
        return self.kind != self.Kind.JUDGED

    @property
    def has_dataset(self) -> bool:
        return bool(self.truth_file) and bool(self.public_archive)

    @property
    def dataset_is_rebuildable(self) -> bool:
        """A dataset generated before datasets were keyed (its meta still names the seed): anyone can rebuild
        its truth from the seed, so the organizers should generate it again."""
        return self.dataset_source == self.DatasetSource.GENERATED and "seed" in (self.dataset_meta or {})

    @property
    def primary_metric(self) -> str | None:
        """The leaderboard's metric as the scorer names it (scoring.md); scoring_params may override it.

        The rule is submissions.rules.ranking, reached through a hook (challenges never imports submissions).
        """
        from . import hooks

        if hooks.ranking_rule.func is not None:
            return hooks.ranking_rule.func(self)
        return (self.scoring_params or {}).get("primary_metric") or None

    @property
    def primary_metric_label(self) -> str:
        """The ranking metric's human name in the active language."""
        from . import hooks

        metric = self.primary_metric
        if metric and hooks.metric_labeler.func is not None:
            return hooks.metric_labeler.func(metric)
        return metric or ""


class Phase(models.Model):
    """A time window in which teams submit to a challenge. The server's clock decides."""

    class LeaderboardMode(models.TextChoices):
        BEST = "best", _("Each team's best submission")
        FINAL = "final", _("The submission each team marks as final (else its latest)")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=120)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    grace_seconds = models.PositiveIntegerField(
        _("grace period (seconds)"),
        default=0,
        validators=[MaxValueValidator(24 * 3600)],
        help_text=_("Uploads arriving this long after the deadline are still accepted. Published to participants."),
    )
    daily_limit = models.PositiveIntegerField(_("submissions per team per day"), null=True, blank=True)
    total_limit = models.PositiveIntegerField(_("submissions per team in total"), null=True, blank=True)
    failed_count = models.BooleanField(
        _("failed submissions count towards the limits"),
        default=False,
    )
    leaderboard_mode = models.CharField(max_length=10, choices=LeaderboardMode.choices, default=LeaderboardMode.BEST)
    public_leaderboard = models.BooleanField(_("show the public leaderboard during the phase"), default=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every leaderboard rebuild: cache keys include it.
    leaderboard_version = models.PositiveIntegerField(default=0, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["challenge", "order", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="phase_closes_after_opens",
                violation_error_message=_("A phase must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge}: {self.name}"

    def clean(self) -> None:
        check_date_range(self, "opens_at", "closes_at")

    @property
    def grace_minutes(self) -> int:
        return self.grace_seconds // 60

    @property
    def accepts_until(self) -> datetime:
        return self.closes_at + timedelta(seconds=self.grace_seconds)

    def is_open(self, at: datetime | None = None) -> bool:
        """Open from opens_at (inclusive) until closes_at + grace (exclusive)."""
        at = at or timezone.now()
        return self.opens_at <= at < self.accepts_until

    def state(self, at: datetime | None = None) -> str:
        at = at or timezone.now()
        if at < self.opens_at:
            return "upcoming"
        if at < self.closes_at:
            return "open"
        if at < self.accepts_until:
            return "grace"
        return "closed"

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None


class Team(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=80)
    # The name with look-alike characters, case and spacing folded (challenges.names.team_name_key):
    # unique per event, so "Team Alpha", "TEAM  ALPHA" and "Теаm Аlpha" (Cyrillic) cannot all exist.
    # Set from `name` on every clean() and save(); indexed by the constraint below.
    name_key = models.CharField(max_length=400, editable=False, default="")
    country = CountryField(_("country"))
    logo = models.ImageField(_("logo"), upload_to="team-logos/", blank=True)
    captain = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    join_code = models.CharField(
        max_length=20, default=_join_code, validators=[RegexValidator(r"^[A-Za-z0-9_-]+$")], editable=False
    )
    is_baseline = models.BooleanField(
        default=False, help_text="The organizers' baseline entry, marked on leaderboards."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="team_unique_name"),
            models.UniqueConstraint(
                fields=["event", "name_key"],
                name="team_unique_name_key",
                violation_error_message=_(
                    "A team with this name, or with one that looks the same, already exists in this event."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = team_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name_key = team_name_key(self.name)


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    # Copied from team.event so the database itself refuses a second team in the same event.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_team_per_user_per_event")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
