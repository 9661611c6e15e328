from django.urls import path

from . import api

urlpatterns = [
    path("phases/<int:pk>/submissions/", api.PhaseSubmissionsView.as_view(), name="phase-submissions"),
    path("phases/<int:pk>/all-submissions/", api.PhaseAllSubmissionsView.as_view(), name="phase-all-submissions"),
    path(
        "phases/<int:pk>/all-submissions/archive/",
        api.PhaseSubmissionsArchiveView.as_view(),
        name="phase-submissions-archive",
    ),
    path("phases/<int:pk>/leaderboard/", api.LeaderboardView.as_view(), name="phase-leaderboard"),
    path("phases/<int:pk>/rescore/", api.PhaseRescoreView.as_view(), name="phase-rescore"),
    path("submissions/<int:pk>/", api.SubmissionDetailView.as_view(), name="submission-detail"),
    path("submissions/<int:pk>/file/", api.SubmissionFileView.as_view(), name="submission-file"),
    path("submissions/<int:pk>/cancel/", api.SubmissionCancelView.as_view(), name="submission-cancel"),
    path("submissions/<int:pk>/rescore/", api.SubmissionRescoreView.as_view(), name="submission-rescore"),
    path("submissions/<int:pk>/final/", api.SubmissionFinalView.as_view(), name="submission-final"),
]
