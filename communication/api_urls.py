from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", api.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("notifications/<int:pk>/read/", api.NotificationReadView.as_view(), name="notification-read"),
    path("events/<slug:slug>/announcements/", api.EventAnnouncementsView.as_view(), name="event-announcements"),
    path("announcements/<int:pk>/", api.AnnouncementDetailView.as_view(), name="announcement-detail"),
]
