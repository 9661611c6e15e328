from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness for load balancers and docker-compose: answers 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # the point is to report any failure, not to crash
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    """404 for an address no route matches: `{detail, code}` under /api/ (what the API promises for
    every refusal, e.g. /api/v1/phases/1.5/), Django's page everywhere else."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found as django_page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("No such address in the API."), "code": "not_found"}, status=404)
    return django_page_not_found(request, exception)
