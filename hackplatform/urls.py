from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from challenges.views import home
from hackplatform.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("", include("bundles.urls")),  # first: `events/import/` is not an event
    path("", include("challenges.urls")),
    path("", include("submissions.urls")),
    path("", include("judging.urls")),
    path("", include("communication.urls")),
    path("", include("webhooks.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("hackplatform.api_urls", "api"), namespace="api")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "hackplatform.views.page_not_found"
