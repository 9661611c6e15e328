from django.urls import path

from . import views

app_name = "communication"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/email/", views.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("events/<slug:slug>/announcements/", views.event_announcements, name="event_announcements"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("announcements/<int:pk>/cancel/", views.announcement_cancel, name="announcement_cancel"),
    path("events/<slug:slug>/board/", views.event_board, name="event_board"),
    path("events/<slug:slug>/board/me/", views.board_me, name="board_me"),
    path("events/<slug:slug>/board/<int:pk>/hide/", views.board_hide, name="board_hide"),
    path("events/<slug:slug>/board/skills/", views.skill_add, name="skill_add"),
    path("events/<slug:slug>/board/seats/", views.open_seats, name="open_seats"),
    path("events/<slug:slug>/join-requests/", views.join_request_create, name="join_request_create"),
    path("join-requests/<int:pk>/<str:answer>/", views.join_request_answer, name="join_request_answer"),
]
