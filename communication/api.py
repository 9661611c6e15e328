"""REST API v1: the caller's notifications; organizers' announcements. Thin: fetch, parse, one service."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges.api import visible_event
from challenges.models import Challenge
from challenges.selectors import is_organizer
from hackplatform.refusals import Refusal

from . import board, selectors, services
from .models import Announcement
from .serializers import (
    AnnouncementSerializer,
    AnnouncementWriteSerializer,
    BoardProfileSerializer,
    JoinRequestCreateSerializer,
    JoinRequestSerializer,
    NotificationPageSerializer,
    NotificationSerializer,
)

DETAIL = OpenApiResponse(description='{"detail": "why", "code": "..."}')


def _int(value, default: int, high: int, name: str) -> int:
    """A whole-number query parameter from 0 to `high` (absent: `default`); anything else answers 400."""
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) > high:
        raise Refusal(
            _("“%(name)s” must be a whole number from 0 to %(high)s.") % {"name": name, "high": high},
            code="invalid_parameter",
        )
    return int(value)


class NotificationQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=0, max_value=200, help_text="Default 50.")
    offset = serializers.IntegerField(required=False, min_value=0, max_value=10**9)


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The caller's notifications, newest first",
        parameters=[NotificationQuerySerializer],
        responses={200: NotificationPageSerializer},
    )
    def get(self, request):
        limit = _int(request.query_params.get("limit"), 50, 200, "limit")
        offset = _int(request.query_params.get("offset"), 0, 10**9, "offset")
        qs = selectors.notifications_of(request.user)
        body = {
            "count": qs.count(),
            "unread": selectors.unread_count(request.user),
            "results": NotificationSerializer(qs[offset : offset + limit], many=True).data,
        }
        return Response(body)


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark one notification read", request=None, responses={200: NotificationSerializer, 404: DETAIL}
    )
    def post(self, request, pk: int):
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Mark all the caller's notifications read", request=None, responses={200: dict})
    def post(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


def _challenge(event, slug: str | None) -> Challenge | None:
    if not slug:
        return None
    challenge = Challenge.objects.filter(event=event, slug=slug).first()
    if challenge is None:
        raise NotFound(_("This event has no challenge “%(slug)s”.") % {"slug": slug})
    return challenge


class EventAnnouncementsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Announcements of an event: all of them for organizers, those sent to the caller otherwise",
        responses={200: AnnouncementSerializer(many=True), 403: DETAIL, 404: DETAIL},
    )
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        if not selectors.may_read_announcements(event=event, user=request.user):
            raise PermissionDenied(_("Register for this event to read its announcements."))
        organizer = is_organizer(request.user, event)
        qs = selectors.announcements_for(event=event, user=request.user)
        return Response(AnnouncementSerializer(qs, many=True, context={"organizer": organizer}).data)

    @extend_schema(
        summary="Write an announcement (organizers); send_at null sends it now",
        request=AnnouncementWriteSerializer,
        responses={201: AnnouncementSerializer, 400: DETAIL, 403: DETAIL, 404: DETAIL},
    )
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        if not is_organizer(request.user, event):
            raise PermissionDenied(_("Only the organizers of this event can write announcements."))
        serializer = AnnouncementWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["challenge"] = _challenge(event, data.get("challenge"))
        announcement = services.announcement_create(event=event, actor=request.user, **data)
        announcement.refresh_from_db()
        return Response(
            AnnouncementSerializer(announcement, context={"organizer": True}).data, status=status.HTTP_201_CREATED
        )


class AnnouncementDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _announcement(self, request, pk: int) -> Announcement:
        announcement = Announcement.objects.filter(pk=pk).select_related("event").first()
        if announcement is None:
            raise NotFound(_("No such announcement."))
        event = visible_event(request, announcement.event.slug)
        if not is_organizer(request.user, event):
            raise NotFound(_("No such announcement."))  # its existence is the organizers' business
        return announcement

    @extend_schema(
        summary="Change a scheduled announcement before it is sent (organizers)",
        request=AnnouncementWriteSerializer,
        responses={200: AnnouncementSerializer, 400: DETAIL, 404: DETAIL, 409: DETAIL},
    )
    def patch(self, request, pk: int):
        announcement = self._announcement(request, pk)
        services.require_unsent(announcement)
        serializer = AnnouncementWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "challenge" in data:
            data["challenge"] = _challenge(announcement.event, data["challenge"])
        announcement = services.announcement_update(announcement=announcement, actor=request.user, **data)
        return Response(AnnouncementSerializer(announcement, context={"organizer": True}).data)

    @extend_schema(
        summary="Cancel a scheduled announcement (organizers)",
        request=None,
        responses={204: None, 404: DETAIL, 409: DETAIL},
    )
    def delete(self, request, pk: int):
        announcement = self._announcement(request, pk)
        services.announcement_cancel(announcement=announcement, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# The team board -----------------------------------------------------------------------------------


class BoardView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The event's team board (registered participants and organizers only)",
        parameters=[
            OpenApiParameter("skill", str),
            OpenApiParameter("language", str),
            OpenApiParameter("country", str),
        ],
        responses={200: BoardProfileSerializer(many=True), 403: DETAIL, 404: DETAIL},
    )
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        q = request.query_params
        rows = board.board_entries(
            event=event,
            viewer=request.user,
            skill=q.get("skill", ""),
            language=q.get("language", ""),
            country=q.get("country", ""),
        )
        context = {"organizer": is_organizer(request.user, event)}
        return Response(BoardProfileSerializer(rows, many=True, context=context).data)


class BoardMeView(APIView):
    permission_classes = [IsAuthenticated]

    def _mine(self, request, event):
        from .models import BoardProfile

        profile = BoardProfile.objects.filter(event=event, user=request.user).select_related("user").first()
        if profile is None:
            raise NotFound(_("You are not on this event's team board."))
        return profile

    @extend_schema(summary="The caller's board entry", responses={200: BoardProfileSerializer, 404: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        return Response(BoardProfileSerializer(self._mine(request, event)).data)

    @extend_schema(
        summary="Opt in to the board, or change one's entry",
        request=BoardProfileSerializer,
        responses={200: BoardProfileSerializer, 400: DETAIL, 403: DETAIL},
    )
    def put(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = BoardProfileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        profile = board.board_profile_save(
            event=event,
            user=request.user,
            pitch=data["pitch"],
            skills=data["skills"],
            languages=data["languages"],
            country=data["country"],
            timezone_name=data["time_zone"],
        )
        return Response(BoardProfileSerializer(profile).data)

    @extend_schema(summary="Withdraw from the board", request=None, responses={204: None})
    def delete(self, request, slug: str):
        event = visible_event(request, slug)
        board.board_profile_withdraw(event=event, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JoinRequestCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Ask a team to join it ({team}), or invite a board member to your team ({user})",
        request=JoinRequestCreateSerializer,
        responses={201: JoinRequestSerializer, 400: DETAIL, 403: DETAIL, 404: DETAIL, 409: DETAIL},
    )
    def post(self, request, slug: str):
        from accounts.models import User
        from challenges.models import Team

        event = visible_event(request, slug)
        serializer = JoinRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = user = None
        if data.get("team") is not None:
            team = Team.objects.filter(pk=data["team"], event=event).first()
            if team is None:
                raise NotFound(_("This event has no team with this id."))
        if data.get("user"):
            user = User.objects.filter(username=data["user"]).first()
            if user is None:
                raise NotFound(_("This person is not on the event's team board."))
        created = board.join_request_create(
            event=event, actor=request.user, team=team, user=user, message=data["message"]
        )
        return Response(JoinRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class JoinRequestAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    answer = "accept"

    @extend_schema(
        request=None, responses={200: JoinRequestSerializer, 400: DETAIL, 403: DETAIL, 404: DETAIL, 409: DETAIL}
    )
    def post(self, request, pk: int):
        if self.answer == "accept":
            answered = board.join_request_accept(request_id=pk, actor=request.user)
        else:
            answered = board.join_request_decline(request_id=pk, actor=request.user)
        return Response(JoinRequestSerializer(answered).data)
