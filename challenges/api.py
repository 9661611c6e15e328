from __future__ import annotations

from rest_framework import mixins, viewsets

from .selectors import events_visible_to
from .serializers import EventSerializer


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return events_visible_to(self.request.user).order_by("-created_at")
