from django.urls import path

from . import api

urlpatterns = [
    path("events/<slug:slug>/entries/", api.EventEntriesView.as_view(), name="event-entries"),
    path("entries/<int:pk>/", api.EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:pk>/scorecards/", api.EntryScorecardsView.as_view(), name="entry-scorecards"),
    path("events/<slug:slug>/criteria/", api.EventCriteriaView.as_view(), name="event-criteria"),
    path("criteria/<int:pk>/", api.CriterionDetailView.as_view(), name="criterion-detail"),
    path("events/<slug:slug>/prizes/", api.EventPrizesView.as_view(), name="event-prizes"),
    path("prizes/<int:pk>/", api.PrizeDetailView.as_view(), name="prize-detail"),
    path("events/<slug:slug>/conflicts/", api.EventConflictsView.as_view(), name="event-conflicts"),
    path("events/<slug:slug>/assignments/", api.EventAssignmentsView.as_view(), name="event-assignments"),
    path("events/<slug:slug>/judging/", api.JudgingSettingsView.as_view(), name="judging-settings"),
    path("events/<slug:slug>/judging/results/", api.JudgingResultsView.as_view(), name="judging-results"),
]
