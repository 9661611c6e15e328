"""Pages: export an event's bundle (its organizers), import a bundle as a new event (event creators)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from challenges.models import Event
from challenges.selectors import can_create_events, event_visible, is_organizer
from hackplatform.web import add_form_errors, explain_refusals

from . import services
from .forms import ExportForm, ImportForm


def download(result: services.Download) -> HttpResponse:
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@login_required
@explain_refusals
def export(request, slug):
    """GET: the export form (with the full archive's warning); POST: the download, recorded."""
    event = get_object_or_404(Event, slug=slug)
    if not event_visible(request.user, event, None) and not is_organizer(request.user, event):
        raise Http404(_("No such event."))
    if not is_organizer(request.user, event):
        raise PermissionDenied(_("Only the organizers of this event can export it."))
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return download(services.bundle_export(event=event, actor=request.user, full=form.cleaned_data["full"]))
    return render(request, "bundles/export.html", {"event": event, "form": form})


@login_required
@explain_refusals
def import_event(request):
    if not can_create_events(request.user):
        raise PermissionDenied(_("You do not have the right to create events. Ask the site staff."))
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shift = None
        if data.get("shift_days") is not None:
            shift = timedelta(days=data["shift_days"])
        elif data.get("start_on"):
            shift = datetime.combine(data["start_on"], time(0), tzinfo=UTC)
        try:
            event = services.bundle_import(
                actor=request.user,
                data=services.read_limited(data["file"]),
                slug=data.get("slug"),
                name=data.get("name"),
                shift=shift,
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Event created from the bundle. Check its dates, and upload the truth files of uploaded datasets again."
                ),
            )
            return redirect("challenges:event_dashboard", event.slug)
    return render(request, "bundles/import.html", {"form": form})
