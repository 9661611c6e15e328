from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A person: participant, judge or organizer, depending on the event (roles live per event)."""

    email = models.EmailField(_("email address"))
    country = CountryField(_("country"), blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("Deadlines are also shown in this zone. Empty: the zone your browser reports."),
    )
    # The language of the emails and notifications this person receives: the one they last used the
    # site in (hackplatform.middleware.UserLanguageMiddleware), else the site's default.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def preferred_language(self) -> str:
        """The language to write to this person in when they are not the one asking."""
        return self.language or settings.LANGUAGE_CODE
