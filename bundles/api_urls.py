from django.urls import path

from . import api

# Included before challenges' routes: `events/import/` would otherwise read as an event called "import".
urlpatterns = [
    path("events/import/", api.EventImportView.as_view(), name="event-import"),
    path("events/<slug:slug>/bundle/", api.EventBundleView.as_view(), name="event-bundle"),
]
