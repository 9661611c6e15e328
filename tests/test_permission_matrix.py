"""The permission matrix: every page and every API operation, as each role, with the status it must answer.

Roles (see tests/matrix_helpers.py for the world): `anon`; `a`, captain of team A (which has a scored
submission), and `a2`, a member of team A who is not its captain; `b`, captain of team B; `judge` and `org` of event E; `other_org`, organizer of another event;
`staff`, a superuser (`c`, who takes no part in any event, is the user organizers grant roles to). Each cell is one test: it sends one request and checks the status; a cell whose
role may not change anything also checks that no row changed (a refusal must refuse, not half-do).

The world is built once per module inside a transaction; every cell runs in a savepoint rolled back
afterwards, so each cell sees the same fresh world (Django's setUpTestData recipe) at a fraction of the
cost of building it again.

A new route without a row here fails `test_every_route_has_a_row_in_the_matrix`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from rest_framework.test import APIClient

from judging.models import Criterion
from tests.matrix_helpers import ALL, ROLES, R, World, api_methods, build_world, changed_tables, snapshot, walk_patterns


@dataclass(frozen=True)
class Row:
    url: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict] | None = None
    fmt: str = "json"  # API bodies: "json" or "multipart"
    changes: frozenset[str] | None = None  # roles allowed to change data (default: those answered 2xx)
    secret: Callable[[World], str] | None = None  # text only the roles in `sees` may get in a 200 answer
    sees: frozenset[str] = frozenset()
    xfail: dict[str, str] = field(default_factory=dict)  # role -> reason (a known wrong cell fixed elsewhere)

    def may_change(self, role: str) -> bool:
        if self.changes is not None:
            return role in self.changes
        return 200 <= self.expect[role] < 300


def who(*roles: str) -> frozenset[str]:
    return frozenset(roles)


E = "/events/matrix"
API = "/api/v1"
ORGS = who("org", "staff")
PRIVATE_SCORE = lambda w: repr(w.submission.private_score)  # noqa: E731 - hidden until the results are published
DRAFT = lambda w: "matrix-draft"  # noqa: E731 - a draft event is listed to its organizers only
LOGIN = 302  # anonymous visitors of a login_required page are sent to the login page


def _bundle_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bundle.yaml", b"version: 1\nevent:\n  name: Imported\n  slug: imported\n")


def _phase_form(w: World, name: str, phase=None) -> dict:
    fmt = "%Y-%m-%dT%H:%M"
    opens = phase.opens_at.astimezone(UTC).strftime(fmt) if phase else "2030-01-01T00:00"
    closes = phase.closes_at.astimezone(UTC).strftime(fmt) if phase else "2030-01-02T00:00"
    return {
        "name": name,
        "opens_at": opens,
        "closes_at": closes,
        "leaderboard_mode": "final",
        "public_leaderboard": "on",
        "order": 0,
        "grace_minutes": 0,
    }


def _event_form(name: str, **extra) -> dict:
    return {
        "name": name,
        "description": "",
        "timezone": "UTC",
        "team_size_min": 1,
        "team_size_max": 3,
        "visibility": "published",
        "roster_visibility": "participants",
        "code_of_conduct": "",
        **extra,
    }


# HTML pages -------------------------------------------------------------------------------------
# (route name, method[, variant]) -> Row. Refusals of forms that redirect with a message (302) are
# listed in `changes` as not allowed to change anything.

PAGES: dict[tuple, Row] = {
    ("home", "GET"): Row(lambda w: "/", ALL(200)),
    ("healthz", "GET"): Row(lambda w: "/healthz/", ALL(200)),
    ("login", "GET"): Row(lambda w: "/accounts/login/", ALL(200)),
    ("logout", "POST"): Row(lambda w: "/accounts/logout/", ALL(302), changes=who()),
    ("signup", "GET"): Row(lambda w: "/accounts/signup/", R(200, 302, 302, 302, 302, 302, 302)),
    ("profile", "GET"): Row(lambda w: "/accounts/profile/", R(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("password_change", "GET"): Row(lambda w: "/accounts/password_change/", R(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("password_change_done", "GET"): Row(
        lambda w: "/accounts/password_change/done/", R(LOGIN, 200, 200, 200, 200, 200, 200)
    ),
    ("password_reset", "GET"): Row(lambda w: "/accounts/password_reset/", ALL(200)),
    ("password_reset_done", "GET"): Row(lambda w: "/accounts/password_reset/done/", ALL(200)),
    ("password_reset_confirm", "GET"): Row(lambda w: "/accounts/reset/MQ/bad-token/", ALL(200)),
    ("password_reset_complete", "GET"): Row(lambda w: "/accounts/reset/done/", ALL(200)),
    # API tokens and email addresses: each user's own, whoever asks (refusals redirect to the profile with a message)
    ("token_revoke", "POST"): Row(
        lambda w: f"/accounts/tokens/{w.token_id}/revoke/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),  # others: "You have no API token with this id"
        changes=who("a"),
    ),
    ("email_resend", "POST"): Row(
        lambda w: "/accounts/email/resend/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),
        changes=who(),  # only an email goes out, to the user's own (pending) address
    ),
    ("email_change_cancel", "POST"): Row(
        lambda w: "/accounts/email/cancel/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),
        changes=who("a"),  # only a has a pending change: nobody else's cancel touches it
    ),
    ("email_confirm", "GET"): Row(
        # The signed link is the proof (whoever opens it read the mailbox); it changes a's address only.
        lambda w: w.email_link,
        ALL(302),
        changes=frozenset(ROLES),
    ),
    ("email_confirm", "GET", "forged"): Row(lambda w: w.email_link.rstrip("/")[:-3] + "xyz/", ALL(400)),
    # Participants' journey
    ("challenges:event_list", "GET"): Row(lambda w: "/events/", ALL(200), secret=DRAFT, sees=ORGS),
    ("challenges:my_events", "GET"): Row(lambda w: "/my-events/", R(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("challenges:event_detail", "GET"): Row(lambda w: f"{E}/", ALL(200)),
    ("challenges:event_detail", "GET", "draft"): Row(
        lambda w: "/events/matrix-draft/", R(404, 404, 404, 404, 404, 200, 200)
    ),
    ("challenges:event_detail", "GET", "invite-only"): Row(
        lambda w: "/events/matrix-invite/", R(404, 200, 404, 404, 404, 200, 200, a2=404)
    ),
    ("challenges:event_detail", "GET", "invite-link"): Row(
        lambda w: f"/events/matrix-invite/?invite={w.invite_only.invite_token}", ALL(200)
    ),
    # Judges and organizers of E cannot take part in it (403 saying why)
    ("challenges:event_register", "GET"): Row(lambda w: f"{E}/register/", R(LOGIN, 200, 200, 403, 200, 403, 200)),
    ("challenges:event_register", "POST"): Row(
        lambda w: f"{E}/register/",
        R(LOGIN, 302, 302, 403, 302, 403, 302),
        data=lambda w: {"accept_terms": "on"},
        changes=who("a", "a2", "b", "other_org", "staff"),
    ),
    ("challenges:team_create", "GET"): Row(lambda w: f"{E}/teams/new/", R(LOGIN, 302, 302, 403, 200, 403, 200)),
    ("challenges:team_create", "POST"): Row(
        lambda w: f"{E}/teams/new/",
        # a and b are already in a team (sent back to the event page); the others are not registered.
        R(LOGIN, 302, 302, 403, 403, 403, 403),
        data=lambda w: {"name": "Gamma", "country": "PE"},
        changes=who(),
    ),
    ("challenges:team_join", "POST"): Row(
        lambda w: f"{E}/teams/join/",
        R(LOGIN, 302, 302, 403, 403, 403, 403),
        data=lambda w: {"join_code": w.team_a.join_code},
        changes=who(),
    ),
    ("challenges:team_join_link", "GET"): Row(
        lambda w: f"{E}/join/{w.team_a.join_code}/", R(LOGIN, 200, 200, 200, 200, 200, 200)
    ),
    ("challenges:team_join_link", "POST"): Row(
        lambda w: f"{E}/join/{w.team_a.join_code}/",
        R(LOGIN, 200, 200, 403, 403, 403, 403),  # a, b: "already in a team", shown on the page
        changes=who(),
    ),
    ("challenges:team_detail", "GET"): Row(
        lambda w: f"/teams/{w.team_a.pk}/",
        R(LOGIN, 200, 200, 200, 200, 200, 200),
        secret=lambda w: w.team_a.join_code,
        sees=who("a", "a2", "org", "staff"),
    ),
    ("challenges:team_edit", "GET"): Row(
        lambda w: f"/teams/{w.team_a.pk}/edit/", R(LOGIN, 200, 403, 403, 403, 200, 200, a2=403)
    ),
    ("challenges:team_edit", "POST"): Row(
        lambda w: f"/teams/{w.team_a.pk}/edit/",
        R(LOGIN, 302, 403, 403, 403, 302, 302, a2=403),
        data=lambda w: {"name": "Renamed", "country": "CO"},
        changes=who("a", "org", "staff"),
    ),
    ("challenges:team_join_code", "POST"): Row(
        lambda w: f"/teams/{w.team_a.pk}/join-code/",
        R(LOGIN, 302, 403, 403, 403, 403, 403, a2=403),  # the captain only
        changes=who("a"),
    ),
    ("challenges:team_leave", "POST"): Row(
        lambda w: f"/teams/{w.team_a.pk}/leave/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),  # non-members: "You are not a member of this team."
        changes=who("a", "a2"),
    ),
    ("challenges:team_transfer", "POST"): Row(
        lambda w: f"/teams/{w.team_a.pk}/captain/",
        R(LOGIN, 302, 403, 403, 403, 302, 302, a2=403),
        data=lambda w: {"new_captain": w.a2.pk},
        changes=who("a", "org", "staff"),
    ),
    # Notifications and email choices: each user's own
    ("communication:notification_list", "GET"): Row(
        lambda w: "/notifications/",
        R(LOGIN, 200, 200, 200, 200, 200, 200),
        secret=lambda w: "Your submission to Hotspots was scored",
        sees=who("a"),
    ),
    ("communication:notification_read", "POST"): Row(
        lambda w: f"/notifications/{w.notification.pk}/read/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),  # others: "You have no notification with this id."
        changes=who("a"),
    ),
    ("communication:notifications_read_all", "POST"): Row(
        lambda w: "/notifications/read-all/", R(LOGIN, 302, 302, 302, 302, 302, 302), changes=who("a", "b")
    ),
    ("communication:email_preferences", "GET"): Row(
        lambda w: "/notifications/email/", R(LOGIN, 200, 200, 200, 200, 200, 200)
    ),
    ("communication:email_preferences", "POST"): Row(
        lambda w: "/notifications/email/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),
        data=lambda w: {"wanted": ["reminder"]},
        changes=who("a", "a2", "b", "judge", "other_org", "org", "staff"),  # each their own choices
    ),
    # The signed link is the proof: it works without logging in, for a's announcements only.
    ("communication:unsubscribe", "GET"): Row(lambda w: w.unsubscribe_link, ALL(200), changes=who()),
    ("communication:unsubscribe", "POST"): Row(lambda w: w.unsubscribe_link, ALL(200), changes=frozenset(ROLES)),
    ("communication:unsubscribe", "POST", "forged"): Row(
        lambda w: w.unsubscribe_link.rstrip("/")[:-4] + "xyz/", ALL(400)
    ),
    # Announcements: the event's organizers
    ("communication:event_announcements", "GET"): Row(
        lambda w: f"{E}/announcements/", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("communication:event_announcements", "POST"): Row(
        lambda w: f"{E}/announcements/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"title": "Hello", "body": "Welcome", "audience": "everyone", "send_at": ""},
        changes=ORGS,
    ),
    ("communication:announcement_detail", "GET"): Row(
        lambda w: f"/announcements/{w.announcement.pk}/", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("communication:announcement_cancel", "POST"): Row(
        lambda w: f"/announcements/{w.announcement.pk}/cancel/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        changes=ORGS,
    ),
    # The team board
    ("communication:event_board", "GET"): Row(
        lambda w: f"{E}/board/",
        R(LOGIN, 200, 200, 403, 403, 200, 200),
        secret=lambda w: "Board pitch of m-d",
        sees=who("a", "a2", "b", "org", "staff"),
    ),
    ("communication:board_me", "GET"): Row(lambda w: f"{E}/board/me/", R(LOGIN, 200, 200, 403, 403, 200, 200)),
    ("communication:board_me", "POST"): Row(
        lambda w: f"{E}/board/me/",
        R(LOGIN, 302, 302, 403, 403, 403, 403),  # organizers see the board but do not look for a team
        data=lambda w: {"pitch": "Hello", "skills": ["GIS"], "languages": "es"},
        changes=who("a", "a2", "b"),
    ),
    ("communication:board_hide", "POST"): Row(
        lambda w: f"{E}/board/{w.board_profile.pk}/hide/", R(LOGIN, 403, 403, 403, 403, 302, 302), changes=ORGS
    ),
    ("communication:skill_add", "POST"): Row(
        lambda w: f"{E}/board/skills/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"name": "OSINT"},
        changes=ORGS,
    ),
    ("communication:open_seats", "POST"): Row(
        lambda w: f"{E}/board/seats/",
        R(LOGIN, 302, 302, 403, 403, 403, 403, a2=403),  # captains only (a and b)
        data=lambda w: {"seats": "1", "skills": ["GIS"]},
        changes=who("a", "b"),
    ),
    ("communication:join_request_create", "POST"): Row(
        lambda w: f"{E}/join-requests/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),  # refused with the reason as a message: in a team, not registered
        data=lambda w: {"team": w.team_b.pk},
        changes=who(),
    ),
    ("communication:join_request_answer", "POST"): Row(
        lambda w: f"/join-requests/{w.join_request.pk}/accept/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),  # only b, captain of B, may accept; others get the reason
        changes=who("b"),
    ),
    ("challenges:challenge_detail", "GET"): Row(lambda w: f"{E}/challenges/hotspots/", ALL(200)),
    ("challenges:phase_dataset", "GET"): Row(
        lambda w: f"/phases/{w.phase.pk}/dataset/", R(403, 200, 200, 200, 403, 200, 200)
    ),
    ("challenges:phase_dataset", "GET", "upcoming"): Row(
        lambda w: f"/phases/{w.upcoming.pk}/dataset/", R(403, 403, 403, 200, 403, 200, 200)
    ),
    # Organizers' pages
    ("challenges:event_create", "GET"): Row(lambda w: "/events/new/", R(LOGIN, 403, 403, 403, 200, 200, 200)),
    ("challenges:event_create", "POST"): Row(
        lambda w: "/events/new/",
        R(LOGIN, 403, 403, 403, 302, 302, 302),
        data=lambda w: _event_form("Brand new", slug="brand-new", visibility="draft"),
        changes=who("other_org", "org", "staff"),
    ),
    # Event bundles: the event's organizers export (recorded in the audit log); event creators import.
    ("bundles:export", "GET"): Row(lambda w: f"{E}/bundle/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("bundles:export", "POST"): Row(
        lambda w: f"{E}/bundle/",
        R(LOGIN, 403, 403, 403, 403, 200, 200),
        data=lambda w: {},
        secret=lambda w: w.challenge.dataset_secret,  # a normal export holds no secret, for anyone
    ),
    ("bundles:export", "POST", "full"): Row(
        lambda w: f"{E}/bundle/",
        R(LOGIN, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"full": "on", "confirm": "on"},
        secret=lambda w: w.challenge.dataset_secret,
        sees=ORGS,
    ),
    ("bundles:import", "GET"): Row(lambda w: "/events/import/", R(LOGIN, 403, 403, 403, 200, 200, 200)),
    ("bundles:import", "POST"): Row(
        lambda w: "/events/import/",
        R(LOGIN, 403, 403, 403, 302, 302, 302),
        data=lambda w: {"file": _bundle_file(), "slug": "imported", "shift_days": "7"},
        changes=who("other_org", "org", "staff"),
    ),
    ("challenges:event_edit", "GET"): Row(lambda w: f"{E}/edit/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("challenges:event_edit", "POST"): Row(
        lambda w: f"{E}/edit/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: _event_form("Matrix renamed"),
        changes=ORGS,
    ),
    ("challenges:event_dashboard", "GET"): Row(lambda w: f"{E}/dashboard/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("challenges:event_terms", "GET"): Row(lambda w: f"{E}/terms/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("challenges:event_terms", "POST"): Row(
        lambda w: f"{E}/terms/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"text": "New terms."},
        changes=ORGS,
    ),
    ("challenges:event_roles", "GET"): Row(lambda w: f"{E}/roles/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("challenges:event_roles", "POST"): Row(
        lambda w: f"{E}/roles/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"username": w.bystander.username, "role": "organizer"},
        changes=ORGS,
    ),
    ("challenges:event_roles", "POST", "participant"): Row(
        lambda w: f"{E}/roles/",
        R(LOGIN, 403, 403, 403, 403, 200, 200),  # org, staff: the form says b takes part in the event
        data=lambda w: {"username": "m-b", "role": "judge"},
        changes=who(),
    ),
    ("challenges:event_delete", "POST"): Row(
        lambda w: "/events/matrix-draft/delete/",
        R(LOGIN, 404, 404, 404, 404, 302, 302),  # a draft: invisible to all but its organizers
        changes=ORGS,
    ),
    ("challenges:event_delete", "POST", "published"): Row(
        lambda w: f"{E}/delete/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),  # organizers: "Only a draft event can be deleted"
        changes=who(),
    ),
    ("challenges:challenge_delete", "POST"): Row(
        lambda w: f"{E}/challenges/hotspots/delete/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),  # organizers: "This challenge has submissions"
        changes=who(),
    ),
    ("webhooks:event_webhooks", "GET"): Row(
        lambda w: f"{E}/webhooks/",
        R(LOGIN, 403, 403, 403, 403, 200, 200),
        secret=lambda w: w.webhook.secret,
        sees=who(),
    ),
    ("webhooks:event_webhooks", "POST"): Row(
        lambda w: f"{E}/webhooks/",
        R(LOGIN, 403, 403, 403, 403, 200, 200),  # the page shows the new webhook's secret, once
        data=lambda w: {"url": "https://93.184.216.34/new", "event_types": ["results.published"], "is_active": "on"},
    ),
    ("webhooks:webhook_detail", "GET"): Row(
        lambda w: f"/webhooks/{w.webhook.pk}/",
        R(LOGIN, 404, 404, 404, 404, 200, 200),
        secret=lambda w: w.webhook.secret,
    ),
    ("webhooks:webhook_delete", "POST"): Row(
        lambda w: f"/webhooks/{w.webhook.pk}/delete/", R(LOGIN, 404, 404, 404, 404, 302, 302), changes=ORGS
    ),
    ("webhooks:webhook_ping", "POST"): Row(
        lambda w: f"/webhooks/{w.webhook.pk}/ping/", R(LOGIN, 404, 404, 404, 404, 302, 302), changes=ORGS
    ),
    ("challenges:roster_toggle", "POST"): Row(
        lambda w: f"{E}/roster/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"unlocked": "1"},
        changes=ORGS,
    ),
    ("challenges:export_participants", "GET"): Row(
        lambda w: f"{E}/export/participants.csv", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("challenges:export_teams", "GET"): Row(lambda w: f"{E}/export/teams.csv", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("challenges:challenge_create", "GET"): Row(
        lambda w: f"{E}/add-challenge/", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("challenges:challenge_create", "POST"): Row(
        lambda w: f"{E}/add-challenge/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"kind": "judged", "title": "Essay", "dataset_source": "none", "dataset_size": "small"},
        changes=ORGS,
    ),
    ("challenges:challenge_edit", "GET"): Row(
        lambda w: f"{E}/challenges/hotspots/edit/", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("challenges:challenge_edit", "POST"): Row(
        lambda w: f"{E}/challenges/hotspots/edit/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {
            "title": "Renamed",
            "slug": "hotspots",
            "dataset_source": "generated",
            "dataset_seed": 7,
            "dataset_size": "small",
        },
        changes=ORGS,
    ),
    ("challenges:phase_create", "GET"): Row(
        lambda w: f"{E}/challenges/hotspots/phases/new/", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("challenges:phase_create", "POST"): Row(
        lambda w: f"{E}/challenges/hotspots/phases/new/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: _phase_form(w, "Extra"),
        changes=ORGS,
    ),
    ("challenges:phase_edit", "GET"): Row(
        lambda w: f"{E}/challenges/hotspots/phases/{w.phase.pk}/edit/", R(LOGIN, 403, 403, 403, 403, 200, 200)
    ),
    ("challenges:phase_edit", "POST"): Row(
        lambda w: f"{E}/challenges/hotspots/phases/{w.phase.pk}/edit/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: _phase_form(w, "Renamed", w.phase),
        changes=ORGS,
    ),
    ("challenges:phase_publish", "POST"): Row(
        lambda w: f"/phases/{w.phase.pk}/publish/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"publish": "1"},
        changes=ORGS,
    ),
    # Submissions and leaderboards
    ("submissions:phase_submit", "GET"): Row(
        lambda w: f"/phases/{w.phase.pk}/submit/", R(LOGIN, 200, 200, 200, 200, 200, 200)
    ),
    ("submissions:phase_submit", "POST"): Row(
        lambda w: f"/phases/{w.phase.pk}/submit/",
        R(LOGIN, 302, 302, 403, 403, 403, 403),
        data=lambda w: {"file": w.upload(), "idempotency_key": "matrix-page"},
        changes=who("a", "a2", "b"),
    ),
    ("submissions:my_submissions", "GET"): Row(
        lambda w: f"/phases/{w.phase.pk}/my-submissions/", R(LOGIN, 200, 200, 200, 200, 200, 200)
    ),
    ("submissions:phase_all_submissions", "GET"): Row(
        lambda w: f"/phases/{w.phase.pk}/all-submissions/",
        R(LOGIN, 403, 403, 403, 403, 200, 200),
        secret=lambda w: f"/api/v1/submissions/{w.submission.pk}/file/",
        sees=ORGS,
    ),
    ("submissions:phase_leaderboard", "GET"): Row(lambda w: f"/phases/{w.phase.pk}/leaderboard/", ALL(200)),
    ("submissions:phase_leaderboard", "GET", "private"): Row(
        lambda w: f"/phases/{w.phase.pk}/leaderboard/?split=private", R(403, 403, 403, 403, 403, 200, 200)
    ),
    ("submissions:phase_leaderboard", "GET", "hidden"): Row(
        lambda w: f"/phases/{w.upcoming.pk}/leaderboard/", R(403, 403, 403, 403, 403, 200, 200)
    ),
    ("submissions:phase_leaderboard_csv", "GET"): Row(
        lambda w: f"/phases/{w.phase.pk}/leaderboard.csv", ALL(200), secret=PRIVATE_SCORE
    ),
    ("submissions:phase_leaderboard_csv", "GET", "private"): Row(
        lambda w: f"/phases/{w.phase.pk}/leaderboard.csv?split=private", R(403, 403, 403, 403, 403, 200, 200)
    ),
    ("submissions:phase_rescore", "POST"): Row(
        lambda w: f"/phases/{w.phase.pk}/rescore/",
        R(LOGIN, 302, 302, 302, 302, 302, 302),  # refused with a message on the leaderboard page
        changes=ORGS,
    ),
    ("submissions:submission_detail", "GET"): Row(
        lambda w: f"/submissions/{w.submission.pk}/",
        R(LOGIN, 200, 404, 404, 404, 200, 200),
        secret=lambda w: "<h3>Private scores</h3>",  # before the results are published
        sees=ORGS,
    ),
    ("submissions:submission_picture", "GET"): Row(
        lambda w: f"/submissions/{w.submission.pk}/picture.png", R(LOGIN, 200, 404, 404, 404, 200, 200)
    ),
    ("submissions:submission_action", "POST", "cancel"): Row(
        lambda w: f"/submissions/{w.submission.pk}/cancel/",
        R(LOGIN, 302, 404, 404, 404, 302, 302),  # a: refused with a message on the submission page
        changes=ORGS,
    ),
    ("submissions:submission_action", "POST", "rescore"): Row(
        lambda w: f"/submissions/{w.submission.pk}/rescore/",
        R(LOGIN, 302, 404, 404, 404, 302, 302),
        changes=ORGS,
    ),
    ("submissions:submission_action", "POST", "final"): Row(
        lambda w: f"/submissions/{w.submission.pk}/final/",
        R(LOGIN, 302, 404, 404, 404, 302, 302),  # organizers are not in the team: refused with a message
        changes=who("a", "a2"),
    ),
    # Judging
    ("judging:home", "GET"): Row(lambda w: f"{E}/judging/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("judging:home", "POST"): Row(
        lambda w: f"{E}/judging/", R(LOGIN, 403, 403, 403, 403, 302, 302), data=lambda w: {"publish": "1"}, changes=ORGS
    ),
    ("judging:criteria", "GET"): Row(lambda w: f"{E}/judging/criteria/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("judging:criteria", "POST"): Row(
        lambda w: f"{E}/judging/criteria/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"defaults": "1"},
        changes=ORGS,
    ),
    ("judging:judges", "GET"): Row(lambda w: f"{E}/judging/judges/", R(LOGIN, 403, 403, 200, 403, 200, 200)),
    ("judging:judges", "POST"): Row(
        lambda w: f"{E}/judging/judges/",
        R(LOGIN, 403, 403, 302, 403, 400, 400),  # org, staff: only judges declare (the form says why)
        data=lambda w: {"country": "FR"},
        changes=who("judge"),
    ),
    ("judging:assignment", "GET"): Row(lambda w: f"{E}/judging/assignment/", R(LOGIN, 403, 403, 403, 403, 200, 200)),
    ("judging:assignment", "POST"): Row(
        lambda w: f"{E}/judging/assignment/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"judges_per_entry": 1, "seed": 2},
        changes=ORGS,
    ),
    ("judging:queue", "GET"): Row(lambda w: f"{E}/judging/queue/", R(LOGIN, 403, 403, 200, 403, 403, 403)),
    ("judging:results", "GET"): Row(lambda w: f"{E}/judging/results/", R(403, 403, 403, 403, 403, 200, 200)),
    ("judging:results", "POST"): Row(
        lambda w: f"{E}/judging/results/",
        R(403, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"name": "Best tool"},
        changes=ORGS,
    ),
    ("judging:results_csv", "GET"): Row(lambda w: f"{E}/judging/results.csv", R(403, 403, 403, 403, 403, 200, 200)),
    ("judging:scorecards_csv", "GET"): Row(
        lambda w: f"{E}/judging/scorecards.csv",
        R(LOGIN, 403, 403, 403, 403, 200, 200),
        secret=lambda w: "matrix-judge-comment",
        sees=ORGS,
    ),
    ("judging:entry_edit", "GET"): Row(
        lambda w: f"{E}/challenges/project/entry/", R(LOGIN, 200, 200, 403, 403, 403, 403)
    ),
    ("judging:entry_edit", "POST"): Row(
        lambda w: f"{E}/challenges/project/entry/",
        R(LOGIN, 302, 302, 403, 403, 403, 403),  # each team edits its own entry
        data=lambda w: {"title": "Renamed"},
        changes=who("a", "a2", "b"),
    ),
    ("judging:entry_detail", "GET"): Row(
        lambda w: f"/entries/{w.entry_a.pk}/",
        R(404, 200, 404, 200, 404, 200, 200),
        secret=lambda w: "matrix-judge-comment",  # the judge's own form and the organizers' list
        sees=who("judge", "org", "staff"),
    ),
    ("judging:entry_detail", "POST"): Row(
        lambda w: f"/entries/{w.entry_b.pk}/",
        R(404, 404, 403, 302, 404, 403, 403, a2=404),  # the assigned judge only
        data=lambda w: {f"score-{c.pk}": 4 for c in Criterion.objects.filter(event=w.event)},
        changes=who("judge"),
    ),
    ("judging:entry_reopen", "POST"): Row(
        lambda w: f"/entries/{w.entry_a.pk}/reopen/",
        R(LOGIN, 403, 403, 403, 403, 302, 302),
        data=lambda w: {"reopen": "1"},
        changes=ORGS,
    ),
}


# REST API ---------------------------------------------------------------------------------------
UNAUTH = 401  # no credentials on a route that needs them (WWW-Authenticate is sent)

APIS: dict[tuple, Row] = {
    ("api:root", "GET"): Row(lambda w: f"{API}/", ALL(200)),
    ("api:auth-token", "POST"): Row(
        lambda w: f"{API}/auth/token/", ALL(400), data=lambda w: {"username": "m-a", "password": "wrong"}
    ),
    ("api:auth-register", "POST"): Row(
        lambda w: f"{API}/auth/register/",
        ALL(201),
        data=lambda w: {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password": "a-long-and-unusual-passphrase",
            "country": "CO",
        },
    ),
    ("api:auth-tokens", "GET"): Row(
        lambda w: f"{API}/auth/tokens/",
        R(UNAUTH, 200, 200, 200, 200, 200, 200),
        secret=lambda w: w.token_id,
        sees=who("a"),
    ),
    ("api:auth-token-detail", "DELETE"): Row(
        lambda w: f"{API}/auth/tokens/{w.token_id}/",
        R(UNAUTH, 204, 404, 404, 404, 404, 404, a2=404),  # nobody else's token can be revoked (or probed)
    ),
    ("api:me", "GET"): Row(lambda w: f"{API}/me/", R(UNAUTH, 200, 200, 200, 200, 200, 200)),
    ("api:event-list", "GET"): Row(lambda w: f"{API}/events/", ALL(200), secret=DRAFT, sees=ORGS),
    ("api:event-list", "POST"): Row(
        lambda w: f"{API}/events/",
        R(UNAUTH, 403, 403, 403, 201, 201, 201),
        data=lambda w: {"name": "Brand new", "slug": "brand-new"},
    ),
    ("api:event-bundle", "GET"): Row(
        lambda w: f"{API}/events/matrix/bundle/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        secret=lambda w: w.challenge.dataset_secret,  # a normal export holds no secret, for anyone
        changes=ORGS,  # the export is recorded in the audit log
    ),
    ("api:event-bundle", "GET", "full"): Row(
        lambda w: f"{API}/events/matrix/bundle/?full=1",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        secret=lambda w: w.challenge.dataset_secret,
        sees=ORGS,
        changes=ORGS,
    ),
    ("api:event-bundle", "GET", "draft"): Row(
        lambda w: f"{API}/events/matrix-draft/bundle/", R(UNAUTH, 404, 404, 404, 404, 200, 200), changes=ORGS
    ),
    ("api:event-import", "POST"): Row(
        lambda w: f"{API}/events/import/",
        R(UNAUTH, 403, 403, 403, 201, 201, 201),
        data=lambda w: {"file": _bundle_file(), "slug": "imported", "shift_days": 7},
        fmt="multipart",
    ),
    ("api:event-detail", "GET"): Row(
        lambda w: f"{API}/events/matrix/", ALL(200), secret=lambda w: w.event.invite_token, sees=ORGS
    ),
    ("api:event-detail", "GET", "draft"): Row(
        lambda w: f"{API}/events/matrix-draft/", R(404, 404, 404, 404, 404, 200, 200)
    ),
    ("api:event-detail", "GET", "invite-only"): Row(
        lambda w: f"{API}/events/matrix-invite/", R(404, 200, 404, 404, 404, 200, 200, a2=404)
    ),
    ("api:event-detail", "GET", "invite-link"): Row(
        lambda w: f"{API}/events/matrix-invite/?invite={w.invite_only.invite_token}", ALL(200)
    ),
    ("api:event-detail", "PATCH"): Row(
        lambda w: f"{API}/events/matrix/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"description": "Changed."},
    ),
    ("api:event-detail", "DELETE"): Row(
        lambda w: f"{API}/events/matrix-draft/", R(UNAUTH, 404, 404, 404, 404, 204, 204)
    ),
    ("api:event-detail", "DELETE", "published"): Row(
        lambda w: f"{API}/events/matrix/",
        R(UNAUTH, 403, 403, 403, 403, 409, 409),  # event_not_draft
    ),
    ("api:event-register", "POST"): Row(
        lambda w: f"{API}/events/matrix/register/",
        R(UNAUTH, 200, 200, 403, 201, 403, 201),
        data=lambda w: {"accept_terms": True},
    ),
    ("api:event-teams", "GET"): Row(
        lambda w: f"{API}/events/matrix/teams/",
        ALL(200),
        secret=lambda w: w.team_a.join_code,
        sees=who("a", "a2", "org", "staff"),
    ),
    ("api:event-teams", "POST"): Row(
        lambda w: f"{API}/events/matrix/teams/",
        R(UNAUTH, 400, 400, 403, 403, 403, 403),  # a, b: already in a team; the others: not registered
        data=lambda w: {"name": "Gamma", "country": "PE"},
    ),
    ("api:event-terms", "GET"): Row(lambda w: f"{API}/events/matrix/terms/", ALL(200)),
    ("api:event-terms", "POST"): Row(
        lambda w: f"{API}/events/matrix/terms/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"text": "Version two of the agreement."},
    ),
    ("api:event-judges", "GET"): Row(lambda w: f"{API}/events/matrix/judges/", R(UNAUTH, 403, 403, 200, 403, 200, 200)),
    ("api:event-judges", "POST"): Row(
        lambda w: f"{API}/events/matrix/judges/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"username": w.bystander.username},
    ),
    ("api:event-judges", "POST", "participant"): Row(
        lambda w: f"{API}/events/matrix/judges/",
        R(UNAUTH, 403, 403, 403, 403, 400, 400),  # participant_cannot_have_role
        data=lambda w: {"username": "m-b"},
    ),
    ("api:event-organizers", "GET"): Row(
        lambda w: f"{API}/events/matrix/organizers/", R(UNAUTH, 403, 403, 200, 403, 200, 200)
    ),
    ("api:event-organizers", "POST"): Row(
        lambda w: f"{API}/events/matrix/organizers/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"username": w.bystander.username},
    ),
    ("api:event-organizers", "POST", "participant"): Row(
        lambda w: f"{API}/events/matrix/organizers/",
        R(UNAUTH, 403, 403, 403, 403, 400, 400),  # participant_cannot_have_role
        data=lambda w: {"username": "m-b"},
    ),
    ("api:team-detail", "GET"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/",
        ALL(200),
        secret=lambda w: w.team_a.join_code,
        sees=who("a", "a2", "org", "staff"),
    ),
    ("api:team-detail", "PATCH"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/",
        R(UNAUTH, 200, 403, 403, 403, 200, 200, a2=403),
        data=lambda w: {"name": "Renamed"},
    ),
    ("api:team-join", "POST"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/join/",
        R(UNAUTH, 400, 400, 403, 403, 403, 403),
        data=lambda w: {"join_code": w.team_a.join_code},
    ),
    ("api:team-leave", "POST"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/leave/", R(UNAUTH, 204, 400, 400, 400, 400, 400)
    ),
    ("api:event-webhooks", "GET"): Row(
        lambda w: f"{API}/events/matrix/webhooks/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        secret=lambda w: w.webhook.secret,
        sees=who(),  # never listed, not even to the organizers
    ),
    ("api:event-webhooks", "POST"): Row(
        lambda w: f"{API}/events/matrix/webhooks/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"url": "https://93.184.216.34/new", "event_types": ["results.published"]},
    ),
    ("api:webhook-detail", "DELETE"): Row(
        lambda w: f"{API}/webhooks/{w.webhook.pk}/", R(UNAUTH, 404, 404, 404, 404, 204, 204)
    ),
    ("api:webhook-deliveries", "GET"): Row(
        lambda w: f"{API}/webhooks/{w.webhook.pk}/deliveries/", R(UNAUTH, 404, 404, 404, 404, 200, 200)
    ),
    ("api:webhook-ping", "POST"): Row(
        lambda w: f"{API}/webhooks/{w.webhook.pk}/ping/", R(UNAUTH, 404, 404, 404, 404, 202, 202)
    ),
    ("api:team-membership-me", "DELETE"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/members/me/", R(UNAUTH, 204, 400, 400, 400, 400, 400)
    ),
    ("api:team-join-code", "POST"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/join-code/",
        R(UNAUTH, 200, 403, 403, 403, 403, 403, a2=403),  # the captain only
    ),
    ("api:team-captain", "POST"): Row(
        lambda w: f"{API}/teams/{w.team_a.pk}/captain/",
        R(UNAUTH, 200, 403, 403, 403, 200, 200, a2=403),
        data=lambda w: {"username": "m-a2"},
    ),
    ("api:challenge-list", "GET"): Row(lambda w: f"{API}/challenges/", ALL(200)),
    ("api:challenge-list", "POST"): Row(
        lambda w: f"{API}/challenges/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"event": "matrix", "kind": "judged", "title": "Essay"},
    ),
    ("api:challenge-detail", "GET"): Row(lambda w: f"{API}/challenges/{w.challenge.pk}/", ALL(200)),
    ("api:challenge-detail", "PATCH"): Row(
        lambda w: f"{API}/challenges/{w.challenge.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"title": "Renamed"},
    ),
    ("api:challenge-detail", "DELETE"): Row(
        lambda w: f"{API}/challenges/{w.challenge.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 409, 409),  # has submissions
    ),
    ("api:challenge-detail", "DELETE", "judged"): Row(
        lambda w: f"{API}/challenges/{w.judged.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 409, 409),  # has entries
    ),
    ("api:challenge-upload-dataset", "POST"): Row(
        lambda w: f"{API}/challenges/{w.challenge.pk}/dataset/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: w.dataset_files(),
        fmt="multipart",
    ),
    ("api:phase-list", "GET"): Row(lambda w: f"{API}/phases/", ALL(200)),
    ("api:phase-list", "POST"): Row(
        lambda w: f"{API}/phases/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {
            "challenge": w.challenge.pk,
            "name": "Extra",
            "opens_at": "2030-01-01T00:00:00Z",
            "closes_at": "2030-01-02T00:00:00Z",
        },
    ),
    ("api:phase-detail", "GET"): Row(lambda w: f"{API}/phases/{w.phase.pk}/", ALL(200)),
    ("api:phase-detail", "PATCH"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"name": "Renamed"},
    ),
    ("api:phase-detail", "PATCH", "publish"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"results_published": True},
    ),
    ("api:phase-dataset", "GET"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/dataset/", R(403, 200, 200, 200, 403, 200, 200)
    ),
    ("api:phase-dataset", "GET", "upcoming"): Row(
        lambda w: f"{API}/phases/{w.upcoming.pk}/dataset/", R(403, 403, 403, 200, 403, 200, 200)
    ),
    ("api:phase-submissions", "GET"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/submissions/",
        R(UNAUTH, 200, 200, 200, 200, 200, 200),
        secret=PRIVATE_SCORE,  # a sees the team's submission, without its private score
    ),
    ("api:phase-submissions", "POST"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/submissions/",
        R(UNAUTH, 201, 201, 403, 403, 403, 403),
        data=lambda w: {"file": w.upload()},
        fmt="multipart",
    ),
    ("api:phase-leaderboard", "GET"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/leaderboard/", ALL(200), secret=PRIVATE_SCORE
    ),
    ("api:phase-leaderboard", "GET", "private"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/leaderboard/?split=private", R(403, 403, 403, 403, 403, 200, 200)
    ),
    ("api:phase-leaderboard", "GET", "hidden"): Row(
        lambda w: f"{API}/phases/{w.upcoming.pk}/leaderboard/", R(403, 403, 403, 403, 403, 200, 200)
    ),
    ("api:phase-all-submissions", "GET"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/all-submissions/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        secret=PRIVATE_SCORE,
        sees=ORGS,
    ),
    ("api:phase-submissions-archive", "GET"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/all-submissions/archive/", R(UNAUTH, 403, 403, 403, 403, 200, 200)
    ),
    ("api:phase-rescore", "POST"): Row(
        lambda w: f"{API}/phases/{w.phase.pk}/rescore/", R(UNAUTH, 403, 403, 403, 403, 200, 200)
    ),
    ("api:submission-detail", "GET"): Row(
        lambda w: f"{API}/submissions/{w.submission.pk}/",
        R(UNAUTH, 200, 404, 404, 404, 200, 200),
        secret=PRIVATE_SCORE,
        sees=ORGS,
    ),
    ("api:submission-file", "GET"): Row(
        lambda w: f"{API}/submissions/{w.submission.pk}/file/", R(UNAUTH, 200, 404, 404, 404, 200, 200)
    ),
    ("api:submission-cancel", "POST"): Row(
        lambda w: f"{API}/submissions/{w.submission.pk}/cancel/", R(UNAUTH, 403, 404, 404, 404, 200, 200)
    ),
    ("api:submission-rescore", "POST"): Row(
        lambda w: f"{API}/submissions/{w.submission.pk}/rescore/", R(UNAUTH, 403, 404, 404, 404, 200, 200)
    ),
    ("api:submission-final", "POST"): Row(
        lambda w: f"{API}/submissions/{w.submission.pk}/final/", R(UNAUTH, 200, 404, 404, 404, 403, 403)
    ),
    # Judging
    ("api:event-entries", "GET"): Row(
        lambda w: f"{API}/events/matrix/entries/",
        ALL(200),
        secret=lambda w: "Alpha's matrix tool",
        sees=who("a", "a2", "judge", "org", "staff"),
    ),
    ("api:event-entries", "POST"): Row(
        lambda w: f"{API}/events/matrix/entries/",
        R(UNAUTH, 409, 409, 403, 403, 403, 403),  # a, b: their team has one; staff and organizers write none
        data=lambda w: {"challenge": w.judged.pk, "title": "Another"},
    ),
    ("api:entry-detail", "GET"): Row(lambda w: f"{API}/entries/{w.entry_a.pk}/", R(404, 200, 404, 200, 404, 200, 200)),
    ("api:entry-detail", "PATCH"): Row(
        lambda w: f"{API}/entries/{w.entry_a.pk}/",
        R(UNAUTH, 200, 404, 403, 404, 403, 403),
        data=lambda w: {"title": "Renamed"},
    ),
    ("api:entry-scorecards", "GET"): Row(
        lambda w: f"{API}/entries/{w.entry_a.pk}/scorecards/",
        R(UNAUTH, 403, 403, 200, 403, 200, 200),
        secret=lambda w: "matrix-judge-comment",
        sees=who("judge", "org", "staff"),
    ),
    ("api:entry-scorecards", "POST"): Row(
        lambda w: f"{API}/entries/{w.entry_b.pk}/scorecards/",
        R(UNAUTH, 403, 403, 201, 403, 403, 403),  # the assigned judge only
        data=lambda w: {"scores": {str(c.pk): 4 for c in Criterion.objects.filter(event=w.event)}},
    ),
    ("api:entry-scorecards", "PUT"): Row(
        lambda w: f"{API}/entries/{w.entry_a.pk}/scorecards/",
        R(UNAUTH, 403, 403, 200, 403, 403, 403),
        data=lambda w: {"scores": {str(c.pk): 5 for c in Criterion.objects.filter(event=w.event)}},
    ),
    ("api:event-criteria", "GET"): Row(lambda w: f"{API}/events/matrix/criteria/", ALL(200)),
    ("api:event-criteria", "POST"): Row(
        lambda w: f"{API}/events/matrix/criteria/",
        R(UNAUTH, 403, 403, 403, 403, 400, 400),  # org, staff: the judge has scored, so the rubric is frozen
        data=lambda w: {"name": "Novelty"},
    ),
    ("api:criterion-detail", "PATCH"): Row(
        lambda w: f"{API}/criteria/{w.criterion.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"description": "Clearer words."},
    ),
    ("api:criterion-detail", "DELETE"): Row(
        lambda w: f"{API}/criteria/{w.criterion.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 400, 400),  # org, staff: the judge has scored, so the rubric is frozen
    ),
    ("api:event-prizes", "GET"): Row(lambda w: f"{API}/events/matrix/prizes/", ALL(200)),
    ("api:event-prizes", "POST"): Row(
        lambda w: f"{API}/events/matrix/prizes/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"name": "Audience prize"},
    ),
    ("api:prize-detail", "PATCH"): Row(
        lambda w: f"{API}/prizes/{w.prize.pk}/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"winner": None},
    ),
    ("api:prize-detail", "DELETE"): Row(
        lambda w: f"{API}/prizes/{w.prize.pk}/", R(UNAUTH, 403, 403, 403, 403, 204, 204)
    ),
    ("api:event-conflicts", "GET"): Row(
        lambda w: f"{API}/events/matrix/conflicts/", R(UNAUTH, 403, 403, 200, 403, 200, 200)
    ),
    ("api:event-conflicts", "POST"): Row(
        lambda w: f"{API}/events/matrix/conflicts/",
        R(UNAUTH, 403, 403, 201, 403, 403, 403),  # judges declare their own
        data=lambda w: {"country": "FR"},
    ),
    ("api:event-assignments", "GET"): Row(
        lambda w: f"{API}/events/matrix/assignments/", R(UNAUTH, 403, 403, 200, 403, 200, 200)
    ),
    ("api:event-assignments", "POST"): Row(
        lambda w: f"{API}/events/matrix/assignments/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"judges_per_entry": 1, "seed": 2, "keep_existing": False},
    ),
    ("api:judging-settings", "GET"): Row(lambda w: f"{API}/events/matrix/judging/", ALL(200)),
    ("api:judging-settings", "PATCH"): Row(
        lambda w: f"{API}/events/matrix/judging/",
        R(UNAUTH, 403, 403, 403, 403, 200, 200),
        data=lambda w: {"anonymous": True, "published": True},
    ),
    ("api:judging-results", "GET"): Row(
        lambda w: f"{API}/events/matrix/judging/results/", R(403, 403, 403, 403, 403, 200, 200)
    ),
    # Notifications: each caller's own
    ("api:notifications", "GET"): Row(
        lambda w: f"{API}/notifications/",
        R(UNAUTH, 200, 200, 200, 200, 200, 200),
        secret=lambda w: "Your submission to Hotspots was scored",
        sees=who("a"),
    ),
    ("api:notifications-read-all", "POST"): Row(
        lambda w: f"{API}/notifications/read-all/",
        R(UNAUTH, 200, 200, 200, 200, 200, 200),
        changes=who("a", "b"),  # b has m-d's join request
    ),
    ("api:notification-read", "POST"): Row(
        lambda w: f"{API}/notifications/{w.notification.pk}/read/", R(UNAUTH, 200, 404, 404, 404, 404, 404, a2=404)
    ),
    # Announcements: organizers write and see all; people of the event see those sent to them
    ("api:event-announcements", "GET"): Row(
        lambda w: f"{API}/events/matrix/announcements/",
        R(UNAUTH, 200, 200, 200, 403, 200, 200),
        secret=lambda w: "Dataset v2.",
        sees=ORGS,
    ),
    ("api:event-announcements", "POST"): Row(
        lambda w: f"{API}/events/matrix/announcements/",
        R(UNAUTH, 403, 403, 403, 403, 201, 201),
        data=lambda w: {"title": "Hello", "body": "Welcome", "audience": "everyone", "send_at": None},
    ),
    ("api:announcement-detail", "PATCH"): Row(
        lambda w: f"{API}/announcements/{w.announcement.pk}/",
        R(UNAUTH, 404, 404, 404, 404, 200, 200),
        data=lambda w: {"title": "Renamed"},
    ),
    ("api:announcement-detail", "DELETE"): Row(
        lambda w: f"{API}/announcements/{w.announcement.pk}/", R(UNAUTH, 404, 404, 404, 404, 204, 204)
    ),
    # The team board: E's registered participants (and organizers, who moderate it)
    ("api:event-board", "GET"): Row(
        lambda w: f"{API}/events/matrix/board/",
        R(UNAUTH, 200, 200, 403, 403, 200, 200),
        secret=lambda w: "Board pitch of m-d",
        sees=who("a", "a2", "b", "org", "staff"),
    ),
    ("api:event-board-me", "GET"): Row(
        lambda w: f"{API}/events/matrix/board/me/", R(UNAUTH, 404, 404, 404, 404, 404, 404)
    ),
    ("api:event-board-me", "PUT"): Row(
        lambda w: f"{API}/events/matrix/board/me/",
        R(UNAUTH, 200, 200, 403, 403, 403, 403),
        data=lambda w: {"pitch": "Hello", "skills": ["GIS"]},
    ),
    ("api:event-board-me", "DELETE"): Row(
        lambda w: f"{API}/events/matrix/board/me/", R(UNAUTH, 204, 204, 204, 204, 204, 204), changes=who()
    ),
    ("api:event-join-requests", "POST"): Row(
        lambda w: f"{API}/events/matrix/join-requests/",
        R(UNAUTH, 400, 400, 403, 403, 403, 403),  # a, a2, b: already in a team; the others are not registered
        data=lambda w: {"team": w.team_a.pk},
    ),
    ("api:join-request-accept", "POST"): Row(
        lambda w: f"{API}/join-requests/{w.join_request.pk}/accept/",
        R(UNAUTH, 404, 200, 404, 404, 404, 404, a2=404),  # b, captain of B, answers m-d's request
    ),
    ("api:join-request-decline", "POST"): Row(
        lambda w: f"{API}/join-requests/{w.join_request.pk}/decline/", R(UNAUTH, 404, 200, 404, 404, 404, 404, a2=404)
    ),
}

# Routes with no row, and why.
NOT_IN_MATRIX = {
    "admin:",  # Django's admin: its own is_staff checks, tested by Django
    "admin/",  # ... and its unnamed redirects
    "^media/",  # public uploads (banners, logos) served by runserver when DEBUG is on; never private files
    "set_language",  # i18n: sets a cookie, no object behind it
    "javascript-catalog",  # i18n: the same translated strings for everyone
    "api:schema",  # the OpenAPI document: public by design
    "api:docs",  # Swagger UI over the schema
    "api:redoc",  # ReDoc over the schema
}


def _allowed(name: str | None, route: str) -> bool:
    """In NOT_IN_MATRIX by name, by namespace ("admin:") or, for unnamed routes, by route prefix ("admin/")."""
    for entry in NOT_IN_MATRIX:
        if entry.endswith(":") and name and name.startswith(entry):
            return True
        if entry.endswith("/") and route.startswith(entry):
            return True
        if name == entry:
            return True
    return False


# The world --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _matrix_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    storages = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "private"), "base_url": "/no-public-url/"},
        },
    }
    with override_settings(MEDIA_ROOT=str(root / "media"), PRIVATE_ROOT=str(root / "private"), STORAGES=storages):
        yield


@pytest.fixture
def _isolated_files():
    """Overrides the suite's per-test folders: the module's world keeps its files for every cell."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _matrix_files):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Leaderboard pages and throttles live in the cache: each cell starts from an empty one."""
    cache.clear()
    yield
    cache.clear()


def _cells(table: dict[tuple, Row]):
    for key, row in table.items():
        name, method, *variant = key
        for role in ROLES:
            marks = [pytest.mark.xfail(strict=True, reason=row.xfail[role])] if role in row.xfail else []
            label = "-".join([name, method, *variant, role])
            yield pytest.param(key, role, id=label, marks=marks)


def _check_says_why(response, body: str) -> None:
    """Every refusal says why: {"detail": ...} in the API, a page with the reason on the site."""
    if response.get("Content-Type", "").startswith("application/json"):
        assert response.json().get("detail"), f"a refusal without a reason: {body[:300]}"
    else:
        assert "<h1>403 Forbidden</h1>" not in body, "Django's bare 403 page, without the reason"


def _check(world: World, row: Row, role: str, response, before) -> None:
    expected = row.expect[role]
    body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
    assert response.status_code == expected, f"{role}: {response.status_code} instead of {expected}: {body[:300]}"
    if 400 <= response.status_code < 500:
        _check_says_why(response, body)
    if not row.may_change(role):
        changed = changed_tables(before, snapshot())
        assert not changed, f"{role} got {response.status_code} but changed {changed}"
    if row.secret is not None and response.status_code == 200:
        secret = row.secret(world)
        if role in row.sees:
            assert _shows(body, secret), f"{role} should see it"
        else:
            assert not _shows(body, secret), f"{role} must not see it"


def _shows(body: str, secret: str) -> bool:
    """Whether `secret` is in `body`; a number only counts as a whole number, so a timestamp
    such as 20:38:30.751842 does not 'contain' the score 0.75."""
    if re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", secret):
        return re.search(rf"(?<![\d.]){re.escape(secret)}(?![\d])", body) is not None
    return secret in body


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), list(_cells(PAGES)))
def test_page_answers_each_role_as_the_matrix_says(world, key, role):
    row = PAGES[key]
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    before = snapshot()
    method = key[1].lower()
    response = getattr(client, method)(row.url(world), row.data(world) if row.data else None)
    _check(world, row, role, response, before)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), list(_cells(APIS)))
def test_api_answers_each_role_as_the_matrix_says(world, key, role):
    row = APIS[key]
    client = APIClient()
    if world.users[role] is not None:
        client.force_authenticate(world.users[role])
    before = snapshot()
    method = key[1].lower()
    data = row.data(world) if row.data else None
    response = getattr(client, method)(row.url(world), data, format=row.fmt if data is not None else None)
    _check(world, row, role, response, before)


# The guard --------------------------------------------------------------------------------------


def test_every_route_has_a_row_in_the_matrix():
    """A new page or API operation must say who may use it: add its row to PAGES or APIS."""
    covered = {key[0] for key in (*PAGES, *APIS)}
    missing = sorted(
        name or route
        for name, route, _callback in walk_patterns()
        if not _allowed(name, route) and (name is None or name not in covered)
    )
    assert missing == [], f"routes without a row in the permission matrix: {missing}"


def test_every_method_of_every_api_route_has_a_row():
    """Each method an API view answers (read from the view) has its row, and no row names a method it lacks."""
    rows = {(key[0], key[1]) for key in APIS}
    discovered = {
        (name, method)
        for name, _route, callback in walk_patterns()
        if name and name.startswith("api:") and not _allowed(name, "")
        for method in api_methods(callback)
    }
    assert sorted(discovered - rows) == [], "API methods without a row"
    assert sorted(rows - discovered) == [], "rows for methods the API does not answer"


def test_every_row_names_a_route_that_exists():
    names = {name for name, _route, _callback in walk_patterns() if name}
    assert sorted({key[0] for key in (*PAGES, *APIS)} - names) == []


def _api_routes_with_other_methods():
    answered = {
        name: api_methods(callback) for name, _route, callback in walk_patterns() if name in {k[0] for k in APIS}
    }
    for name, methods in sorted(answered.items()):
        others = sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - methods)
        if others:
            yield pytest.param(name, others, id=name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "methods"), list(_api_routes_with_other_methods()))
def test_api_methods_a_route_does_not_answer_are_refused_and_change_nothing(world, name, methods):
    """PUT and DELETE (and any method without a row) answer 405, even to the event's organizer."""
    row = next(row for key, row in APIS.items() if key[0] == name)
    client = APIClient()
    client.force_authenticate(world.users["org"])
    before = snapshot()
    for method in methods:
        response = getattr(client, method.lower())(row.url(world), {}, format="json")
        assert response.status_code == 405, f"{method}: {response.status_code}"
    assert changed_tables(before, snapshot()) == []


POST_ONLY_PAGES = sorted({k[0] for k in PAGES if k[1] == "POST"} - {k[0] for k in PAGES if k[1] == "GET"})


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_ONLY_PAGES)
def test_page_actions_refuse_a_get_and_change_nothing(world, name):
    """A link (GET) never acts: the site's actions answer 405 unless posted."""
    row = next(row for key, row in PAGES.items() if key[0] == name)
    client = Client()
    client.force_login(world.users["org"])
    before = snapshot()
    assert client.get(row.url(world)).status_code == 405
    assert changed_tables(before, snapshot()) == []
