from django.urls import path

from . import views

app_name = "judging"

urlpatterns = [
    path("events/<slug:slug>/judging/", views.judging_home, name="home"),
    path("events/<slug:slug>/judging/criteria/", views.criteria, name="criteria"),
    path("events/<slug:slug>/judging/judges/", views.judges, name="judges"),
    path("events/<slug:slug>/judging/assignment/", views.assignment, name="assignment"),
    path("events/<slug:slug>/judging/queue/", views.queue, name="queue"),
    path("events/<slug:slug>/judging/results/", views.results, name="results"),
    path("events/<slug:slug>/judging/results.csv", views.results_csv, name="results_csv"),
    path("events/<slug:slug>/judging/scorecards.csv", views.scorecards_csv, name="scorecards_csv"),
    path("events/<slug:slug>/challenges/<slug:challenge_slug>/entry/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reopen/", views.entry_reopen, name="entry_reopen"),
]
