"""API shapes of notifications and announcements. Serializers parse and present; services write."""

from __future__ import annotations

from django.utils.translation import get_language
from rest_framework import serializers

from .models import Announcement, Notification
from .selectors import notification_text


class NotificationSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: the schema has other `kind` choice sets (challenges) and names must not clash.
    kind = serializers.CharField(
        read_only=True, help_text="announcement, submission, results, reminder, team, judging or alert"
    )
    title = serializers.SerializerMethodField(help_text="In the caller's language.")
    body = serializers.SerializerMethodField(
        help_text="In the caller's language and time zone (Markdown for announcements)."
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]

    def get_title(self, obj) -> str:
        return notification_text(obj)[0]

    def get_body(self, obj) -> str:
        return notification_text(obj)[1]


class NotificationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    unread = serializers.IntegerField()
    results = NotificationSerializer(many=True)


class AnnouncementSerializer(serializers.ModelSerializer):
    """Organizers see the original, its translations and delivery counts; recipients their version."""

    challenge = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The challenge's slug (audience `challenge`)."
    )
    status = serializers.CharField(read_only=True, help_text="scheduled, sent or cancelled")
    body_html = serializers.SerializerMethodField(help_text="The body as sanitized HTML.")
    recipients = serializers.SerializerMethodField(help_text="Organizers only: people it reached.")
    emailed = serializers.SerializerMethodField(help_text="Organizers only: emails sent.")
    email_failed = serializers.SerializerMethodField(help_text="Organizers only: emails that failed.")

    class Meta:
        model = Announcement
        fields = [
            "id", "title", "body", "body_html", "translations", "audience", "challenge", "send_at", "status",
            "sent_at", "created_at", "recipients", "emailed", "email_failed",
        ]  # fmt: skip

    def _organizer(self) -> bool:
        return bool(self.context.get("organizer"))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._organizer():
            data["title"], data["body"] = instance.text_in(get_language())
            data["translations"] = {}
        return data

    def get_body_html(self, obj) -> str:
        from challenges.templatetags.hack import render_markdown

        body = obj.body if self._organizer() else obj.text_in(get_language())[1]
        return render_markdown(body)

    def get_recipients(self, obj) -> int | None:
        return getattr(obj, "recipients", None) if self._organizer() else None

    def get_emailed(self, obj) -> int | None:
        return getattr(obj, "emailed", None) if self._organizer() else None

    def get_email_failed(self, obj) -> int | None:
        return getattr(obj, "email_failed", None) if self._organizer() else None


class AnnouncementWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    audience = serializers.ChoiceField(choices=Announcement.Audience.choices, default=Announcement.Audience.EVERYONE)
    challenge = serializers.SlugField(required=False, allow_null=True, help_text="The challenge's slug.")
    send_at = serializers.DateTimeField(required=False, allow_null=True, help_text="null: send now.")
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        required=False,
        help_text='{"es": {"title": "...", "body": "..."}, ...}: only in the event\'s languages (its `languages`).',
    )


class BoardProfileSerializer(serializers.Serializer):
    """A board entry as others see it: never an email address."""

    id = serializers.IntegerField(read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)
    pitch = serializers.CharField(max_length=500)
    skills = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    languages = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    timezone = serializers.CharField(source="time_zone", max_length=64, required=False, allow_blank=True, default="")
    hidden = serializers.SerializerMethodField(help_text="Organizers only: hidden by an organizer.")
    updated_at = serializers.DateTimeField(read_only=True)

    def get_hidden(self, obj) -> bool | None:
        return obj.hidden_at is not None if self.context.get("organizer") else None


class JoinRequestCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="A team's id: you ask to join it."
    )
    user = serializers.CharField(required=False, help_text="A board member's username: your team invites them.")
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class JoinRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    user = serializers.CharField(source="user.username")
    direction = serializers.CharField(help_text="to_team or to_person")
    message = serializers.CharField()
    status = serializers.CharField(help_text="pending, accepted, declined or closed")
    created_at = serializers.DateTimeField()
