"""REST API v1: every app contributes its routes; the schema and docs are served locally."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from hackplatform.api import api_root

urlpatterns = [
    path("", api_root, name="root"),
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="auth-token"),
    path("auth/tokens/", accounts_api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>/", accounts_api.TokenDetailView.as_view(), name="auth-token-detail"),
    path("auth/register/", accounts_api.RegisterView.as_view(), name="auth-register"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    # Redoc styles itself with injected <style> elements: this page alone allows inline styles.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    path("", include("bundles.api_urls")),  # first: `events/import/` is not an event
    path("", include("challenges.api_urls")),
    path("", include("submissions.api_urls")),
    path("", include("judging.api_urls")),
    path("", include("communication.api_urls")),
    path("", include("webhooks.api_urls")),
]
