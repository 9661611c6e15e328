from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

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
