"""REST API v1 for an event's webhooks (its organizers only). Thin: fetch, check, one service."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.api import visible_event
from challenges.selectors import is_organizer

from . import selectors, services
from .models import Webhook
from .serializers import WebhookCreatedSerializer, WebhookDeliverySerializer, WebhookSerializer

DETAIL = OpenApiResponse(description='{"detail": "why"}')


def organized_webhook(request, pk: int) -> Webhook:
    """The webhook if the caller organizes its event; 404 otherwise (its existence is theirs alone)."""
    webhook = Webhook.objects.filter(pk=pk).select_related("event").first()
    if webhook is None or not is_organizer(request.user, webhook.event):
        raise NotFound(_("No such webhook."))
    return webhook


class EventWebhooksView(generics.ListCreateAPIView):
    """GET: the event's webhooks. POST `{url, event_types, is_active}`: add one; the answer holds its
    `secret`, shown this once."""

    serializer_class = WebhookSerializer
    permission_classes = [IsAuthenticated]

    def _event(self):
        event = visible_event(self.request, self.kwargs["slug"])
        services.require_webhook_organizer(user=self.request.user, event=event)
        return event

    def get_queryset(self):
        return selectors.webhooks_of(self._event())

    @extend_schema(
        summary="Add a webhook (the event's organizers)",
        request=WebhookSerializer,
        responses={201: WebhookCreatedSerializer, 400: DETAIL, 403: DETAIL},
    )
    def post(self, request, *args, **kwargs):
        event = self._event()
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        webhook, secret = services.webhook_create(
            event=event,
            actor=request.user,
            url=data["url"],
            event_types=data["event_types"],
            is_active=data.get("is_active", True),
        )
        body = WebhookCreatedSerializer(webhook).data
        body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Delete a webhook (the event's organizers)", responses={204: None, 404: DETAIL})
    def delete(self, request, pk: int):
        services.webhook_delete(webhook=organized_webhook(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesView(generics.ListAPIView):
    """The webhook's delivery log, newest first: status, attempts, the receiver's status code, the error."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.deliveries_of(organized_webhook(self.request, self.kwargs["pk"]))


class WebhookPingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Send a test ping to the webhook now",
        request=None,
        responses={202: WebhookDeliverySerializer, 404: DETAIL},
    )
    def post(self, request, pk: int):
        row = services.webhook_ping(webhook=organized_webhook(request, pk), actor=request.user)
        row.refresh_from_db()
        return Response(WebhookDeliverySerializer(row).data, status=status.HTTP_202_ACCEPTED)
