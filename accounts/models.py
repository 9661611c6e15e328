from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A person: participant, judge or organizer, depending on the event (roles live per event).

    The email address is unique (whatever its case) and receives notifications only once verified
    (`can_receive_email`); a new address waits in `pending_email` until a link sent to it is opened.
    """

    email = models.EmailField(_("email address"))
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    pending_email = models.EmailField(
        _("new email address, not yet confirmed"),
        blank=True,
        help_text=_("Takes the place of the current address once the link sent to it is opened."),
    )
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
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique_ci",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    @property
    def preferred_language(self) -> str:
        """The language to write to this person in when they are not the one asking."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def can_receive_email(self) -> bool:
        """Whether notifications may be sent to `email`: every sender of mail about the platform asks this."""
        return bool(self.email) and self.email_verified_at is not None and self.is_active

    def save(self, *args, **kwargs):
        # set_password() leaves the new raw password in _password until the row is saved: whatever
        # changed it (password change or reset page, admin, changepassword), every API token goes.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .services import tokens_revoke_all

            tokens_revoke_all(user=self)
