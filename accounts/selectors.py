from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from .models import User


def tokens_of(*, user: User) -> QuerySet[AuthToken]:
    """The user's API tokens that still work, newest first (the hash never leaves the database)."""
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .only("token_key", "created", "expiry")
        .order_by("-created")
    )
