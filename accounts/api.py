from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.http import Http404
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from hackplatform.throttling import AnonRateThrottle, SignupRateThrottle

from . import login_guard, selectors, services
from .models import User
from .services import user_create

THROTTLED = OpenApiResponse(description='Too many requests: {"detail": ..., "code": ...} and a Retry-After header')


class LoginLocked(exceptions.Throttled):
    default_code = login_guard.LOCKED_CODE


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", help_text="The token's public prefix: use it to revoke it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <key>`).

    The token is shown once (only a hash is stored) and expires after `API_TOKEN_TTL_DAYS`. Failed
    passwords count toward the login lockout shared with the login page (429 with Retry-After).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "IssuedToken",
                {
                    "token": serializers.CharField(),
                    "id": serializers.CharField(),
                    "expiry": serializers.DateTimeField(allow_null=True),
                },
            ),
            400: OpenApiResponse(description="Wrong username or password"),
            403: OpenApiResponse(description="Too many live tokens: revoke one first"),
            429: THROTTLED,
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request  # axes marks the lockout on Django's request
        user = authenticate(django_request, **serializer.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            raise LoginLocked(
                wait=login_guard.retry_after_seconds(django_request), detail=login_guard.lockout_message(django_request)
            )
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with the username and password given.")]},
                code="authorization",
            )
        instance, token = services.token_create(user=user, request=django_request)
        return Response({"token": token, "id": instance.token_key, "expiry": instance.expiry})


class TokenListView(APIView):
    """Your API tokens (never the token itself: only its public prefix `id`, creation and expiry)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TokenSerializer(many=True)})
    def get(self, request):
        return Response(TokenSerializer(selectors.tokens_of(user=request.user), many=True).data)


class TokenDetailView(APIView):
    """Revoke one of your API tokens by its `id`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None, 404: OpenApiResponse(description="No such token of yours")})
    def delete(self, request, token_id: str):
        if not services.token_revoke(user=request.user, token_id=token_id):
            raise Http404(_("You have no token with this id."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    country = CountryField()

    def validate_email(self, value: str) -> str:
        # The same answer as the sign-up page; both are rate-limited per address (see docs/decisions.md).
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(
                _("An account with this email address already exists."), code="email_taken"
            )
        return value

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("This username is taken."), code="username_taken")
        return value

    def validate(self, attrs):
        validate_password(attrs["password"], User(username=attrs["username"], email=attrs["email"]))
        return attrs


class RegisterView(APIView):
    """Create a participant account."""

    permission_classes = [AllowAny]
    # Per address, shared with the sign-up page (hackplatform.throttling).
    throttle_classes = [AnonRateThrottle, SignupRateThrottle]

    @extend_schema(
        auth=[],
        request=RegisterSerializer,
        responses={
            201: inline_serializer(
                "RegisteredUser", {"id": serializers.IntegerField(), "username": serializers.CharField()}
            )
        },
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(**serializer.validated_data)
        return Response(
            {"id": user.id, "username": user.username, "country": str(user.country)}, status=status.HTTP_201_CREATED
        )
