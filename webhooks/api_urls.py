from django.urls import path

from . import api

urlpatterns = [
    path("events/<slug:slug>/webhooks/", api.EventWebhooksView.as_view(), name="event-webhooks"),
    path("webhooks/<int:pk>/", api.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/deliveries/", api.WebhookDeliveriesView.as_view(), name="webhook-deliveries"),
    path("webhooks/<int:pk>/ping/", api.WebhookPingView.as_view(), name="webhook-ping"),
]
