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
