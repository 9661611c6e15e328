"""The production shape holds slow clients: Debian's nginx with the site of deploy/nginx/ in front of gunicorn
(started from the project root, so with gunicorn.conf.py), on loopback, on the test database.

20 clients trickle their uploads through the proxy, starting before the deadline and finishing well after it,
while /healthz/ keeps answering through the same proxy in under 200 ms (95th percentile); every upload that began before the
deadline is accepted with its arrival time (the proxy's X-Request-Start), and one that begins after it is
refused even when it forges that header. The suite trickles for 20 s (HACKPLATFORM_TRICKLE_SECONDS);
bench/slow_clients.py runs the same test for 90 s and prints the figures.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import secrets
import socket
import statistics
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken

from challenges.models import Phase
from submissions.models import Submission
from submissions.uploads import MULTIPART_SLACK
from tests.services import ROOT, django_database_url, gunicorn_server, nginx_server, render_nginx_site
from tests.submissions.factories import open_phase, team_in

CLIENTS = 20
TRICKLE_SECONDS = float(os.environ.get("HACKPLATFORM_TRICKLE_SECONDS", "20"))
HEALTHZ_LIMIT = 0.2


def compose() -> str:
    return (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def directive(text: str, name: str) -> str:
    return re.search(rf"^\s*{name}\s+([^;]+);", text, re.M).group(1)


# The configuration itself (no server needed) --------------------------------------------------------------


def test_the_compose_proxy_takes_the_largest_upload_the_site_takes_and_fills_every_template_value():
    text = compose()
    values = dict(re.findall(r"^\s+(HACKPLATFORM_\w+):\s*\"?([^\"\n]+)\"?$", text, re.M))
    site = render_nginx_site(values)  # raises if compose leaves a value out
    largest = max(
        settings.SUBMISSION_MAX_UPLOAD_BYTES, settings.DATASET_MAX_UPLOAD_BYTES, settings.IMAGE_MAX_UPLOAD_BYTES
    )
    assert nginx_size(directive(site, "client_max_body_size")) >= largest + MULTIPART_SLACK
    assert "./deploy/nginx/default.conf.template:/etc/nginx/templates/default.conf.template" in text


def test_the_proxy_buffers_bodies_stamps_arrival_and_its_timeouts_fit_the_upload_allowance():
    site = render_nginx_site(
        dict.fromkeys(
            (
                "HACKPLATFORM_LISTEN",
                "HACKPLATFORM_UPSTREAM",
                "HACKPLATFORM_MAX_BODY_SIZE",
                "HACKPLATFORM_STATIC_ROOT",
                "HACKPLATFORM_MEDIA_ROOT",
            ),
            "x",
        )
    )
    assert directive(site, "proxy_request_buffering") == "on"
    assert directive(site, "proxy_set_header X-Request-Start") == "$request_start"
    # Taken in the server block (rewrite phase, before the body), not evaluated after buffering.
    assert re.search(r'^    set \$request_start "t=\$\{msec\}";', site, re.M)
    seconds = {name: int(directive(site, name).rstrip("s")) for name in ("client_body_timeout", "proxy_read_timeout")}
    assert seconds["client_body_timeout"] < settings.SUBMISSION_UPLOAD_ALLOWANCE_SECONDS
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert seconds["proxy_read_timeout"] > gunicorn["timeout"]


def test_gunicorn_started_from_the_project_root_gets_threaded_workers():
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    # gthread, noting when each request was handed to a thread (see the test of gunicorn alone below).
    assert gunicorn["worker_class"] == "hackplatform.gunicorn_worker.ArrivalThreadWorker"
    assert gunicorn["threads"] >= 4
    starts = [line for line in compose().splitlines() if "gunicorn hackplatform.wsgi" in line]
    starts += [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")]
    assert len(starts) == 2
    for line in starts:  # the settings come from gunicorn.conf.py alone
        assert "--timeout" not in line and "--workers" not in line and "--worker-class" not in line


# The real thing --------------------------------------------------------------------------------------------


def multipart(field_file: bytes, boundary: str) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="predictions.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + field_file
        + f"\r\n--{boundary}--\r\n".encode()
    )


def read_response(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body[:300].decode(errors="replace")}


def trickle_upload(port: int, phase_id: int, token: str, *, seconds: float, extra_headers: str = "") -> dict:
    """POST a multipart upload whose body is sent in small pieces over `seconds`; return what happened."""
    boundary = secrets.token_hex(12)
    rows = "".join(f"r{i:06d},{i / 4000:.6f}\n" for i in range(4000))
    body = multipart(("record_id,score\n" + rows).encode(), boundary)
    head = (
        f"POST /api/v1/phases/{phase_id}/submissions/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n{extra_headers}Connection: close\r\n\r\n"
    )
    pieces = max(1, int(seconds / 0.1))
    size = -(-len(body) // pieces)
    started = datetime.now(UTC)
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head.encode())
        begin = time.monotonic()
        for n, offset in enumerate(range(0, len(body), size)):
            sock.sendall(body[offset : offset + size])
            time.sleep(max(0.0, begin + (n + 1) * seconds / pieces - time.monotonic()))
        sent = datetime.now(UTC)
        status, answer = read_response(sock)
    return {"started": started, "sent": sent, "answered": datetime.now(UTC), "status": status, "body": answer}


def probe_healthz(port: int, stop: threading.Event, latencies: list[float], failures: list[str]) -> None:
    while not stop.is_set():
        began = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as response:
                response.read()
                if response.status != 200:
                    failures.append(f"status {response.status}")
        except OSError as exc:
            failures.append(repr(exc))
        latencies.append(time.monotonic() - began)
        stop.wait(0.1)


@pytest.fixture
def site_env(tmp_path):
    broker = tmp_path / "broker"
    for sub in ("queue", "processed", "control", "results"):
        (broker / sub).mkdir(parents=True)
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": django_database_url(),
        "PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "BROKER_DIR": str(broker),
        "TRUSTED_PROXY_COUNT": "1",
        "GUNICORN_ACCESS_LOG": "-",
    }


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_slow_uploads_through_nginx_neither_starve_the_site_nor_lose_their_arrival_time(tmp_path, site_env):
    lead = 4.0  # every client has started by this long before the deadline
    phase = open_phase(opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(hours=1))
    tokens = [AuthToken.objects.create(user=team_in(phase).captain)[1] for _ in range(CLIENTS + 1)]
    static_root, media_root = tmp_path / "static", tmp_path / "media"
    static_root.mkdir()
    (static_root / "probe.css").write_text("body{}")
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nprobe")
    log = tmp_path / "gunicorn.log"

    with (
        gunicorn_server(site_env, log=log) as web_port,
        nginx_server(
            tmp_path / "nginx", upstream_port=web_port, static_root=static_root, media_root=media_root
        ) as port,
    ):
        assert "Using worker: hackplatform.gunicorn_worker.ArrivalThreadWorker" in log.read_text()
        for path, expected in (("/static/probe.css", b"body{}"), ("/media/logo.png", b"\x89PNG")):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                assert response.read().startswith(expected)
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                if path.startswith("/media/"):  # uploaded files never run as pages of the site
                    assert "sandbox" in response.headers["Content-Security-Policy"]
        for _ in range(10):  # warm both workers up
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5).read()

        deadline = timezone.now() + timedelta(seconds=lead)
        Phase.objects.filter(pk=phase.pk).update(closes_at=deadline)
        latencies: list[float] = []
        failures: list[str] = []
        stop = threading.Event()
        prober = threading.Thread(target=probe_healthz, args=(port, stop, latencies, failures))
        results: list[dict] = [{} for _ in range(CLIENTS)]

        def client(i: int) -> None:
            try:
                results[i] = trickle_upload(port, phase.pk, tokens[i], seconds=TRICKLE_SECONDS)
            except Exception as exc:  # reported below with the others
                results[i] = {"error": repr(exc)}

        clients = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        prober.start()
        for thread in clients:
            thread.start()
            time.sleep(lead / CLIENTS * 0.8)  # bodies finish spread out, as real uploads do
        time.sleep(max(0.0, (deadline - timezone.now()).total_seconds() + 0.5))
        # After the deadline, with a forged arrival time: the proxy overwrites it, the upload is refused.
        forged = f"X-Request-Start: t={(deadline - timedelta(minutes=5)).timestamp():.3f}\r\n"
        late = trickle_upload(port, phase.pk, tokens[CLIENTS], seconds=0.2, extra_headers=forged)
        for thread in clients:
            thread.join(timeout=TRICKLE_SECONDS + 120)
        stop.set()
        prober.join()

    assert not [r for r in results if "error" in r], results
    assert all(r["started"] < deadline for r in results)
    assert all(r["sent"] > deadline for r in results), "every body must finish after the deadline"
    assert [r["status"] for r in results] == [201] * CLIENTS, [r["body"] for r in results if r["status"] != 201]
    received = Submission.objects.filter(pk__in=[r["body"]["id"] for r in results]).values_list(
        "received_at", flat=True
    )
    assert len(received) == CLIENTS and all(at < deadline for at in received)
    assert late["status"] == 403 and late["body"]["code"] == "phase_closed", late
    assert not failures, failures[:5]
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"\n{CLIENTS} slow uploads over {TRICKLE_SECONDS:.0f} s through nginx: {CLIENTS} accepted; /healthz/ probed "
        f"{len(ordered)} times: p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms"
    )
    assert len(ordered) >= TRICKLE_SECONDS * 3
    # Every probe answered 200 within its 5 s time-out (`failures` above). On this shared 2-core machine a
    # single probe now and then stalls for a second inside gunicorn while other suites hold the CPU, even
    # before any upload reaches it, so the bound is on the 95th percentile; the maximum is printed.
    assert p95 < HEALTHZ_LIMIT, f"/healthz/ p95 took {p95:.3f} s"


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_alone_keeps_the_arrival_time_of_an_upload_that_waited_for_a_free_thread(tmp_path, site_env):
    """One worker with one thread, held by a slow upload across the deadline: an upload that reached gunicorn
    before the deadline waits in the worker's queue until after it, and is still accepted (its arrival is
    when gunicorn got it, not when a thread was free); one that reaches gunicorn after the deadline is not."""
    phase = open_phase(opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(hours=1))
    tokens = [AuthToken.objects.create(user=team_in(phase).captain)[1] for _ in range(3)]
    env = {**site_env, "TRUSTED_PROXY_COUNT": "0", "GUNICORN_THREADS": "1"}
    with gunicorn_server(env, log=tmp_path / "gunicorn.log", workers=1) as port:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5).read()
        deadline = timezone.now() + timedelta(seconds=3)
        Phase.objects.filter(pk=phase.pk).update(closes_at=deadline)
        results: dict[str, dict] = {}
        # Holds the only thread from now until 4 s after the deadline (started in time itself).
        holder = threading.Thread(
            target=lambda: results.setdefault("holder", trickle_upload(port, phase.pk, tokens[0], seconds=7))
        )
        holder.start()
        time.sleep(1)
        queued = threading.Thread(
            target=lambda: results.setdefault("queued", trickle_upload(port, phase.pk, tokens[1], seconds=0))
        )
        queued.start()  # 2 s before the deadline; served after it
        time.sleep(max(0.0, (deadline - timezone.now()).total_seconds()) + 1)
        late = trickle_upload(port, phase.pk, tokens[2], seconds=0)  # 1 s after the deadline
        holder.join(30)
        queued.join(30)
    assert results["holder"]["status"] == 201, results["holder"]
    assert results["queued"]["status"] == 201, results["queued"]
    assert results["queued"]["answered"] > deadline + timedelta(seconds=2)  # it did wait for the thread
    assert late["status"] == 403 and late["body"]["code"] == "phase_closed"
    stored = Submission.objects.get(team__captain__auth_token_set__isnull=False, pk=results["queued"]["body"]["id"])
    assert stored.received_at < deadline


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_gunicorn_alone_does_not_wait_for_clients_that_keep_their_connection_open_after_the_answer(tmp_path, site_env):
    """gunicorn closes a `Connection: close` request in the worker's main thread, the one that accepts
    connections, and waited up to 2 s there for the client to close its side: five clients that read
    their answer and keep the socket open held every other request for 10 s (at a rush: one wait per
    upload). The worker closes at once when the request was read whole (hackplatform/gunicorn_worker.py)."""
    env = {**site_env, "TRUSTED_PROXY_COUNT": "0"}

    def ask(path: str = "/healthz/", body: bytes = b"") -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        method = "POST" if body else "GET"
        sock.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        return sock

    phase = open_phase(opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(hours=1))
    token = AuthToken.objects.create(user=team_in(phase).captain)[1]
    with gunicorn_server(env, log=tmp_path / "gunicorn.log", workers=1) as port:
        # An upload declaring 10 GB is refused before its body is read; its connection lingers (the client
        # may still be sending), in the request's thread: the answer arrives whole, and nobody waits.
        refused = socket.create_connection(("127.0.0.1", port), timeout=10)
        refused.sendall(
            f"POST /api/v1/phases/{phase.pk}/submissions/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Token {token}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {10 * 1024**3}\r\nConnection: close\r\n\r\n".encode()
            + b"x" * 65536
        )
        status, body = read_response(refused)
        assert status == 413 and body["code"] == "file_too_large", body
        started = time.monotonic()
        held = [refused]
        for _ in range(5):  # each reads its whole answer (up to the server's FIN) and does not close
            sock = ask("/api/v1/auth/token/", body=b'{"username": "nobody", "password": "wrong"}')
            status, _body = read_response(sock)
            assert status in (400, 401, 403, 429)
            held.append(sock)
        asked = time.monotonic()
        status, body = read_response(ask())
        answered = time.monotonic()
        for sock in held:
            sock.close()
    assert status == 200 and body["database"] == "ok"
    assert answered - asked < 1.0, f"/healthz/ waited {answered - asked:.1f} s behind the held connections"
    assert answered - started < 5.0, f"six requests took {answered - started:.1f} s"
