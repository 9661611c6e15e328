"""REST API of event bundles: GET /events/{slug}/bundle/ (organizers; ?full=1), POST /events/import/."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.models import Event
from challenges.selectors import event_visible, is_organizer
from challenges.serializers import EventSerializer

from . import reading, services


class BundleImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The bundle: a YAML file, or a zip holding event.yaml and its files.")
    slug = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="The new event's slug (default: the bundle's)."
    )
    name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The new event's name (default: the bundle's)."
    )
    shift_days = serializers.IntegerField(
        required=False, min_value=-36500, max_value=36500, help_text="Move every date by this many days."
    )
    shift = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Instead of shift_days: days (`365`), an ISO 8601 duration (`P52W`, `P365D`, `PT36H`) or the date "
        "the bundle's earliest date moves to (`2027-03-01`).",
    )


FULL = OpenApiParameter(
    "full",
    bool,
    description="1/true: a full archive, with each challenge's dataset secret and the uploaded truth files "
    "(recorded in the audit log as such). Default: neither leaves the server.",
)


class EventBundleView(APIView):
    """The event as a bundle: YAML (`application/yaml`), or a zip holding `event.yaml` and the files it names
    (banner, uploaded participant files, and in a full archive the truth files). Organizers only; audited."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Export the event as a bundle (its organizers)",
        parameters=[FULL],
        responses={
            (200, "application/yaml"): OpenApiTypes.BINARY,
            (200, "application/zip"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, slug: str):
        event = Event.objects.filter(slug=slug).first()
        if event is None or not (event_visible(request.user, event, None) or is_organizer(request.user, event)):
            raise NotFound(_("No event “%(slug)s” (or you cannot see it).") % {"slug": slug})
        full = request.query_params.get("full", "")
        if full.lower() not in ("", "0", "1", "true", "false", "yes", "no"):
            raise DRFValidationError({"full": [_("full must be true or false.")]})
        result = services.bundle_export(event=event, actor=request.user, full=full.lower() in ("1", "true", "yes"))
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response


class EventImportView(APIView):
    """Create a new event from a bundle; the caller (who must be allowed to create events) becomes its
    organizer. The whole bundle is checked first: any refusal answers 400 with a `bundle_*` code (or
    `slug_taken`, `bad_slug`, `bad_shift`) and creates nothing."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import a bundle as a new event (users with the event-creator right)",
        request=BundleImportSerializer,
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                description="The new event's API address (`/api/v1/events/{slug}/`).",
            )
        ],
        responses={201: OpenApiResponse(EventSerializer, description="The new event; `Location` is its address.")},
    )
    def post(self, request):
        serializer = BundleImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        shift = None
        if data.get("shift_days") is not None:
            shift = timedelta(days=data["shift_days"])
        elif data.get("shift"):
            shift = reading.parse_shift(data["shift"])
        event = services.bundle_import(
            actor=request.user,
            data=services.read_limited(data["file"]),
            slug=data.get("slug"),
            name=data.get("name"),
            shift=shift,
        )
        location = request.build_absolute_uri(reverse("api:event-detail", args=[event.slug]))
        body = EventSerializer(event, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
