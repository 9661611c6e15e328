"""API shapes of notifications and announcements. Serializers parse and present; services write."""

from __future__ import annotations

from django.utils.translation import get_language
from rest_framework import serializers

from .models import Announcement, Notification
from .selectors import notification_text


class NotificationSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: the schema has other `kind` choice sets (challenges) and names must not clash.
    kind = serializers.CharField(read_only=True, help_text="announcement, submission, results or reminder")
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

    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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
        help_text='{"es": {"title": "...", "body": "..."}, ...}',
    )
