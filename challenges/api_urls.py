from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("events", api.EventViewSet, basename="event")
router.register("challenges", api.ChallengeViewSet, basename="challenge")
router.register("phases", api.PhaseViewSet, basename="phase")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("events/<slug:slug>/teams/", api.EventTeamsView.as_view(), name="event-teams"),
    path("events/<slug:slug>/terms/", api.EventTermsView.as_view(), name="event-terms"),
    path("events/<slug:slug>/judges/", api.EventRolesView.as_view(), name="event-judges"),
    path("events/<slug:slug>/organizers/", api.EventOrganizersView.as_view(), name="event-organizers"),
    path("teams/<int:team_id>/", api.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<int:team_id>/join/", api.TeamJoinView.as_view(), name="team-join"),
    path("teams/<int:team_id>/leave/", api.TeamLeaveView.as_view(), name="team-leave"),
    path("teams/<int:team_id>/members/me/", api.TeamMembershipMeView.as_view(), name="team-membership-me"),
    path("teams/<int:team_id>/captain/", api.TeamCaptainView.as_view(), name="team-captain"),
    path("teams/<int:team_id>/join-code/", api.TeamJoinCodeView.as_view(), name="team-join-code"),
    *router.urls,
]
