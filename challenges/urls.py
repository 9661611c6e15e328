from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("my-events/", views.my_events, name="my_events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/register/", views.event_register, name="event_register"),
    path("events/<slug:slug>/teams/new/", views.team_create, name="team_create"),
    path("events/<slug:slug>/teams/join/", views.team_join, name="team_join"),
    path("events/<slug:slug>/join/<str:join_code>/", views.team_join_link, name="team_join_link"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:team_id>/leave/", views.team_leave, name="team_leave"),
    path("teams/<int:team_id>/captain/", views.team_transfer, name="team_transfer"),
    path("teams/<int:team_id>/join-code/", views.team_join_code, name="team_join_code"),
    path("events/<slug:slug>/challenges/<slug:challenge_slug>/", views.challenge_detail, name="challenge_detail"),
    path("phases/<int:phase_id>/dataset/", views.phase_dataset, name="phase_dataset"),
    # Organizers
    path("events/<slug:slug>/edit/", views.event_edit, name="event_edit"),
    path("events/<slug:slug>/delete/", views.event_delete, name="event_delete"),
    path("events/<slug:slug>/dashboard/", views.event_dashboard, name="event_dashboard"),
    path("events/<slug:slug>/terms/", views.event_terms, name="event_terms"),
    path("events/<slug:slug>/roles/", views.event_roles, name="event_roles"),
    path("events/<slug:slug>/roster/", views.roster_toggle, name="roster_toggle"),
    path("events/<slug:slug>/export/participants.csv", views.export_participants, name="export_participants"),
    path("events/<slug:slug>/export/teams.csv", views.export_teams, name="export_teams"),
    path("events/<slug:slug>/add-challenge/", views.challenge_form, name="challenge_create"),
    path("events/<slug:slug>/challenges/<slug:challenge_slug>/edit/", views.challenge_form, name="challenge_edit"),
    path(
        "events/<slug:slug>/challenges/<slug:challenge_slug>/delete/", views.challenge_delete, name="challenge_delete"
    ),
    path("events/<slug:slug>/challenges/<slug:challenge_slug>/phases/new/", views.phase_form, name="phase_create"),
    path(
        "events/<slug:slug>/challenges/<slug:challenge_slug>/phases/<int:phase_id>/edit/",
        views.phase_form,
        name="phase_edit",
    ),
    path("phases/<int:phase_id>/publish/", views.phase_publish, name="phase_publish"),
]
