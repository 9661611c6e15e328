"""The world of the permission matrix (tests/test_permission_matrix.py) and the tools to walk the URLconf.

The world is built with the real services, the way people would build it through the site:

1. an organizer (with the event-creator right) creates event E, publishes its terms and invites a judge,
2. E gets a hotspot challenge with a generated (small) dataset, an open phase P ranking final
   submissions, and an upcoming phase P2 whose public leaderboard is hidden,
3. participants register; `a` creates team A and `a2` joins it, `b` creates team B,
4. `a` uploads the sample submission to P, which is scored (the leaderboard is built),
5. another event-creator organizes event F; E's organizer also keeps a draft event D and an
   invite-only event I, for which `a` registered through the invite link,
6. a site staff member (is_staff and is_superuser, as `createsuperuser` makes them),
7. `c`, a user who takes no part in any event (the one organizers grant roles to: a participant
   cannot also judge or organize the event),
8. `a` holds an API token (knox) and has asked to change their email address (the change waits for
   the link sent to the new address),
9. judging: E has a judged challenge (open phase) with the default rubric; teams A and B each wrote an
   entry; the judge is assigned both and has scored A's (with a comment only judges and organizers see);
   the judged results are not published.
10. E's organizer scheduled an announcement for tomorrow; `a` has one unread notification,
11. `m-d`, registered in E without a team, is on E's team board and asks to join team B.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from knox.models import AuthToken

from accounts import services as account_services
from accounts.models import User
from challenges import services as challenge_services
from challenges.models import (
    AuditLog,
    Challenge,
    Event,
    EventRole,
    Phase,
    Registration,
    Team,
    TeamMembership,
    Terms,
)
from communication import board as communication_board
from communication import services as communication_services
from communication.models import (
    Announcement,
    BoardProfile,
    Delivery,
    EmailOptOut,
    JoinRequest,
    Notification,
    OpenSeats,
    Skill,
)
from judging import services as judging_services
from judging.models import Assignment, Conflict, Criterion, Entry, EntryImage, JudgingSettings, Prize, Scorecard
from submissions import services as submission_services
from submissions.models import LeaderboardEntry, Submission
from tests.factories import UserFactory, event_creator
from webhooks.models import Webhook, WebhookDelivery

ROLES = ("anon", "a", "a2", "b", "judge", "other_org", "org", "staff")


def R(anon: int, a: int, b: int, judge: int, other_org: int, org: int, staff: int, *, a2: int | None = None):
    """One expected status per role. `a2`, a member of team A who is not its captain, answers like
    the captain `a` unless told otherwise."""
    a2 = a if a2 is None else a2
    return {"anon": anon, "a": a, "a2": a2, "b": b, "judge": judge, "other_org": other_org, "org": org, "staff": staff}


def ALL(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


@dataclass
class World:
    users: dict[str, User | None]
    a2: User
    bystander: User
    event: Event
    other_event: Event
    draft: Event
    invite_only: Event
    challenge: Challenge
    phase: Phase
    upcoming: Phase
    team_a: Team
    team_b: Team
    submission: Submission
    sample: bytes
    truth: bytes
    token_id: str  # the public prefix of `a`'s API token
    email_link: str  # the path of the link confirming `a`'s pending email address
    judged: Challenge
    entry_a: Entry  # scored by the judge
    entry_b: Entry  # assigned to the judge, not scored yet
    prize: Prize  # awarded to entry_a; the judged results are not published
    criterion: Criterion  # the first of the default rubric (the judge has scored: its range is frozen)
    announcement: Announcement | None = None  # E's organizer scheduled it for tomorrow
    notification: Notification | None = None  # `a`'s one (unread) notification
    unsubscribe_link: str = ""  # the path of `a`'s one-click unsubscribe link (announcements)
    board_profile: BoardProfile | None = None  # `m-d`'s entry on E's team board
    join_request: JoinRequest | None = None  # `m-d` asks to join team B (b, its captain, answers)
    webhook: Webhook | None = None  # E's organizers' webhook (a public address, never contacted here)

    def upload(self, name: str = "predictions.csv") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, self.sample, content_type="text/csv")

    def dataset_files(self) -> dict[str, SimpleUploadedFile]:
        return {
            "truth_file": SimpleUploadedFile("truth.csv", self.truth, content_type="text/csv"),
            "public_files": SimpleUploadedFile("sample_submission.csv", self.sample, content_type="text/csv"),
        }


def build_world() -> World:
    now = timezone.now()
    org = event_creator(username="m-org")
    event = challenge_services.event_create(
        creator=org, name="Matrix", slug="matrix", visibility=Event.Visibility.PUBLISHED, team_size_max=3
    )
    challenge_services.terms_publish(event=event, actor=org, text="Use the data only for this event.")
    judge = UserFactory(username="m-judge")
    challenge_services.judge_invite(event=event, actor=org, username=judge.username)
    draft = challenge_services.event_create(creator=org, name="Matrix draft", slug="matrix-draft")
    invite_only = challenge_services.event_create(
        creator=org, name="Matrix by invitation", slug="matrix-invite", visibility=Event.Visibility.INVITE_ONLY
    )
    challenge_services.terms_publish(event=invite_only, actor=org, text="Invited participants only.")

    other_org = event_creator(username="m-other-org")
    other_event = challenge_services.event_create(
        creator=other_org, name="Elsewhere", slug="elsewhere", visibility=Event.Visibility.PUBLISHED
    )

    challenge = challenge_services.challenge_create(
        event=event, actor=org, kind="hotspot", title="Hotspots", slug="hotspots", dataset_seed=7, dataset_size="small"
    )
    phase = challenge_services.phase_create(
        challenge=challenge,
        actor=org,
        name="Main",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        leaderboard_mode=Phase.LeaderboardMode.FINAL,
    )
    upcoming = challenge_services.phase_create(
        challenge=challenge,
        actor=org,
        name="Final",
        opens_at=now + timedelta(days=10),
        closes_at=now + timedelta(days=20),
        public_leaderboard=False,
        order=1,
    )

    a, a2, b = (UserFactory(username=name) for name in ("m-a", "m-a2", "m-b"))
    for user in (a, a2, b):
        challenge_services.registration_create(event=event, user=user, accept_terms=True)
    challenge_services.registration_create(
        event=invite_only, user=a, accept_terms=True, invite_token=invite_only.invite_token
    )
    team_a = challenge_services.team_create(event=event, user=a, name="Alpha", country="CO")
    challenge_services.team_join(team=team_a, user=a2, join_code=team_a.join_code)
    team_b = challenge_services.team_create(event=event, user=b, name="Beta", country="BR")

    with challenge.public_archive.open("rb") as handle:
        sample = zipfile.ZipFile(io.BytesIO(handle.read())).read("sample_submission.csv")
    with challenge.truth_file.open("rb") as handle:
        truth = handle.read()
    submission, _created = submission_services.submission_create(
        phase=phase,
        user=a,
        file=SimpleUploadedFile("predictions.csv", sample, content_type="text/csv"),
        received_at=timezone.now(),
    )
    assert submission_services.submission_score(submission_id=submission.pk) == "scored"
    submission.refresh_from_db()
    # The private score must be told apart from the public one in answers (tests look for it).
    assert repr(submission.private_score) not in repr(submission.public_score)
    assert LeaderboardEntry.objects.filter(phase=phase, team=team_a).exists()

    judged = challenge_services.challenge_create(event=event, actor=org, kind="judged", title="Project", slug="project")
    challenge_services.phase_create(
        challenge=judged, actor=org, name="Build", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7)
    )
    criteria = judging_services.criteria_add_defaults(event=event, actor=org)
    entry_a = judging_services.entry_create(challenge=judged, user=a, title="Alpha's matrix tool")
    entry_b = judging_services.entry_create(challenge=judged, user=b, title="Beta's matrix tool")
    judging_services.assignment_run(event=event, actor=org, judges_per_entry=1, seed=1)
    judging_services.scorecard_submit(
        entry=entry_a, judge=judge, scores={str(c.pk): 3 for c in criteria}, comment="matrix-judge-comment"
    )
    prize = judging_services.prize_create(event=event, actor=org, name="Matrix prize")
    judging_services.prize_award(prize=prize, actor=org, winner=entry_a)

    staff = UserFactory(username="m-staff", is_staff=True, is_superuser=True)
    bystander = UserFactory(username="m-c")
    token, _key = account_services.token_create(user=a)
    account_services.email_change_request(user=a, new_email="m-a-new@example.org")
    a.refresh_from_db()
    assert a.pending_email == "m-a-new@example.org"
    link = urlparse(account_services.email_link(user=a, address=a.pending_email)).path
    announcement = communication_services.announcement_create(
        event=event, actor=org, title="Tomorrow", body="Dataset v2.", send_at=now + timedelta(days=1)
    )
    notification = communication_services.notification_create(
        user=a, kind="submission", code="submission_scored", params={"challenge": "Hotspots", "phase": "Main"}
    )
    unsubscribe = urlparse(communication_services.unsubscribe_url(user=a, kind="announcement")).path
    d = UserFactory(username="m-d")
    challenge_services.registration_create(event=event, user=d, accept_terms=True)
    board_profile = communication_board.board_profile_save(
        event=event, user=d, pitch="Board pitch of m-d", skills=["GIS"], languages=["es"]
    )
    join_request = communication_board.join_request_create(event=event, actor=d, team=team_b, message="Hi")
    webhook = Webhook.objects.create(
        event=event, url="https://93.184.216.34/matrix-hook", event_types=["submission.scored"], created_by=org
    )
    return World(
        users={
            "anon": None,
            "a": a,
            "a2": a2,
            "b": b,
            "judge": judge,
            "other_org": other_org,
            "org": org,
            "staff": staff,
        },
        a2=a2,
        bystander=bystander,
        event=event,
        other_event=other_event,
        draft=draft,
        invite_only=invite_only,
        challenge=challenge,
        phase=phase,
        upcoming=upcoming,
        team_a=team_a,
        team_b=team_b,
        submission=submission,
        sample=sample,
        truth=truth,
        token_id=token.token_key,
        email_link=link,
        judged=judged,
        prize=prize,
        criterion=criteria[0],
        entry_a=entry_a,
        entry_b=entry_b,
        announcement=announcement,
        notification=notification,
        unsubscribe_link=unsubscribe,
        board_profile=board_profile,
        join_request=join_request,
        webhook=webhook,
    )


SNAPSHOT_MODELS = (
    Event,
    Terms,
    EventRole,
    Registration,
    Team,
    TeamMembership,
    Challenge,
    Phase,
    Submission,
    LeaderboardEntry,
    AuditLog,
    AuthToken,
    JudgingSettings,
    Criterion,
    Entry,
    EntryImage,
    Conflict,
    Assignment,
    Scorecard,
    Prize,
    Announcement,
    Delivery,
    Notification,
    EmailOptOut,
    BoardProfile,
    JoinRequest,
    Skill,
    OpenSeats,
    Webhook,
    WebhookDelivery,
)


def snapshot() -> dict[str, list]:
    """Every row a request could change (users without their last login, with their email addresses
    and password hash; API tokens), to compare before and after."""
    state: dict[str, list] = {model.__name__: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS}
    state["User"] = list(
        User.objects.order_by("pk").values_list(
            "pk",
            "username",
            "email",
            "pending_email",
            "email_verified_at",
            "password",
            "is_staff",
            "is_superuser",
            "is_active",
        )
    )
    return state


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# The URLconf ------------------------------------------------------------------------------------


def walk_patterns(patterns=None, namespace: str = "", prefix: str = ""):
    """Yield (name with its namespace or None, route, callback) of every URL pattern, recursively."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from walk_patterns(entry.url_patterns, inner or "", prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern), entry.callback


def api_methods(callback) -> set[str]:
    """The HTTP methods a DRF view answers (HEAD and OPTIONS aside), read from the view itself."""
    cls = getattr(callback, "cls", None)
    if cls is None:
        return set()
    allowed = {m for m in cls.http_method_names if m not in ("head", "options")}
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a ViewSet route: its method -> action mapping
        return {m.upper() for m in actions if m in allowed}
    return {m.upper() for m in allowed if hasattr(cls, m)}
