from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/challenges/<slug:challenge_slug>/", views.challenge_detail, name="challenge_detail"),
]
