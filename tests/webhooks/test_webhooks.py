"""Organizers' webhooks: a real HTTP receiver on loopback gets signed deliveries; retries with backoff;
no redirects followed; private and local addresses refused at registration and at send time; nothing
hidden (no private score before publication) in a body."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from challenges import services as challenge_services
from challenges.models import AuditLog
from submissions import services as submission_services
from tests.factories import TermsFactory, make_organizer, register
from tests.submissions.factories import SubmissionFactory, detection_csv, open_phase, scored, team_in
from webhooks import delivery, services
from webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread: records each request and answers the next planned status."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.plan.pop(0) if receiver.plan else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on loopback
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 1
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def phase():
    phase = open_phase()
    TermsFactory(event=phase.challenge.event)
    return phase


@pytest.fixture
def organizer(phase):
    return make_organizer(phase.challenge.event)


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def make_webhook(organizer, phase, url, types=("submission.scored", "submission.failed", "results.published")):
    response = as_user(organizer).post(
        f"/api/v1/events/{phase.challenge.event.slug}/webhooks/",
        {"url": url, "event_types": list(types)},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Webhook.objects.get(pk=response.json()["id"]), response.json()["secret"]


def numbers_in(value) -> set:
    """Every number anywhere in a decoded JSON document."""
    if isinstance(value, dict):
        return set().union(*(numbers_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(numbers_in(v) for v in value)) if value else set()
    if isinstance(value, bool):
        return set()
    return {value} if isinstance(value, (int, float)) else set()


def verify(secret: str, request: dict) -> dict:
    """What a receiver does (docs/api.md): recompute the HMAC over `<timestamp>.<raw body>`."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = headers["x-hackplatform-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-hackplatform-signature"], "sha256=" + expected)
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    body = json.loads(request["body"])
    assert headers["x-hackplatform-delivery"] == body["id"]
    return body


def test_a_scored_submission_reaches_the_receiver_signed_without_the_private_score(
    receiver, phase, organizer, django_capture_on_commit_callbacks
):
    webhook, secret = make_webhook(organizer, phase, receiver.url)
    assert (
        len(secret) == 64
        and "secret"
        not in as_user(organizer).get(f"/api/v1/events/{phase.challenge.event.slug}/webhooks/").json()["results"][0]
    )
    submission = SubmissionFactory(
        phase=phase, team=team_in(phase), file=ContentFile(detection_csv(perfect=False, shift=5), name="p.csv")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_services.submission_score(submission_id=submission.pk) == "scored"
    assert len(receiver.requests) == 1
    body = verify(secret, receiver.requests[0])
    assert set(body) == {"id", "type", "created_at", "event", "data"}
    assert body["type"] == "submission.scored" and body["event"] == phase.challenge.event.slug
    submission.refresh_from_db()
    sent = body["data"]["submission"]
    assert sent["id"] == submission.pk and sent["scores"] == {"public": submission.scores["public"]}
    assert "private" not in receiver.requests[0]["body"].decode()
    assert submission.private_score != submission.public_score
    # Compare numbers, not text: a timestamp like "…30.751842" contains "0.75" without leaking anything.
    only_private = ({submission.private_score} | numbers_in(submission.scores["private"])) - numbers_in(sent["scores"])
    assert submission.private_score in only_private
    assert not numbers_in(body) & only_private
    row = WebhookDelivery.objects.get(webhook=webhook)
    assert (row.status, row.attempts, row.response_status) == ("delivered", 1, 200)


def test_publishing_results_sends_results_published_and_then_private_scores_may_be_shown(
    receiver, phase, organizer, django_capture_on_commit_callbacks
):
    _webhook, secret = make_webhook(organizer, phase, receiver.url, types=("results.published",))
    submission = scored(phase, team_in(phase), 0.4, 0.6)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.phase_publish_results(phase=phase, actor=organizer, published=True)
    body = verify(secret, receiver.requests[-1])
    assert body["type"] == "results.published" and body["data"]["phase"]["id"] == phase.pk
    phase.refresh_from_db()
    submission.refresh_from_db()
    assert services.submission_data(submission)["submission"]["scores"]["private"] == submission.scores["private"]


def test_a_hidden_public_leaderboard_keeps_even_the_public_score_out_of_the_body(phase):
    phase.public_leaderboard = False
    phase.save()
    submission = scored(phase, team_in(phase), 0.4, 0.6)
    assert services.submission_data(submission)["submission"]["scores"] == {}


def test_a_500_is_retried_and_the_next_attempt_succeeds_with_the_same_delivery_id(
    receiver, phase, organizer, django_capture_on_commit_callbacks
):
    webhook, secret = make_webhook(organizer, phase, receiver.url)
    receiver.plan = [500]
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_ping(webhook=webhook, actor=organizer)  # the Celery task runs inline, retry included
    assert len(receiver.requests) == 2
    first, second = (verify(secret, r) for r in receiver.requests)
    assert first == second and first["type"] == "ping"
    row = WebhookDelivery.objects.get(webhook=webhook)
    assert (row.status, row.attempts, row.response_status, row.error) == ("delivered", 2, 200, "")


def test_retries_back_off_exponentially_and_stop_after_the_capped_attempts(receiver, phase, organizer, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    webhook, _secret = make_webhook(organizer, phase, receiver.url)
    receiver.plan = [503, 502, 500, 200]
    row = services.deliveries_create(event=phase.challenge.event, event_type="results.published", data={})[0]
    waits = [services.delivery_attempt(delivery_pk=row.pk) for _ in range(3)]
    assert waits == [1.0, 2.0, None]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_status) == ("failed", 3, 500)
    assert "HTTP 500" in row.error and len(receiver.requests) == 3
    assert services.delivery_attempt(delivery_pk=row.pk) is None and len(receiver.requests) == 3  # settled


def test_a_redirect_is_never_followed_and_fails_the_delivery(receiver, phase, organizer):
    webhook, _secret = make_webhook(organizer, phase, receiver.url)
    receiver.plan = [302]
    row = services.deliveries_create(event=phase.challenge.event, event_type="submission.failed", data={})[0]
    assert services.delivery_attempt(delivery_pk=row.pk) is None
    row.refresh_from_db()
    assert row.status == "failed" and row.response_status == 302 and "redirect" in row.error
    assert [r["path"] for r in receiver.requests] == ["/hook"]


def test_it_refuses_a_loopback_url_at_registration_saying_why(settings, phase, organizer):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:9/hook", "http://localhost/hook", "http://169.254.169.254/latest", "http://[::1]/"):
        response = as_user(organizer).post(
            f"/api/v1/events/{phase.challenge.event.slug}/webhooks/",
            {"url": url, "event_types": ["submission.scored"]},
            format="json",
        )
        assert response.status_code == 400, url
        assert response.json()["code"] == "webhook_url_refused" and "private or local" in response.json()["detail"]
    assert not Webhook.objects.exists()


def test_the_address_is_checked_again_at_send_time(receiver, phase, organizer, settings):
    webhook, _secret = make_webhook(organizer, phase, receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # e.g. the name now resolves to an inner address
    row = services.deliveries_create(event=phase.challenge.event, event_type="submission.scored", data={})[0]
    assert services.delivery_attempt(delivery_pk=row.pk) is None
    row.refresh_from_db()
    assert row.status == "failed" and row.error.startswith("refused:") and receiver.requests == []


def test_only_public_addresses_are_allowed():
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"):
        assert not delivery.address_allowed(address), address
    for address in ("::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1"):
        assert not delivery.address_allowed(address), address
    assert delivery.address_allowed("93.184.216.34") and delivery.address_allowed("2606:2800:220:1::1")


def test_only_the_events_organizers_manage_its_webhooks(phase, organizer):
    webhook = Webhook.objects.create(event=phase.challenge.event, url="https://93.184.216.34/", event_types=["ping"])
    participant = register(phase.challenge.event)
    slug = phase.challenge.event.slug
    assert as_user(participant).get(f"/api/v1/events/{slug}/webhooks/").status_code == 403
    assert as_user(participant).delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 404
    assert as_user(participant).get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").status_code == 404
    assert as_user(organizer).get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").json()["count"] == 0
    assert as_user(organizer).delete(f"/api/v1/webhooks/{webhook.pk}/").status_code == 204
    assert not Webhook.objects.exists()
    assert AuditLog.objects.filter(action="webhook_delete", event=phase.challenge.event).exists()


def test_the_pages_add_a_webhook_show_its_secret_once_ping_it_and_list_the_delivery(
    receiver, client, phase, organizer, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    url = reverse("webhooks:event_webhooks", args=[phase.challenge.event.slug])
    response = client.post(url, {"url": receiver.url, "event_types": ["submission.scored"], "is_active": "on"})
    webhook = Webhook.objects.get()
    assert response.status_code == 200 and webhook.secret in response.content.decode()
    assert webhook.secret not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhooks:webhook_ping", args=[webhook.pk]))
    verify(webhook.secret, receiver.requests[0])
    log = client.get(reverse("webhooks:webhook_detail", args=[webhook.pk])).content.decode()
    row = WebhookDelivery.objects.get()
    assert str(row.delivery_id) in log and "Delivered" in log
    api_log = as_user(organizer).get(f"/api/v1/webhooks/{webhook.pk}/deliveries/").json()["results"][0]
    assert api_log["id"] == str(row.delivery_id) and api_log["response_status"] == 200
    client.post(reverse("webhooks:webhook_delete", args=[webhook.pk]))
    assert not Webhook.objects.exists()


def test_the_sweep_sends_a_delivery_whose_message_was_lost(receiver, phase, organizer):
    webhook, secret = make_webhook(organizer, phase, receiver.url)
    # Created outside django_capture_on_commit_callbacks: its message never left, as with a broker outage.
    row = services.deliveries_create(event=phase.challenge.event, event_type="submission.scored", data={})[0]
    assert services.deliveries_sweep() == 0  # not yet: its message may still be on its way
    assert services.deliveries_sweep(now=timezone.now() + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert row.status == "delivered" and verify(secret, receiver.requests[0])["id"] == str(row.delivery_id)
