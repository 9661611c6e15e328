from __future__ import annotations

from rest_framework import serializers

from .models import Webhook, WebhookDelivery


class WebhookSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.EventType.choices),
        allow_empty=False,
        help_text="Which events to send: submission.scored, submission.failed, results.published.",
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "event_types", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery (HMAC-SHA256). Shown only in this answer: keep it."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="delivery_id", read_only=True)
    # A plain string (not an enum component): several models name a field `status`.
    status = serializers.CharField(read_only=True, help_text="pending, sending, retrying, delivered or failed.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "type",
            "status",
            "attempts",
            "response_status",
            "error",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
        ]
        read_only_fields = fields
