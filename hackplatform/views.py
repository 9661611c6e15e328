from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from hackplatform.health import health


@never_cache
def healthz(request):
    """Health for load balancers and docker-compose: the database, the broker and the cache, each "ok"
    or "down"; 200 while the database answers (the site works without the others), else 503."""
    healthy, report = health()
    return JsonResponse(report, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    """404 for an address no route matches: `{detail, code}` under /api/ (what the API promises for
    every refusal, e.g. /api/v1/phases/1.5/), Django's page everywhere else."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found as django_page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("No such address in the API."), "code": "not_found"}, status=404)
    return django_page_not_found(request, exception)
