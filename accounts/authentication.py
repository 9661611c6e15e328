"""API token authentication: django-rest-knox, without its per-request walk over the user's other tokens."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's authentication; an expired token is refused and deleted as knox does.

    knox also reads every other token of the user on each request to delete the expired ones: one more
    query on every API call, the upload at a deadline included. Here `accounts.delete_expired_tokens`
    (beat, hourly) deletes them instead.
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class ApiTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of these tokens: drf-spectacular's knox scheme, for this subclass."""

    target_class = "accounts.authentication.TokenAuthentication"
