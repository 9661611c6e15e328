from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, verbosity=0)


def test_home_page_answers_with_landmarks_and_language_switcher(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for landmark in ("<header", "<nav", "<main", "<footer", 'name="language"'):
        assert landmark in html
    for code in ("en", "es", "pt", "fr"):
        assert f'value="{code}"' in html


def test_pages_reference_no_outside_host(client, db):
    for url in ("/", "/api/v1/docs/", "/accounts/login/", "/accounts/signup/"):
        html = client.get(url).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], (url, external)


def test_healthz_reports_the_database(client, db):
    assert client.get("/healthz/").json()["database"] == "ok"


def test_api_root_and_schema_answer(client, db):
    assert client.get("/api/v1/").status_code == 200
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/events/" in body["paths"]


def test_docs_are_served_from_the_site(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert "swagger-ui" in response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in response.content.decode()


def test_seed_demo_lists_the_demo_event(demo):
    response = APIClient().get("/api/v1/events/")
    assert response.status_code == 200
    assert [e["slug"] for e in response.json()["results"]] == ["demo"]


def test_seed_demo_is_idempotent(demo):
    from accounts.models import User
    from challenges.models import Challenge, Team

    call_command("seed_demo", force=True, verbosity=0)
    assert Challenge.objects.filter(event__slug="demo").count() == 4
    assert sorted(Challenge.objects.values_list("kind", flat=True)) == ["detection", "hotspot", "judged", "network"]
    teams = Team.objects.filter(event__slug="demo")
    assert teams.count() == 7
    assert len({str(t.country) for t in teams}) == 7
    assert User.objects.filter(username__in=["organizer", "judge", "alice", "bob", "carol"]).count() == 5


def test_seed_demo_refuses_with_debug_off(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)


def test_token_auth_with_demo_login(demo):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": "hackathon-demo"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/events/demo/").json()["slug"] == "demo"
    bad = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert "detail" in bad.json()


def test_language_switcher_translates_the_page(client, db):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert "Eventos" in client.get("/").content.decode()


def test_the_browsers_zone_from_the_url_encoded_cookie_is_used():
    # Regression: site.js writes the cookie URL-encoded and the middleware passed it to ZoneInfo as is,
    # so every visitor without a profile zone saw UTC.
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils import timezone

    from hackplatform.middleware import ViewerTimezoneMiddleware

    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.COOKIES["tz"] = "America%2FSao_Paulo"
    request.user = None
    ViewerTimezoneMiddleware(view)(request)
    assert seen["zone"] == "America/Sao_Paulo"


def test_emails_link_to_the_port_make_run_serves(tmp_path):
    import subprocess
    import sys

    from tests.services import ROOT

    code = "import hackplatform.settings as s; print(s.SITE_URL)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "SITE_URL"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "PORT": "8080"}, capture_output=True, text=True
    )
    assert out.stdout.strip() == "http://127.0.0.1:8080"
