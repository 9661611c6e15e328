from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import User
from .services import user_create


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (`Authorization: Token <key>`)."""


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    country = CountryField()

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
    throttle_scope = "register"

    @extend_schema(
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
