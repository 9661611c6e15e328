from __future__ import annotations

from rest_framework import serializers

from .models import Event


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = [
            "name",
            "slug",
            "description",
            "timezone",
            "visibility",
            "team_size_min",
            "team_size_max",
            "max_teams",
            "registration_opens_at",
            "registration_closes_at",
            "created_at",
        ]
        read_only_fields = ["created_at"]
