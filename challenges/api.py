"""REST API v1 for events, registration, teams, challenges, phases, datasets and judges.

As thin as the HTML views: fetch through a visibility check (404 when the caller may not even see
the event), parse with a serializer, call one service. Services raise Django's ValidationError and
PermissionDenied with a reason; hackplatform.api.exception_handler turns them into 400/403 {"detail"}.
"""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from hackplatform.api import id_param
from hackplatform.downloads import file_download

from . import selectors, services
from .models import Challenge, Event, EventRole, Phase, Team, TeamMembership
from .serializers import (
    CaptainSerializer,
    ChallengeSerializer,
    DatasetUploadSerializer,
    EventRegisterSerializer,
    EventRoleSerializer,
    EventSerializer,
    JoinSerializer,
    MeSerializer,
    PhaseSerializer,
    RegistrationSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
    TermsSerializer,
    UsernameSerializer,
)

DETAIL = OpenApiResponse(description='{"detail": "why"}')
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def visible_event(request, slug: str) -> Event:
    """The event if the caller may see it (an invite-only one also with `?invite=`), else 404 saying so."""
    event = Event.objects.filter(slug=slug).first()
    token = request.query_params.get("invite")
    if event is None or not selectors.event_visible(request.user, event, token):
        raise NotFound(_("No event “%(slug)s” (or you cannot see it).") % {"slug": slug})
    return event


def _event_for_token(request, slug: str) -> Event:
    event = Event.objects.filter(slug=slug).first()
    token = request.query_params.get("invite")
    if event is None or not selectors.event_visible(request.user, event, token):
        raise NotFound(_("No event “%(slug)s” (or you cannot see it).") % {"slug": slug})
    return event


@extend_schema_view(
    list=extend_schema(
        summary="Events the caller may see",
        parameters=[
            OpenApiParameter(
                "mine",
                bool,
                description="true: only the events the caller organizes, judges or takes part in (see my_role).",
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One event",
        parameters=[OpenApiParameter("invite", str, description="Invite token of an invite-only event.")],
    ),
    create=extend_schema(
        summary="Create an event (users with the event-creator right)", responses={201: EventSerializer, 403: DETAIL}
    ),
    partial_update=extend_schema(
        summary="Edit an event (its organizers)", responses={200: EventSerializer, 403: DETAIL}
    ),
    destroy=extend_schema(
        summary="Delete a draft event nobody registered for (its organizers)",
        description="409 (`event_not_draft`, `event_has_registrations`) for a published or invite-only event "
        "or one with registrations; 403 for anyone but its organizers. Recorded in the audit log.",
        responses={204: None, 403: DETAIL, 404: DETAIL, 409: DETAIL},
    ),
)
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EventSerializer
    lookup_field = "slug"
    # JSON is the documented body; multipart is still read for an optional `banner` image.
    parser_classes = [JSONParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        events = selectors.events_visible_to(self.request.user)
        mine = self.request.query_params.get("mine")
        if mine is not None and mine.lower() not in ("1", "true", "yes", "0", "false", "no"):
            raise ValidationError({"mine": [_("mine must be true or false.")]})
        if mine is not None and mine.lower() in ("1", "true", "yes"):
            events = events.filter(pk__in=list(selectors.event_roles_of(self.request.user)))
        return events.order_by("-created_at")

    def get_object(self):
        return _event_for_token(self.request, self.kwargs["slug"])

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("roster_unlocked", None)
        serializer.instance = services.event_create(
            creator=self.request.user,
            name=data.pop("name"),
            slug=data.pop("slug"),
            banner=self.request.FILES.get("banner"),
            **data,
        )

    def perform_update(self, serializer):
        event = serializer.instance
        data = dict(serializer.validated_data)
        data.pop("slug", None)
        serializer.instance = services.event_update(
            event=event, actor=self.request.user, banner=self.request.FILES.get("banner"), **data
        )

    def perform_destroy(self, instance):
        services.event_delete(event=instance, actor=self.request.user)

    @extend_schema(
        summary="Register for the event: accept its current data-use agreement",
        request=EventRegisterSerializer,
        responses={201: RegistrationSerializer, 200: RegistrationSerializer, 400: DETAIL, 403: DETAIL},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def register(self, request, slug=None):
        event = Event.objects.filter(slug=slug).first()
        serializer = EventRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = serializer.validated_data.get("invite") or request.query_params.get("invite")
        if event is None or not selectors.event_visible(request.user, event, token):
            raise NotFound(_("No event “%(slug)s” (or you cannot see it).") % {"slug": slug})
        existed = selectors.registration_for(event=event, user=request.user) is not None
        registration = services.registration_create(
            event=event, user=request.user, accept_terms=serializer.validated_data["accept_terms"], invite_token=token
        )
        return Response(
            RegistrationSerializer(registration).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


@extend_schema_view(
    get=extend_schema(summary="The event's current data-use agreement", responses={200: TermsSerializer}),
    post=extend_schema(
        summary="Publish a new version of the data-use agreement (the event's organizers)",
        request=TermsSerializer,
        responses={201: TermsSerializer},
    ),
)
class EventTermsView(APIView):
    """GET: the current data-use agreement (404 while there is none). POST `{text}`: the organizers publish
    a new version; everyone registered must accept it again (`POST .../register/ {accept_terms: true}`)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def get(self, request, slug: str):
        terms = visible_event(request, slug).current_terms
        if terms is None:
            raise NotFound(_("This event has no data-use agreement yet."))
        return Response(TermsSerializer(terms).data)

    def post(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = TermsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = services.terms_publish(event=event, actor=request.user, text=serializer.validated_data["text"])
        return Response(TermsSerializer(terms).data, status=status.HTTP_201_CREATED)


class EventTeamsView(generics.ListCreateAPIView):
    """GET: the event's teams. POST `{name, country}` (multipart with an optional `logo`): create a team
    with the caller as captain; the answer carries `join_code` and `invite_url` to share."""

    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [MultiPartParser, JSONParser]  # multipart (documented): the optional `logo`

    def get_queryset(self):
        event = visible_event(self.request, self.kwargs["slug"])
        return selectors.teams_with_members(event)

    def perform_create(self, serializer):
        event = visible_event(self.request, self.kwargs["slug"])
        data = serializer.validated_data
        team = services.team_create(
            event=event, user=self.request.user, name=data["name"], country=data["country"], logo=data.get("logo")
        )
        serializer.instance = Team.objects.prefetch_related(
            Prefetch("memberships", queryset=TeamMembership.objects.select_related("user"))
        ).get(pk=team.pk)


class MeView(APIView):
    """The caller: who they are, and their events with their role and team there."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me_retrieve", responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        user.my_events = selectors.events_of_user(user)
        return Response(MeSerializer(user).data)


def _visible_team(request, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).select_related("event").first()
    if team is None or not selectors.event_visible(request.user, team.event, request.query_params.get("invite")):
        raise NotFound(_("No such team."))
    return team


def _team_with_members(team_id: int) -> Team:
    return Team.objects.prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.select_related("user"))
    ).get(pk=team_id)


class TeamDetailView(APIView):
    """One team (the join code only for its members and the organizers). PATCH: its captain or an
    organizer changes its `name`, `country` or `logo` (the logo in a multipart body)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [MultiPartParser, JSONParser]  # multipart (documented): the optional `logo`

    @extend_schema(responses={200: TeamSerializer, 404: DETAIL})
    def get(self, request, team_id: int):
        team = _visible_team(request, team_id)
        return Response(TeamSerializer(team, context={"request": request}).data)

    @extend_schema(
        summary="Edit a team (its captain or the event's organizers)",
        request=TeamUpdateSerializer,
        responses={200: TeamSerializer, 400: DETAIL, 403: DETAIL, 404: DETAIL},
    )
    def patch(self, request, team_id: int):
        team = _visible_team(request, team_id)
        services.require_team_editor(team=team, user=request.user)  # 403 before looking at the body
        serializer = TeamUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.team_update(
            team=team, actor=request.user, name=data.get("name"), country=data.get("country"), logo=data.get("logo")
        )
        return Response(TeamSerializer(_team_with_members(team.pk), context={"request": request}).data)


class TeamJoinView(APIView):
    """Join a team with its join code. Refused (400) when the team is full, you are already in a team of
    the event, the code is wrong or the rosters are locked; 403 before you registered."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=JoinSerializer, responses={200: TeamSerializer, 400: DETAIL, 403: DETAIL, 404: DETAIL})
    def post(self, request, team_id: int):
        team = _visible_team(request, team_id)
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.team_join(team=team, user=request.user, join_code=serializer.validated_data["join_code"])
        return Response(TeamSerializer(Team.objects.get(pk=team.pk), context={"request": request}).data)


class TeamLeaveView(APIView):
    """Leave a team (a captain hands over to the longest-standing member)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 400: DETAIL, 404: DETAIL})
    def post(self, request, team_id: int):
        team = _visible_team(request, team_id)
        services.team_leave(team=team, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamMembershipMeView(APIView):
    """DELETE: leave the team (the same service as `POST .../leave/`, kept as it was: both answer 204)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Leave the team (the caller's own membership)",
        request=None,
        responses={204: None, 400: DETAIL, 404: DETAIL},
    )
    def delete(self, request, team_id: int):
        team = _visible_team(request, team_id)
        services.team_leave(team=team, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamJoinCodeView(APIView):
    """Make a new join code (the captain only): the old code and invite link stop working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TeamSerializer, 403: DETAIL, 404: DETAIL})
    def post(self, request, team_id: int):
        team = _visible_team(request, team_id)
        services.team_regenerate_join_code(team=team, actor=request.user)
        return Response(TeamSerializer(_team_with_members(team.pk), context={"request": request}).data)


class TeamCaptainView(APIView):
    """Hand the captaincy to another member (the captain or an organizer)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CaptainSerializer, responses={200: TeamSerializer, 400: DETAIL, 403: DETAIL})
    def post(self, request, team_id: int):
        team = _visible_team(request, team_id)
        serializer = CaptainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_captain = User.objects.filter(username=serializer.validated_data["username"]).first()
        if new_captain is None:
            raise NotFound(_("No such user."))
        team = services.team_transfer_captain(team=team, actor=request.user, new_captain=new_captain)
        return Response(TeamSerializer(team, context={"request": request}).data)


class EventRolesView(generics.ListCreateAPIView):
    """GET: the event's judges (organizers and judges may read). POST `{username}`: organizers invite a judge."""

    serializer_class = EventRoleSerializer
    permission_classes = [IsAuthenticated]
    role = EventRole.Role.JUDGE

    def _event(self) -> Event:
        event = visible_event(self.request, self.kwargs["slug"])
        if not self.request.user.is_staff and selectors.event_role(self.request.user, event) not in (
            "organizer",
            "judge",
        ):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Only the organizers and judges of this event can see its judges."))
        return event

    def get_queryset(self):
        return self._event().roles.filter(role=self.role).select_related("user").order_by("user__username")

    @extend_schema(request=UsernameSerializer, responses={201: EventRoleSerializer, 400: DETAIL, 403: DETAIL})
    def post(self, request, *args, **kwargs):
        event = self._event()
        serializer = UsernameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        role = services.role_grant_by_username(event=event, actor=request.user, username=username, role=self.role)
        return Response(EventRoleSerializer(role).data, status=status.HTTP_201_CREATED)


class EventOrganizersView(EventRolesView):
    """GET: the event's organizers. POST `{username}`: an organizer (or site staff) grants organizer rights."""

    role = EventRole.Role.ORGANIZER


@extend_schema_view(
    list=extend_schema(
        summary="Challenges of the events the caller may see",
        parameters=[OpenApiParameter("event", str, description="Only this event's challenges (its slug).")],
    ),
    create=extend_schema(
        summary="Add a challenge (the event's organizers)", responses={201: ChallengeSerializer, 403: DETAIL}
    ),
    partial_update=extend_schema(summary="Edit a challenge; a new dataset {seed, size} regenerates the data"),
    destroy=extend_schema(
        summary="Delete a challenge with no submissions (the event's organizers)",
        description="409 (`challenge_has_submissions`, `challenge_has_entries`) once anything stands on it; "
        "403 for anyone but the organizers. Recorded in the event's audit log.",
        responses={204: None, 403: DETAIL, 404: DETAIL, 409: DETAIL},
    ),
)
class ChallengeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ChallengeSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance):
        services.challenge_delete(challenge=instance, actor=self.request.user)

    def get_queryset(self):
        events = selectors.events_visible_to(self.request.user)
        qs = Challenge.objects.filter(event__in=events).select_related("event").prefetch_related("phases")
        slug = self.request.query_params.get("event")
        if slug is not None:
            if not _SLUG.fullmatch(slug):
                raise ValidationError(_("The event filter must be an event’s slug (letters, digits and hyphens)."))
            qs = qs.filter(event__slug=slug)
        return qs.order_by("event_id", "order", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        event = data.pop("event")
        if not selectors.event_visible(self.request.user, event):
            raise NotFound(_("No event “%(slug)s” (or you cannot see it).") % {"slug": event.slug})
        dataset = data.pop("dataset", None) or {}
        serializer.instance = services.challenge_create(
            event=event,
            actor=self.request.user,
            kind=data["kind"],
            title=data["title"],
            slug=data.get("slug") or "",
            description=data.get("description", ""),
            dataset_seed=dataset.get("seed"),
            dataset_size=dataset.get("size", "small"),
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("event", None)
        data.pop("kind", None)
        dataset = data.pop("dataset", None) or {}
        serializer.instance = services.challenge_update(
            challenge=serializer.instance,
            actor=self.request.user,
            dataset_seed=dataset.get("seed"),
            dataset_size=dataset.get("size"),
            **data,
        )

    @extend_schema(
        summary="Upload the organizers' own dataset (truth + participant files)",
        request={"multipart/form-data": DatasetUploadSerializer},
        responses={200: ChallengeSerializer, 400: DETAIL, 403: DETAIL},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="dataset")
    def upload_dataset(self, request, pk=None):
        challenge = self.get_object()
        serializer = DatasetUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = services.challenge_upload_dataset(
            challenge=challenge,
            actor=request.user,
            truth=serializer.validated_data["truth_file"],
            public_files=serializer.validated_data["public_files"],
        )
        return Response(ChallengeSerializer(challenge, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("challenge", int, description="Only this challenge's phases.")]),
    create=extend_schema(summary="Add a phase (the event's organizers)", responses={201: PhaseSerializer, 403: DETAIL}),
    partial_update=extend_schema(summary="Edit a phase, or publish its results with {results_published: true}"),
)
class PhaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Times are ISO 8601 with an offset (shown in the event's zone); a time sent without an offset
    is read in the event's zone."""

    serializer_class = PhaseSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        events = selectors.events_visible_to(self.request.user)
        qs = Phase.objects.filter(challenge__event__in=events).select_related("challenge__event")
        challenge = id_param(self.request, "challenge")
        if challenge is not None:
            qs = qs.filter(challenge_id=challenge)
        return qs.order_by("challenge_id", "order", "opens_at")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        challenge = data.pop("challenge")
        if not selectors.event_visible(self.request.user, challenge.event):
            raise NotFound(_("No such challenge."))
        serializer.instance = services.phase_create(
            challenge=challenge,
            actor=self.request.user,
            name=data.pop("name"),
            opens_at=data.pop("opens_at"),
            closes_at=data.pop("closes_at"),
            **data,
        )

    def perform_update(self, serializer):
        phase = serializer.instance
        data = dict(serializer.validated_data)
        if "challenge" in data and data.pop("challenge") != phase.challenge:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("A phase cannot move to another challenge."))
        serializer.instance = services.phase_update(phase=phase, actor=self.request.user, **data)

    @extend_schema(
        summary="The participant-facing files as a zip (never the truth)",
        description="Sends a strong `ETag` (the zip's SHA-256, also in the phase's `dataset`) and "
        "`Accept-Ranges: bytes`: `If-None-Match` answers 304; one `Range: bytes=a-b` (or `a-`, `-n`) answers 206 "
        "with `Content-Range`, 416 when it starts beyond the end; `If-Range` with another ETag gets the whole zip.",
        parameters=[
            OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, description="An ETag seen before."),
            OpenApiParameter("Range", str, OpenApiParameter.HEADER, description="One range: `bytes=0-1023`."),
            OpenApiParameter("If-Range", str, OpenApiParameter.HEADER, description="Range only if still this ETag."),
        ],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (206, "application/zip"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="Not modified: the ETag still matches."),
            403: DETAIL,
            404: DETAIL,
            416: DETAIL,
        },
    )
    @action(detail=True, methods=["get"], url_path="dataset")
    def dataset(self, request, pk=None):
        phase = self.get_object()
        challenge = phase.challenge
        services.dataset_check_access(phase=phase, user=request.user)
        if not challenge.public_archive:
            raise NotFound(_("This challenge has no dataset yet."))
        sha256, size = services.dataset_archive_digest(challenge=challenge)
        return file_download(
            request,
            challenge.public_archive,
            sha256=sha256,
            size=size,
            filename=f"{challenge.event.slug}-{challenge.slug}-data.zip",
            content_type="application/zip",
            api=True,
        )
