"""Content-Security-Policy on every page, and pages that need no inline script or style to work."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from submissions.models import Submission
from tests.factories import make_organizer
from tests.submissions.factories import SubmissionFactory, open_phase, team_in

pytestmark = pytest.mark.django_db


class InlineFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: inline scripts without a nonce,
    <style> elements, style="..." attributes and on*="..." handlers (SVG included)."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        data_only = names.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and "src" not in names and "nonce" not in names and not data_only:
            self.problems.append(f"inline <script> {attrs}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'style="{value}" on <{tag}>')
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.fixture
def pages(client):
    phase = open_phase()
    event = phase.challenge.event
    event.visibility = "published"
    event.save()
    team = team_in(phase)
    submission = SubmissionFactory(phase=phase, team=team, status=Submission.Status.SCORED)
    challenge = phase.challenge
    public = [
        "/",
        reverse("challenges:event_list"),
        event.get_absolute_url(),
        reverse("challenges:challenge_detail", args=[event.slug, challenge.slug]),
        reverse("submissions:phase_leaderboard", args=[phase.pk]),
        reverse("login"),
        reverse("signup"),
        "/api/v1/docs/",
    ]
    organizer = make_organizer(event)
    return {
        "public": public,
        "organizer": (organizer, [reverse("challenges:event_dashboard", args=[event.slug]), reverse("profile")]),
        "captain": (
            team.captain,
            [submission.get_absolute_url(), reverse("submissions:phase_submit", args=[phase.pk])],
        ),
    }


def all_pages(client, pages):
    for url in pages["public"]:
        yield url, client.get(url)
    for user, urls in (pages["organizer"], pages["captain"]):
        client.force_login(user)
        for url in urls:
            yield url, client.get(url)
        client.logout()


def test_every_main_page_sends_a_strict_content_security_policy(client, pages):
    for url, response in all_pages(client, pages):
        assert response.status_code == 200, url
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-inline'" not in policy["style-src"], url
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], url
        assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"], url
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff", url


def test_no_main_page_relies_on_inline_scripts_or_styles(client, pages):
    for url, response in all_pages(client, pages):
        assert inline_problems(response.content.decode()) == [], url


def test_the_api_docs_start_swagger_ui_from_a_script_file_of_the_site(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html and "?script=" in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_alone_allows_inline_styles_and_has_no_inline_script(client):
    response = client.get("/api/v1/redoc/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in directives(response["Content-Security-Policy"])["style-src"]
    assert "'unsafe-inline'" not in directives(response["Content-Security-Policy"])["script-src"]
    assert [p for p in inline_problems(response.content.decode()) if "script" in p] == []
    assert "fonts.googleapis.com" not in response.content.decode()


def test_the_finder_catches_what_the_policy_would_block():
    html = '<script>alert(1)</script><p style="color:red" onclick="x()"></p><style>p{}</style><script nonce="n">ok()</script>'
    assert len(inline_problems(html)) == 4


def test_no_template_of_the_site_has_inline_scripts_or_styles():
    from tests.services import ROOT

    found = {
        str(path.relative_to(ROOT)): problems
        for path in (ROOT / "templates").rglob("*.html")
        if (problems := inline_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_admin_works_under_the_policy(client):
    from tests.factories import ChallengeFactory, EventFactory, UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    event = EventFactory()
    ChallengeFactory(event=event)
    for url in (
        "/admin/",
        "/admin/challenges/event/",
        f"/admin/challenges/event/{event.pk}/change/",
        "/admin/challenges/challenge/add/",
        f"/admin/accounts/user/{staff.pk}/change/",
        "/admin/submissions/submission/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "default-src 'self'" in response["Content-Security-Policy"], url
        assert inline_problems(response.content.decode()) == [], url
