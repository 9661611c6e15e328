"""REST API of submissions and leaderboards: thin views over the services and selectors."""

from __future__ import annotations

import abc
import hashlib

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from challenges.selectors import team_of
from hackplatform.api import id_param
from hackplatform.pagination import Pagination

from . import rules, selectors, services
from .archives import submissions_zip
from .models import Submission
from .serializers import (
    LeaderboardSerializer,
    PaginatedSubmissionListSerializer,
    RescoreResultSerializer,
    SubmissionCreatedSerializer,
    SubmissionSerializer,
    UploadSerializer,
)
from .throttling import upload_rate_refusal
from .uploads import mark_arrival

REFUSAL = OpenApiResponse(description='Refused, with the reason: {"detail": ..., "code": ...}')


def _phase_or_404(request, pk: int):
    phase = selectors.phase_for_user(user=request.user, pk=pk)
    if phase is None:
        raise Http404(_("No such phase."))
    return phase


def _submission_or_404(request, pk: int):
    submission = selectors.submission_for_user(user=request.user, pk=pk)
    if submission is None:
        raise Http404(_("No such submission."))
    return submission


def _show_private(request, phase) -> bool:
    return selectors.can_see_private(request.user, phase)


class PhaseSubmissionsView(APIView):
    """Upload to a phase (POST), or list your team's submissions to it (GET)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before DRF (or CSRF checks of session auth) reads the body: the arrival time and the size cap.
        mark_arrival(request)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="phase_submissions_list",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT, description="Page number (50 per page).")],
        responses={200: PaginatedSubmissionListSerializer},
        summary="Your team's submissions to the phase (paginated, newest first)",
    )
    def get(self, request, pk: int):
        phase = _phase_or_404(request, pk)
        team = team_of(event=phase.challenge.event, user=request.user)
        paginator = Pagination()
        qs = selectors.team_submissions(phase=phase, team=team) if team else selectors.Submission.objects.none()
        page = paginator.paginate_queryset(qs.select_related("team"), request, view=self)
        context = {"show_private": _show_private(request, phase)}
        return paginator.get_paginated_response(SubmissionSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="phase_submissions_create",
        request={"multipart/form-data": UploadSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string (up to 128 characters); a retried upload with the same key "
                "answers with the first submission instead of creating a second one.",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                description="The new submission's API address (`/api/v1/submissions/{id}/`).",
            ),
            OpenApiParameter(
                "Idempotent-Replayed",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                description="`true` when the Idempotency-Key was seen before and this is the first submission.",
            ),
        ],
        responses={
            201: SubmissionCreatedSerializer,
            400: REFUSAL,
            403: REFUSAL,
            409: REFUSAL,
            413: REFUSAL,
            429: REFUSAL,
        },
        summary="Upload a submission",
    )
    def post(self, request, pk: int):
        received_at = request._request.received_at
        phase = _phase_or_404(request, pk)
        try:
            data, files = request.data, request.FILES
        except ParseError:
            if getattr(request._request, "upload_too_large", False):
                raise services.file_too_large()
            raise
        if getattr(request._request, "upload_too_large", False):
            raise services.file_too_large()
        team = team_of(event=phase.challenge.event, user=request.user)
        if rate := upload_rate_refusal(request=request, team=team):
            raise rate
        submission, created = services.submission_create(
            phase=phase,
            user=request.user,
            file=files.get("file"),
            description=data.get("description", "") or "",
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            received_at=received_at,
            body_received_at=timezone.now(),
            team=team,
        )
        headers = {"Location": request.build_absolute_uri(reverse("api:submission-detail", args=[submission.pk]))}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(SubmissionCreatedSerializer(submission).data, status=status.HTTP_201_CREATED, headers=headers)


class PhaseAllSubmissionsView(APIView):
    """Every submission of a phase, for the event's organizers: filter by `status` and `team`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="phase_all_submissions_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Submission.Status]),
            OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's submissions (its id)."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number (50 per page)."),
        ],
        responses={200: PaginatedSubmissionListSerializer},
        summary="All the phase's submissions (the event's organizers), newest first",
    )
    def get(self, request, pk: int):
        phase, status_filter, team_id = _organizer_listing(request, pk)
        paginator = Pagination()
        qs = selectors.phase_submissions(phase=phase, status=status_filter, team_id=team_id)
        page = paginator.paginate_queryset(qs, request, view=self)
        context = {"show_private": True}
        return paginator.get_paginated_response(SubmissionSerializer(page, many=True, context=context).data)


class PhaseSubmissionsArchiveView(APIView):
    """The same selection as a zip: each submission's file and an `index.csv`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="phase_all_submissions_archive",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Submission.Status]),
            OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's submissions (its id)."),
        ],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        summary="Download the phase's submissions as one zip (the event's organizers)",
    )
    def get(self, request, pk: int):
        phase, status_filter, team_id = _organizer_listing(request, pk)
        qs = selectors.phase_submissions(phase=phase, status=status_filter, team_id=team_id)
        return FileResponse(
            submissions_zip(qs.iterator()),
            as_attachment=True,
            filename=f"phase-{phase.pk}-submissions.zip",
            content_type="application/zip",
        )


def _organizer_listing(request, pk: int):
    """The phase (organizers only: 403 saying so), and the validated `status` and `team` filters."""
    phase = _phase_or_404(request, pk)
    if not selectors.may_list_all_submissions(request.user, phase):
        raise PermissionDenied(_("Only the organizers of this event can see all of its submissions."))
    status_filter = request.query_params.get("status")
    if status_filter is not None and status_filter not in Submission.Status.values:
        raise ValidationError(
            {"status": [_("Unknown status; use one of: %(values)s.") % {"values": ", ".join(Submission.Status.values)}]}
        )
    return phase, status_filter or "", id_param(request, "team")


class SubmissionFileView(APIView):
    """The file a submission was uploaded with: its team's members and the event's organizers (others: 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="submission_file",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download a submission's file (its team, the organizers)",
    )
    def get(self, request, pk: int):
        submission = _submission_or_404(request, pk)
        if not submission.file:
            raise Http404(_("This submission has no file."))
        return FileResponse(
            submission.file.open("rb"),
            as_attachment=True,
            filename=selectors.submission_download_name(submission),
            content_type="application/octet-stream",
        )


class SubmissionDetailView(APIView):
    """One submission: its team's members and the event's organizers only (others: 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="submission_retrieve", responses={200: SubmissionSerializer})
    def get(self, request, pk: int):
        submission = _submission_or_404(request, pk)
        context = {"show_private": _show_private(request, submission.phase), "with_queue_position": True}
        return Response(SubmissionSerializer(submission, context=context).data)


class _SubmissionAction(APIView, abc.ABC):
    permission_classes = [IsAuthenticated]

    @abc.abstractmethod
    def act(self, submission, user): ...

    def post(self, request, pk: int):
        submission = _submission_or_404(request, pk)
        submission = self.act(submission, request.user)
        context = {"show_private": _show_private(request, submission.phase), "with_queue_position": True}
        return Response(SubmissionSerializer(submission, context=context).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="submission_cancel",
        request=None,
        responses={200: SubmissionSerializer, 403: REFUSAL, 409: REFUSAL},
        summary="Cancel a submission (organizers): never ranked, not counted towards limits",
    )
)
class SubmissionCancelView(_SubmissionAction):
    def act(self, submission, user):
        return services.submission_cancel(submission=submission, actor=user)


@extend_schema_view(
    post=extend_schema(
        operation_id="submission_rescore",
        request=None,
        responses={200: SubmissionSerializer, 403: REFUSAL, 409: REFUSAL},
        summary="Score a submission again (organizers)",
    )
)
class SubmissionRescoreView(_SubmissionAction):
    def act(self, submission, user):
        return services.submission_rescore(submission=submission, actor=user)


@extend_schema_view(
    post=extend_schema(
        operation_id="submission_mark_final",
        request=None,
        responses={200: SubmissionSerializer, 400: REFUSAL, 403: REFUSAL},
        summary="Choose this submission as the team's final one (phases ranking final submissions)",
    )
)
class SubmissionFinalView(_SubmissionAction):
    def act(self, submission, user):
        return services.submission_mark_final(submission=submission, user=user)


class PhaseRescoreView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="phase_rescore",
        request=None,
        responses={200: RescoreResultSerializer, 403: REFUSAL},
        summary="Score every scored or failed submission of the phase again (organizers)",
    )
    def post(self, request, pk: int):
        phase = _phase_or_404(request, pk)
        return Response({"queued": services.phase_rescore(phase=phase, actor=request.user)})


class LeaderboardView(APIView):
    """A phase's leaderboard: one row per team, cached per leaderboard version, paginated."""

    permission_classes = [AllowAny]
    max_page_size = 500

    @extend_schema(
        operation_id="phase_leaderboard",
        parameters=[
            OpenApiParameter("split", OpenApiTypes.STR, enum=["public", "private"], description="Default: public."),
            OpenApiParameter("country", OpenApiTypes.STR, description="Only teams of this country (ISO code)."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Default 50, at most 500."),
        ],
        responses={200: LeaderboardSerializer, 403: REFUSAL, 404: REFUSAL},
    )
    def get(self, request, pk: int):
        phase = _phase_or_404(request, pk)
        split = request.query_params.get("split", "public")
        if split not in ("public", "private"):
            return Response({"detail": _("split must be “public” or “private”.")}, status=400)
        if not selectors.can_see_leaderboard(request.user, phase, split):
            if split == "private":
                detail = _("The private leaderboard is shown once the organizers publish the results.")
            else:
                detail = _("The organizers hide this leaderboard until they publish the results.")
            return Response({"detail": detail, "code": "leaderboard_hidden"}, status=403)
        try:
            page = max(1, int(request.query_params.get("page", 1)))
            page_size = min(self.max_page_size, max(1, int(request.query_params.get("page_size", 50))))
        except ValueError:
            return Response({"detail": _("page and page_size must be whole numbers.")}, status=400)
        country = request.query_params.get("country", "")
        if country and not selectors.is_country_code(country):
            return Response(
                {"detail": _("The country filter must be a two-letter country code, such as “CO”.")}, status=400
            )
        url = request.build_absolute_uri()
        # The whole answer is cached as bytes, keyed by the leaderboard version (bumped by every rebuild):
        # a warm request costs one query (the phase) and no serialization.
        key = (
            "lbapi:"
            + hashlib.sha1(
                f"{phase.pk}:{phase.leaderboard_version}:{phase.results_published}:{split}:{country}:{page}:{page_size}:{url}".encode()
            ).hexdigest()
        )
        body = cache.get(key)
        if body is None:
            count, rows = selectors.leaderboard_page(
                phase=phase, split=split, page=page, page_size=page_size, country=country
            )
            previous = None
            if page > 1:
                previous = remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
            payload = {
                "phase": phase.pk,
                "split": split,
                "primary_metric": rules.primary_metric(phase.challenge),
                "published": phase.results_published,
                "count": count,
                "next": replace_query_param(url, "page", page + 1) if page * page_size < count else None,
                "previous": previous,
                "results": rows,
            }
            body = JSONRenderer().render(payload)
            cache.set(key, body, selectors.LEADERBOARD_CACHE_SECONDS)
        return HttpResponse(body, content_type="application/json")
