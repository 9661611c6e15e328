from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", api.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("notifications/<int:pk>/read/", api.NotificationReadView.as_view(), name="notification-read"),
    path("events/<slug:slug>/announcements/", api.EventAnnouncementsView.as_view(), name="event-announcements"),
    path("announcements/<int:pk>/", api.AnnouncementDetailView.as_view(), name="announcement-detail"),
    path("events/<slug:slug>/board/", api.BoardView.as_view(), name="event-board"),
    path("events/<slug:slug>/board/me/", api.BoardMeView.as_view(), name="event-board-me"),
    path("events/<slug:slug>/join-requests/", api.JoinRequestCreateView.as_view(), name="event-join-requests"),
    path(
        "join-requests/<int:pk>/accept/", api.JoinRequestAnswerView.as_view(answer="accept"), name="join-request-accept"
    ),
    path(
        "join-requests/<int:pk>/decline/",
        api.JoinRequestAnswerView.as_view(answer="decline"),
        name="join-request-decline",
    ),
]
