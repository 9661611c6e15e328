from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest
from knox.models import AuthToken

from .models import User


@transaction.atomic
def user_create(*, username: str, email: str, password: str, country: str = "") -> User:
    """Create a participant account: 1. validate the password, 2. create the user with a hashed password."""
    user = User(username=username, email=email, country=country)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def token_create(*, user: User, request: HttpRequest | None = None) -> tuple[AuthToken, str]:
    """Issue an API token: 1. store only its hash, with the configured expiry, 2. return the token once."""
    instance, token = AuthToken.objects.create(user=user)
    if request is not None:
        user_logged_in.send(sender=user.__class__, request=request, user=user)
    return instance, token


@transaction.atomic
def token_revoke(*, user: User, token_id: str) -> bool:
    """Revoke one of the user's own tokens by its public prefix; False when they have none by that id."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_id).delete()
    return deleted > 0


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of the user (called whenever their password changes, see User.save)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
