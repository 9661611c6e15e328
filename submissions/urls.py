from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("phases/<int:pk>/submit/", views.phase_submit, name="phase_submit"),
    path("phases/<int:pk>/my-submissions/", views.my_submissions, name="my_submissions"),
    path("phases/<int:pk>/all-submissions/", views.phase_all_submissions, name="phase_all_submissions"),
    path("phases/<int:pk>/leaderboard/", views.phase_leaderboard, name="phase_leaderboard"),
    path("phases/<int:pk>/leaderboard.csv", views.phase_leaderboard_csv, name="phase_leaderboard_csv"),
    path("phases/<int:pk>/rescore/", views.phase_rescore, name="phase_rescore"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/picture.png", views.submission_picture, name="submission_picture"),
    path("submissions/<int:pk>/<str:action>/", views.submission_action, name="submission_action"),
]
