from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("events/<slug:slug>/webhooks/", views.event_webhooks, name="event_webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/ping/", views.webhook_ping, name="webhook_ping"),
]
