"""Judging: each event's judging settings, rubric criteria, project entries with screenshots, judges'
conflicts, the assignment of judges to entries, scorecards and prizes."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from challenges.models import Challenge, Event, Team

MAX_IMAGES = 5


class JudgingSettings(models.Model):
    """One event's judging options (made on first use with the defaults)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="judging_settings")
    judges_per_entry = models.PositiveSmallIntegerField(
        _("judges per entry"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    seed = models.IntegerField(_("assignment seed"), default=0)
    opens_at = models.DateTimeField(_("judging opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("judging closes"), null=True, blank=True)
    anonymous = models.BooleanField(
        _("anonymous judging"), default=False, help_text=_("Judges do not see the names and countries of teams.")
    )
    show_judge_names = models.BooleanField(_("show judges' names on the public results"), default=False)
    judged_weight = models.PositiveSmallIntegerField(
        _("weight of the judges' ranking"), default=100, validators=[MaxValueValidator(100)]
    )
    leaderboard_weight = models.PositiveSmallIntegerField(
        _("weight of the leaderboard's ranking (scored challenges)"), default=0, validators=[MaxValueValidator(100)]
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(opens_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="judging_window",
                violation_error_message=_("Judging must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(judged_weight__gt=0) | Q(leaderboard_weight__gt=0),
                name="judging_blend_weights",
                violation_error_message=_("At least one of the two blend weights must be above 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"judging of {self.event}"

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        if self.published:
            return False
        if self.opens_at and at < self.opens_at:
            return False
        return not (self.closes_at and at >= self.closes_at)


class Criterion(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # What each level means, lowest first: [{"score": 1, "text": "..."}, ...]
    levels = models.JSONField(_("levels"), default=list, blank=True)
    weight = models.FloatField(_("weight"), default=1.0, validators=[MinValueValidator(0.01), MaxValueValidator(100)])
    min_score = models.IntegerField(
        _("lowest score"), default=1, validators=[MinValueValidator(-1000), MaxValueValidator(1000)]
    )
    max_score = models.IntegerField(
        _("highest score"), default=5, validators=[MinValueValidator(-1000), MaxValueValidator(1000)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gt=F("min_score")),
                name="criterion_score_range",
                violation_error_message=_("The highest score must be above the lowest score."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="criterion_weight_positive",
                violation_error_message=_("The weight must be above 0."),
            ),
            models.UniqueConstraint(
                fields=["event", "name"],
                name="criterion_unique_name",
                violation_error_message=_("This event already has a criterion with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def level_text(self, score: int) -> str:
        for level in self.levels or []:
            if level.get("score") == score:
                return str(level.get("text", ""))
        return ""


class Entry(models.Model):
    """A team's project entry for one challenge."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="entries")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="entries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")  # copied from the challenge
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
    repository_url = models.URLField(_("repository"), blank=True, max_length=500)
    video_url = models.URLField(_("demo or video"), blank=True, max_length=500)
    submission = models.ForeignKey(
        "submissions.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scored submission"),
    )
    reopened = models.BooleanField(default=False, help_text="An organizer reopened it after the deadline.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "challenge", "created_at", "id"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "challenge"],
                name="entry_one_per_team_and_challenge",
                violation_error_message=_("Your team already has an entry for this challenge."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("judging:entry_detail", args=[self.pk])


def _image_path(instance: EntryImage, filename: str) -> str:
    return f"entries/{instance.entry_id}/{filename}"


class EntryImage(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=_image_path)
    thumbnail = models.ImageField(upload_to=_image_path)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "order", "id"]

    def __str__(self) -> str:
        return self.image.name


class Conflict(models.Model):
    """A judge's declared conflict: one team, or every team of one country."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="judge_conflicts")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    country = CountryField(_("country"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(country="")) | (Q(team__isnull=True) & ~Q(country="")),
                name="conflict_team_or_country",
                violation_error_message=_("Name either a team or a country."),
            ),
            models.UniqueConstraint(fields=["event", "judge", "team"], name="conflict_unique_team"),
            models.UniqueConstraint(
                fields=["event", "judge", "country"], condition=~Q(country=""), name="conflict_unique_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge} / {self.team or self.country}"


class Assignment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_assignments")
    by_hand = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry", "judge"]
        constraints = [models.UniqueConstraint(fields=["entry", "judge"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.judge} judges {self.entry}"


class Scorecard(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scorecards")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # {str(criterion id): int}: every criterion of the event when submitted
    scores = models.JSONField(default=dict)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entry", "judge"]
        constraints = [models.UniqueConstraint(fields=["entry", "judge"], name="scorecard_one_per_judge")]

    def __str__(self) -> str:
        return f"{self.judge} on {self.entry}"


class Prize(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="prizes")
    name = models.CharField(_("name"), max_length=120)
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    winner = models.ForeignKey(Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="prizes")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "order", "id"]

    def __str__(self) -> str:
        return self.name
