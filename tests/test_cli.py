"""The command-line client (`hackplatform`, hackplatform_cli.main), end to end against a live server:
login, me, events, challenges, download (checksum), submit (Idempotency-Key, followed until scored),
status, leaderboard, export and import of event bundles, `--json` everywhere, and the exit codes scripts rely on."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from click.testing import CliRunner
from django.utils import timezone

from challenges import services as challenge_services
from hackplatform_cli.main import EXIT_AUTH, EXIT_CHECKSUM, EXIT_NETWORK, EXIT_REFUSED, app
from submissions.models import Submission
from tests.factories import TeamFactory, UserFactory, event_creator, register

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    organizer = event_creator(username="cli-org", password=PASSWORD)
    event = challenge_services.event_create(creator=organizer, name="CLI cup", slug="cli-cup", visibility="published")
    challenge_services.terms_publish(event=event, actor=organizer, text="Use the data for this event only.")
    with django_capture_on_commit_callbacks(execute=True):
        challenge = challenge_services.challenge_create(
            event=event, actor=organizer, kind="detection", title="Find them", dataset_seed=3
        )
    now = timezone.now()
    phase = challenge_services.phase_create(
        challenge=challenge,
        actor=organizer,
        name="Main",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
    )
    participant = register(event, UserFactory(username="cli-pat", password=PASSWORD))
    TeamFactory(event=event, captain=participant, name="Pat's team")
    return phase


@pytest.fixture
def cli(live_server, tmp_path, monkeypatch):
    monkeypatch.setenv("HACKPLATFORM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("HACKPLATFORM_URL", live_server.url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return run


def test_a_participant_logs_in_downloads_submits_and_reads_the_leaderboard(world, cli, tmp_path):
    phase = world
    assert cli("login", "--username", "cli-pat", "--password", PASSWORD).exit_code == 0
    assert (tmp_path / "config" / "config.json").stat().st_mode & 0o077 == 0  # the token is the user's only

    me = json.loads(cli("--json", "me").output)
    assert me["username"] == "cli-pat" and me["events"][0]["team"]["name"] == "Pat's team"
    assert "cli-cup" in cli("events").output
    challenges = json.loads(cli("--json", "challenges", "--event", "cli-cup").output)
    assert challenges["results"][0]["phases"][0]["id"] == phase.pk

    downloaded = json.loads(cli("--json", "download", str(phase.pk), "-o", "data.zip").output)
    content = (tmp_path / "data.zip").read_bytes()
    assert downloaded["sha256"] == hashlib.sha256(content).hexdigest()
    (tmp_path / "predictions.csv").write_bytes(zipfile.ZipFile(io.BytesIO(content)).read("sample_submission.csv"))

    submitted = cli("--json", "submit", str(phase.pk), "predictions.csv")
    assert submitted.exit_code == 0, submitted.output
    result = json.loads(submitted.output)
    assert result["status"] == "scored", submitted.output
    assert json.loads(cli("--json", "status", str(result["id"])).output)["id"] == result["id"]
    board = json.loads(cli("--json", "leaderboard", str(phase.pk)).output)
    assert [row["team"]["name"] for row in board["results"]] == ["Pat's team"]
    assert "Pat's team" in cli("leaderboard", str(phase.pk)).output


def test_the_exit_codes_say_what_went_wrong(world, cli, monkeypatch):
    phase = world
    not_logged_in = cli("me")
    assert not_logged_in.exit_code == EXIT_AUTH
    wrong = cli("login", "--username", "cli-pat", "--password", "wrong")
    assert wrong.exit_code == EXIT_REFUSED and "Unable to log in" in wrong.output
    UserFactory(username="cli-out", password=PASSWORD)
    assert cli("login", "--username", "cli-out", "--password", PASSWORD).exit_code == 0
    refused = cli("download", str(phase.pk))  # not registered for the event
    assert refused.exit_code == EXIT_REFUSED and "403" in refused.output
    monkeypatch.setenv("HACKPLATFORM_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    assert cli("events").exit_code == EXIT_NETWORK


def test_an_organizer_exports_an_event_and_imports_it_as_next_years_edition(world, cli, tmp_path):
    from challenges.models import Event, Phase

    phase = world
    assert cli("login", "--username", "cli-org", "--password", PASSWORD).exit_code == 0
    exported = cli("--json", "export", "cli-cup", "-o", "cup.yaml")
    assert exported.exit_code == 0, exported.output
    answer = json.loads(exported.output)
    content = (tmp_path / "cup.yaml").read_bytes()
    assert answer["full"] is False and answer["sha256"] == hashlib.sha256(content).hexdigest()
    assert content.startswith(b"version: 1\n") and phase.challenge.dataset_secret.encode() not in content

    full = cli("export", "cli-cup", "--full")
    assert full.exit_code == 0 and "keep it safe" in full.output
    assert phase.challenge.dataset_secret.encode() in (tmp_path / "cli-cup-full.yaml").read_bytes()

    imported = cli(
        "--json", "import", "cup.yaml", "--slug", "cli-cup-2027", "--name", "CLI cup 2027", "--shift-days", "365"
    )
    assert imported.exit_code == 0, imported.output
    created = json.loads(imported.output)
    assert created["slug"] == "cli-cup-2027" and created["location"].endswith("/api/v1/events/cli-cup-2027/")
    assert created["my_role"] == "organizer"
    copy = Phase.objects.get(challenge__event__slug="cli-cup-2027")
    assert copy.opens_at == phase.opens_at + timedelta(days=365)
    assert "Created event cli-cup-2028" in cli("import", "cup.yaml", "--slug", "cli-cup-2028").output

    taken = cli("import", "cup.yaml", "--slug", "cli-cup-2027")
    assert taken.exit_code == EXIT_REFUSED and "already exists" in taken.output
    (tmp_path / "bad.yaml").write_bytes(b"version: 7\nevent: {name: x, slug: x}\n")
    bad = cli("import", "bad.yaml", "--slug", "whatever")
    assert bad.exit_code == EXIT_REFUSED and "400" in bad.output and "version" in bad.output
    assert not Event.objects.filter(slug="whatever").exists()
    assert cli("import", "cup.yaml", "--slug", "x", "--shift-days", "1", "--shift", "P1D").exit_code == 2


def test_export_and_import_refuse_who_may_not_with_the_reason(world, cli, tmp_path):
    assert cli("login", "--username", "cli-pat", "--password", PASSWORD).exit_code == 0
    refused = cli("export", "cli-cup")
    assert refused.exit_code == EXIT_REFUSED and "403" in refused.output and "organizers" in refused.output
    (tmp_path / "b.yaml").write_bytes(b"version: 1\nevent: {name: Mine, slug: mine}\n")
    refused = cli("import", "b.yaml", "--slug", "mine")
    assert refused.exit_code == EXIT_REFUSED and "right to create events" in refused.output


def test_download_resumes_a_partial_file_with_a_range_and_checks_the_published_sha256(world, cli, tmp_path):
    phase = world
    assert cli("login", "--username", "cli-pat", "--password", PASSWORD).exit_code == 0
    with phase.challenge.public_archive.open("rb") as handle:
        content = handle.read()
    # A download cut off halfway: the rest is fetched with a Range request and appended.
    (tmp_path / "data.zip.part").write_bytes(content[: len(content) // 2])
    resumed = cli("--json", "download", str(phase.pk), "-o", "data.zip")
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.output)["verified"] is True
    assert (tmp_path / "data.zip").read_bytes() == content and not (tmp_path / "data.zip.part").exists()

    # A partial file whose bytes are not the dataset's: resuming appends the true rest, so only the
    # checksum can notice; the client refuses, deletes the file and exits non-zero.
    (tmp_path / "other.zip.part").write_bytes(b"x" * (len(content) // 2))
    refused = cli("download", str(phase.pk), "-o", "other.zip")
    assert refused.exit_code == EXIT_CHECKSUM
    assert "does not match the dataset's SHA-256" in refused.output
    assert not (tmp_path / "other.zip.part").exists() and not (tmp_path / "other.zip").exists()


def test_download_names_the_file_like_the_server_and_shows_a_progress_bar(world, cli, tmp_path):
    phase = world
    assert cli("login", "--username", "cli-pat", "--password", PASSWORD).exit_code == 0
    result = cli("download", str(phase.pk))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli-cup-find-them-data.zip").exists() and "checked" in result.output


class LossyProxy:
    """Forwards every request to the live server, but answers the first upload with 503 + Retry-After
    after the server has accepted it (the answer lost on the way), as a flaky proxy would."""

    def __init__(self, target: str):
        self.keys: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = httpx.request(self.command, target + self.path, headers=headers, content=body, timeout=60)
                upload = self.command == "POST" and self.path.endswith("/submissions/")
                if upload:
                    proxy.keys.append(self.headers.get("Idempotency-Key", ""))
                if upload and len(proxy.keys) == 1:
                    self.send_response(503)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_submit_retries_a_lost_answer_with_the_same_idempotency_key_and_makes_one_submission(
    world, cli, tmp_path, live_server, monkeypatch
):
    phase = world
    proxy = LossyProxy(live_server.url)
    try:
        monkeypatch.setenv("HACKPLATFORM_URL", proxy.url)
        assert cli("login", "--username", "cli-pat", "--password", PASSWORD).exit_code == 0
        with phase.challenge.public_archive.open("rb") as handle:
            sample = zipfile.ZipFile(io.BytesIO(handle.read())).read("sample_submission.csv")
        (tmp_path / "predictions.csv").write_bytes(sample)
        result = cli("--json", "submit", str(phase.pk), "predictions.csv", "--no-wait")
        assert result.exit_code == 0, result.output
    finally:
        proxy.close()
    assert len(proxy.keys) == 2 and proxy.keys[0] == proxy.keys[1] and len(proxy.keys[0]) == 32  # a uuid4, hex
    assert Submission.objects.filter(phase=phase).count() == 1
    assert json.loads(result.output)["id"] == Submission.objects.get(phase=phase).pk
