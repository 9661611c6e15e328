from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from knox.models import AuthToken
from knox.settings import knox_settings

from .models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def user_create(*, username: str, email: str, password: str, country: str = "") -> User:
    """Create a participant account: 1. validate the password, 2. create the user with a hashed password
    (the address unique whatever its case), 3. send the link that verifies the address."""
    user = User(username=username, email=email, country=country)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    email_verification_send(user=user)
    return user


@transaction.atomic
def token_create(*, user: User, request: HttpRequest | None = None) -> tuple[AuthToken, str]:
    """Issue an API token: 1. refuse past the per-user limit of live tokens, 2. store only its hash,
    with the configured expiry, 3. return the token once."""
    from .selectors import tokens_of

    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and tokens_of(user=user).count() >= limit:
        raise PermissionDenied(
            _("You already have %(limit)d API tokens. Revoke one on your profile page (or through the API) first.")
            % {"limit": limit}
        )
    instance, token = AuthToken.objects.create(user=user)
    if request is not None:
        user_logged_in.send(sender=user.__class__, request=request, user=user)
    return instance, token


@transaction.atomic
def token_revoke(*, user: User, token_id: str) -> bool:
    """Revoke one of the user's own tokens by its public prefix; False when they have none by that id."""
    from .hooks import token_revoked

    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_id).delete()
    if deleted:
        token_revoked.send(sender=AuthToken, user=user, token_id=token_id)
    return deleted > 0


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of the user (called whenever their password changes, see User.save)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


# Email addresses: verification and change ---------------------------------------------------------

EMAIL_LINK_SALT = "accounts.email-link"


def tokens_delete_expired() -> int:
    """Delete every API token past its expiry; returns how many (authentication refuses them already)."""
    deleted, _per_model = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


def email_link(*, user: User, address: str) -> str:
    """A signed, expiring link proving that whoever opens it reads `address` (bound to the user and the address)."""
    token = signing.dumps({"u": user.pk, "e": address.lower()}, salt=EMAIL_LINK_SALT, compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("email_confirm", args=[token])


def _send(*, to: str, template: str, context: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except Exception:  # a mail outage must not break sign-up or the profile page
        logger.warning("could not send %s email to user %s", template, context["user"].pk, exc_info=True)


def email_verification_send(*, user: User) -> None:
    """Send the link that verifies the current address (after commit); nothing if already verified."""
    if not user.email or user.email_verified_at is not None:
        return
    link = email_link(user=user, address=user.email)
    transaction.on_commit(lambda: _send(to=user.email, template="verify", context={"user": user, "link": link}))


def email_taken(address: str, *, by_other_than: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=address)
    if by_other_than is not None and by_other_than.pk:
        others = others.exclude(pk=by_other_than.pk)
    return others.exists()


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> None:
    """Ask to change the address: 1. refuse one another account uses, 2. keep it as pending (the old
    address stays in force), 3. send the confirmation link to the new address and a notice to the old one."""
    new_email = User.objects.normalize_email(new_email.strip())
    if new_email.lower() == user.email.lower():
        user.pending_email = ""
        user.email = new_email  # a change of case only: same mailbox
        user.save(update_fields=["email", "pending_email"])
        return
    if email_taken(new_email, by_other_than=user):
        raise ValidationError({"email": _("An account with this email address already exists.")})
    user.pending_email = new_email
    user.save(update_fields=["pending_email"])
    link = email_link(user=user, address=new_email)
    context = {"user": user, "link": link, "new_email": new_email}
    transaction.on_commit(lambda: _send(to=new_email, template="change_confirm", context=context))
    if user.can_receive_email:
        transaction.on_commit(lambda: _send(to=user.email, template="change_notice", context=context))


def email_verification_resend(*, user: User) -> str | None:
    """Send again the pending change's link, else the verification link; returns the address written to."""
    if user.pending_email:
        link = email_link(user=user, address=user.pending_email)
        to = user.pending_email
        context = {"user": user, "link": link, "new_email": to}
        transaction.on_commit(lambda: _send(to=to, template="change_confirm", context=context))
        return to
    if user.email and user.email_verified_at is None:
        email_verification_send(user=user)
        return user.email
    return None


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Open a link from email_link: 1. check signature and age, 2. the address must still be the user's
    current or pending one, 3. verify it, or make the pending address the current one (if still free)."""
    invalid = _("This confirmation link is not valid. Ask for a new one on your profile page.")
    try:
        data = signing.loads(token, salt=EMAIL_LINK_SALT, max_age=settings.EMAIL_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This confirmation link has expired. Ask for a new one on your profile page."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(invalid, code="invalid") from exc
    user = User.objects.select_for_update().filter(pk=data.get("u")).order_by().first()
    address = str(data.get("e", ""))
    if user is None or not address:
        raise ValidationError(invalid, code="invalid")
    now = timezone.now()
    if user.email.lower() == address:
        if user.email_verified_at is None:
            user.email_verified_at = now
            user.save(update_fields=["email_verified_at"])
        return user
    if user.pending_email.lower() == address:
        if email_taken(address, by_other_than=user):
            raise ValidationError(_("Another account now uses this email address."), code="email_taken")
        user.email, user.pending_email, user.email_verified_at = user.pending_email, "", now
        user.save(update_fields=["email", "pending_email", "email_verified_at"])
        return user
    raise ValidationError(_("This link is for an address that is no longer on your account."), code="stale")
