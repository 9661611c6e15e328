from django.urls import path

from . import views

app_name = "bundles"

urlpatterns = [
    path("events/import/", views.import_event, name="import"),
    path("events/<slug:slug>/bundle/", views.export, name="export"),
]
