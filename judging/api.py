"""REST API v1 of judging (spec/api.md, "Judging API"). Thin: find the event (404 when the caller may not see
it) or the entry (404 when they may not see it), parse, call one service, present."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from challenges.api import visible_event
from challenges.models import Challenge, Event, Team
from challenges.selectors import event_visible, is_organizer
from hackplatform.refusals import Refusal

from . import selectors, services
from .models import Assignment, Conflict, Criterion, Entry, Prize, Scorecard
from .serializers import (
    AssignmentRunSerializer,
    AssignmentSerializer,
    ConflictSerializer,
    ConflictWriteSerializer,
    CriterionSerializer,
    CriterionUpdateSerializer,
    CriterionWriteSerializer,
    EntrySerializer,
    EntryWriteSerializer,
    JudgingSettingsSerializer,
    PrizeAwardSerializer,
    PrizeCreateSerializer,
    PrizeSerializer,
    ResultRowSerializer,
    ScorecardSerializer,
    ScorecardWriteSerializer,
)

DETAIL = OpenApiResponse(description='{"detail": "why", "code": "..."}')


def _entry(request, pk: int) -> Entry:
    entry = selectors.entry_for_user(request.user, pk)
    if entry is None:
        raise NotFound(_("No such entry (or you cannot see it)."))
    return entry


def _entry_in_visible_event(request, pk: int) -> Entry:
    """The entry if its event is visible to the caller (the service then says why they may not act)."""
    entry = Entry.objects.select_related("event", "team", "challenge").filter(pk=pk).first()
    if entry is None or not event_visible(request.user, entry.event):
        raise NotFound(_("No such entry (or you cannot see it)."))
    return entry


def _entry_data(request, serializer) -> dict:
    data = dict(serializer.validated_data)
    data.pop("challenge", None)
    data["images"] = request.FILES.getlist("images") if hasattr(request, "FILES") else []
    return data


def _fresh(entry: Entry) -> Entry:
    return selectors.entries_with_images().get(pk=entry.pk)


class EventEntriesView(APIView):
    """GET: the entries the caller may see (organizers all; a team its own; a judge those assigned; everyone
    once the results are published). POST (a team member): the team's entry for `challenge`."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    # Entries carry screenshots: multipart is the documented body (one media type per operation); JSON
    # without files is still read, as for events and their banner.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(responses={200: EntrySerializer(many=True), 404: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        entries = selectors.entries_visible_to(request.user, event).order_by("challenge__order", "id")
        return Response(EntrySerializer(entries, many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": EntryWriteSerializer},
        responses={201: EntrySerializer, 400: DETAIL, 403: DETAIL, 409: DETAIL},
    )
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = EntryWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = Challenge.objects.filter(event=event, pk=serializer.validated_data.get("challenge")).first()
        if challenge is None:
            raise Refusal(_("Name one of this event's challenges (its id) in “challenge”."), code="no_challenge")
        data = _entry_data(request, serializer)
        data.pop("remove_images", None)
        title = data.pop("title", "")
        entry = services.entry_create(challenge=challenge, user=request.user, title=title, **data)
        return Response(EntrySerializer(_fresh(entry), context={"request": request}).data, status=201)


class EntryDetailView(APIView):
    """GET: one entry. PATCH (its team's members, until the deadline): change it; `images` adds screenshots,
    `remove_images` (ids) deletes some."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    # Entries carry screenshots: multipart is the documented body (one media type per operation); JSON
    # without files is still read, as for events and their banner.
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(responses={200: EntrySerializer, 404: DETAIL})
    def get(self, request, pk: int):
        return Response(EntrySerializer(_fresh(_entry(request, pk)), context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": EntryWriteSerializer},
        responses={200: EntrySerializer, 400: DETAIL, 403: DETAIL, 404: DETAIL},
    )
    def patch(self, request, pk: int):
        entry = _entry(request, pk)
        serializer = EntryWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        entry = services.entry_update(entry=entry, user=request.user, **_entry_data(request, serializer))
        return Response(EntrySerializer(_fresh(entry), context={"request": request}).data)


class EventCriteriaView(APIView):
    """GET: the rubric (everyone who sees the event). POST (organizers): a criterion, or `{"defaults": true}`
    for the default rubric."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: CriterionSerializer(many=True), 404: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        return Response(CriterionSerializer(selectors.criteria_of(event), many=True).data)

    @extend_schema(
        request=CriterionWriteSerializer, responses={201: CriterionSerializer(many=True), 400: DETAIL, 403: DETAIL}
    )
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = CriterionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("defaults", False):
            made = services.criteria_add_defaults(event=event, actor=request.user)
            return Response(CriterionSerializer(made, many=True).data, status=status.HTTP_201_CREATED)
        if not data.get("name"):
            raise Refusal(_("Give the criterion a name."), code="no_name")
        criterion = services.criterion_create(event=event, actor=request.user, **data)
        return Response(CriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)


def _require_staff(request, event: Event) -> None:
    if not (is_organizer(request.user, event) or selectors.is_judge(request.user, event)):
        raise Refusal(_("Only the organizers and judges of this event can see this."), code="forbidden", status=403)


class EventConflictsView(APIView):
    """GET: a judge's own declared conflicts (organizers: all). POST `{team}` or `{country}`: a judge declares a
    conflict (an organizer may add `judge` to record one for a judge)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ConflictSerializer(many=True), 403: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        _require_staff(request, event)
        conflicts = Conflict.objects.filter(event=event).select_related("judge").order_by("id")
        if not is_organizer(request.user, event):
            conflicts = conflicts.filter(judge=request.user)
        return Response(ConflictSerializer(conflicts, many=True).data)

    @extend_schema(request=ConflictWriteSerializer, responses={201: ConflictSerializer, 400: DETAIL, 403: DETAIL})
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = ConflictWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = None
        if data.get("team") is not None:
            team = Team.objects.filter(event=event, pk=data["team"]).first()
            if team is None:
                raise Refusal(_("No team of this event has this id."), code="invalid")
        judge = None
        if data.get("judge"):
            judge = User.objects.filter(username__iexact=data["judge"]).first()
            if judge is None:
                raise Refusal(_("No user is called “%(name)s”.") % {"name": data["judge"]}, code="invalid")
        conflict = services.conflict_declare(
            event=event, actor=request.user, judge=judge, team=team, country=str(data.get("country") or "")
        )
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)


class EventAssignmentsView(APIView):
    """GET: the assignment (organizers: all of it; a judge: their own). POST `{judges_per_entry, seed,
    keep_existing}` (organizers): run the balanced assignment; the answer says what it could not meet."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AssignmentSerializer(many=True), 403: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        _require_staff(request, event)
        rows = Assignment.objects.filter(event=event).select_related("judge").order_by("entry_id", "judge__username")
        if not is_organizer(request.user, event):
            rows = rows.filter(judge=request.user)
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(request=AssignmentRunSerializer, responses={200: dict, 400: DETAIL, 403: DETAIL})
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = AssignmentRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.assignment_run(event=event, actor=request.user, **serializer.validated_data)
        rows = Assignment.objects.filter(event=event).select_related("judge").order_by("entry_id", "judge__username")
        return Response(
            {
                "balanced": result.balanced,
                "shortfalls": {str(k): v for k, v in result.shortfalls.items()},
                "warnings": services.assignment_warnings(event),
                "assignments": AssignmentSerializer(rows, many=True).data,
            }
        )


class EntryScorecardsView(APIView):
    """GET: the caller's scorecard for the entry (organizers: every scorecard). POST: an assigned judge scores
    the entry; PUT: revises their scorecard. 403 saying why for anyone else (unassigned, conflicted, own team,
    judging closed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ScorecardSerializer(many=True), 403: DETAIL, 404: DETAIL})
    def get(self, request, pk: int):
        entry = _entry_in_visible_event(request, pk)
        _require_staff(request, entry.event)
        cards = Scorecard.objects.filter(entry=entry).select_related("judge")
        if not is_organizer(request.user, entry.event):
            cards = cards.filter(judge=request.user)
        return Response(ScorecardSerializer(cards, many=True).data)

    def _write(self, request, pk: int, revise: bool):
        entry = _entry_in_visible_event(request, pk)
        services.require_can_score(entry=entry, judge=request.user)  # 403 before looking at the body
        serializer = ScorecardWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card, created = services.scorecard_submit(
            entry=entry,
            judge=request.user,
            scores=serializer.validated_data["scores"],
            comment=serializer.validated_data.get("comment", ""),
            revise=revise,
        )
        return Response(ScorecardSerializer(card).data, status=201 if created else 200)

    @extend_schema(request=ScorecardWriteSerializer, responses={201: ScorecardSerializer, 400: DETAIL, 403: DETAIL})
    def post(self, request, pk: int):
        return self._write(request, pk, revise=False)

    @extend_schema(request=ScorecardWriteSerializer, responses={200: ScorecardSerializer, 400: DETAIL, 403: DETAIL})
    def put(self, request, pk: int):
        return self._write(request, pk, revise=True)


class JudgingResultsView(APIView):
    """`{method, published, results: [{rank, entry, title, challenge, team, raw_mean, normalized, n_scorecards}]}`:
    organizers always, everyone who sees the event once published."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: dict, 403: DETAIL, 404: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        settings = selectors.judging_settings(event)
        if not (settings.published or is_organizer(request.user, event)):
            raise Refusal(_("The judged results are not published yet."), code="results_not_published", status=403)
        rows = selectors.results(event)
        return Response(
            {
                "method": "zscore",
                "published": settings.published,
                "results": ResultRowSerializer(rows, many=True).data,
            }
        )


class JudgingSettingsView(APIView):
    """GET: the event's judging settings. PATCH (organizers): change them; `published` publishes or withdraws
    the judged results."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def _present(self, event: Event) -> dict:
        settings = selectors.judging_settings(event)
        data = JudgingSettingsSerializer(settings).data
        data["published"] = settings.published
        return data

    @extend_schema(responses={200: JudgingSettingsSerializer, 404: DETAIL})
    def get(self, request, slug: str):
        return Response(self._present(visible_event(request, slug)))

    @extend_schema(
        request=JudgingSettingsSerializer, responses={200: JudgingSettingsSerializer, 400: DETAIL, 403: DETAIL}
    )
    def patch(self, request, slug: str):
        event = visible_event(request, slug)
        if not is_organizer(request.user, event):
            raise Refusal(_("Only the organizers of this event can do this."), code="forbidden", status=403)
        serializer = JudgingSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        published = data.pop("published", None)
        with transaction.atomic():
            if data:
                services.judging_settings_update(event=event, actor=request.user, **data)
            if published is not None:
                services.results_publish(event=event, actor=request.user, published=published)
        return Response(self._present(event))


def _criterion(request, pk: int) -> Criterion:
    criterion = Criterion.objects.select_related("event").filter(pk=pk).first()
    if criterion is None or not event_visible(request.user, criterion.event):
        raise NotFound(_("No such criterion."))
    return criterion


class CriterionDetailView(APIView):
    """PATCH (organizers): change a criterion (its range is fixed once scorecards exist). DELETE: remove it
    (only before any scorecard)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CriterionUpdateSerializer, responses={200: CriterionSerializer, 400: DETAIL, 403: DETAIL})
    def patch(self, request, pk: int):
        criterion = _criterion(request, pk)
        serializer = CriterionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = services.criterion_update(criterion=criterion, actor=request.user, **serializer.validated_data)
        return Response(CriterionSerializer(criterion).data)

    @extend_schema(responses={204: None, 400: DETAIL, 403: DETAIL})
    def delete(self, request, pk: int):
        services.criterion_delete(criterion=_criterion(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _present_prizes(request, event: Event, prizes) -> list[dict]:
    """Winners are shown to the organizers always, to everyone else once the judged results are published."""
    show = is_organizer(request.user, event) or selectors.judging_settings(event).published
    return [
        {"id": p.pk, "name": p.name, "challenge": p.challenge_id, "winner": p.winner_id if show else None}
        for p in prizes
    ]


class EventPrizesView(APIView):
    """GET: the event's prizes (winners once the judged results are published). POST (organizers): a prize."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: PrizeSerializer(many=True), 404: DETAIL})
    def get(self, request, slug: str):
        event = visible_event(request, slug)
        return Response(_present_prizes(request, event, selectors.prizes_of(event)))

    @extend_schema(request=PrizeCreateSerializer, responses={201: PrizeSerializer, 400: DETAIL, 403: DETAIL})
    def post(self, request, slug: str):
        event = visible_event(request, slug)
        serializer = PrizeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge_id = serializer.validated_data.get("challenge")
        challenge = Challenge.objects.filter(pk=challenge_id, event=event).first() if challenge_id else None
        if challenge_id and challenge is None:
            raise Refusal(_("This challenge is not in this event."), code="invalid")
        prize = services.prize_create(
            event=event, actor=request.user, name=serializer.validated_data["name"], challenge=challenge
        )
        return Response(_present_prizes(request, event, [prize])[0], status=status.HTTP_201_CREATED)


def _prize(request, pk: int) -> Prize:
    prize = Prize.objects.select_related("event").filter(pk=pk).first()
    if prize is None or not event_visible(request.user, prize.event):
        raise NotFound(_("No such prize."))
    return prize


class PrizeDetailView(APIView):
    """PATCH (organizers) `{winner}`: award the prize to an entry (null: to nobody). DELETE: remove it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PrizeAwardSerializer, responses={200: PrizeSerializer, 400: DETAIL, 403: DETAIL})
    def patch(self, request, pk: int):
        prize = _prize(request, pk)
        serializer = PrizeAwardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        winner_id = serializer.validated_data["winner"]
        winner = Entry.objects.filter(pk=winner_id).first() if winner_id else None
        if winner_id and winner is None:
            raise Refusal(_("No such entry."), code="invalid")
        prize = services.prize_award(prize=prize, actor=request.user, winner=winner)
        return Response(_present_prizes(request, prize.event, [prize])[0])

    @extend_schema(responses={204: None, 403: DETAIL})
    def delete(self, request, pk: int):
        services.prize_delete(prize=_prize(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
