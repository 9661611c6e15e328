"""REST API v1: every app contributes its routes; the schema and docs are served locally."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import api as accounts_api
from hackplatform.api import api_root

urlpatterns = [
    path("", api_root, name="root"),
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="auth-token"),
    path("auth/tokens/", accounts_api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>/", accounts_api.TokenDetailView.as_view(), name="auth-token-detail"),
    path("auth/register/", accounts_api.RegisterView.as_view(), name="auth-register"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include("challenges.api_urls")),
    path("", include("submissions.api_urls")),
]
