"""Property-based fuzzing of the whole REST API with schemathesis, from the schema drf-spectacular serves.

Every operation of /api/v1/schema/ gets a bounded, seeded batch of generated requests (valid and
deliberately invalid ones), sent to the WSGI application as a participant (alice) and as an organizer,
on top of the demo event. Every schemathesis check runs on every answer (no server error, documented
status codes, content types, headers and bodies, invalid data refused, valid data accepted or refused
by a listed business rule, authentication enforced), and a refusal carries {"detail": ...}. Phases:
examples, coverage and fuzzing per operation, and stateful workflows chaining operations.

1. The demo event (seed_demo, plus one scored submission) is seeded once per module inside a
   transaction that is rolled back at the end; each operation runs in a savepoint of its own.
2. Most generated requests name real objects (the demo event, its challenges, phases, teams and the
   submission) so they get past the 404 and reach the serializers and services; the rest keep the
   generated ids and slugs (overflowing integers, odd characters).
3. Nothing leaves the process: schemathesis' WSGI transport calls the application in-process, a socket
   guard refuses any connection outside loopback, Celery runs inline, mail stays in memory, and
   multipart files are cut to a few kilobytes.
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import shutil
import socket
import zipfile
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from knox.models import AuthToken
from schemathesis.core.parameters import ParameterLocation

from hackplatform.wsgi import application

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# A deeper run by hand: FUZZ_EXAMPLES=100 (or more); FUZZ_COVERAGE=0 skips the boundary values.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE", "1") == "1"
MAX_UPLOAD_BYTES = 4096

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20240611,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        # Phases: examples, coverage (boundary values), fuzzing (seeded, positive and negative) and
        # stateful (the workflow tests below).
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}, "stateful": {"enabled": True}},
        # Every check runs; a schema-valid request may still be refused by a business rule (not registered,
        # already in a team, window closed, limits, not an organizer, a name taken, no such object): those
        # refusals are listed in the schema and carry {detail, code}, which _run asserts. A conditional or
        # range request (If-None-Match, Range on the dataset) may rightly answer 304 or 416 (RFC 9110).
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2XX", "304", "400", "401", "403", "404", "409", "413", "416", "429"]
            },
        },
    }
)


def _load_schema():
    """drf-spectacular's schema, as /api/v1/schema/ serves it, with requests going to the WSGI application.

    Built at import without a request or a database, so that each operation is a test of its own.
    """
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture(scope="module")
def _media(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture
def _isolated_files(_media, settings, tmp_path):
    """Overrides tests/conftest.py's per-test folders with a copy of the seeded files.

    The database rolls back after each operation but the files do not: a replaced dataset deletes the
    old files on commit, which the next operation's (rolled back) rows still name.
    """
    root = shutil.copytree(_media, tmp_path / "files")
    settings.MEDIA_ROOT = str(root / "media")
    settings.PRIVATE_ROOT = str(root / "private")
    settings.STORAGES = _storages(settings.STORAGES, root / "private")


def _storages(storages: dict, private: Path) -> dict:
    return {
        **storages,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private), "base_url": "/no-public-url/"},
        },
    }


def _seed() -> dict:
    from accounts.models import User
    from challenges.models import Challenge, Event, Phase, Team
    from submissions import services as submission_services

    call_command("seed_demo", force=True, stdout=io.StringIO())
    alice = User.objects.get(username="alice")
    event = Event.objects.get(slug="demo")
    detection = Phase.objects.get(challenge__event=event, challenge__slug="detection")
    with detection.challenge.public_archive.open("rb") as archive:
        sample = zipfile.ZipFile(archive).read("sample_submission.csv")
    submission, _ = submission_services.submission_create(
        phase=detection,
        user=alice,
        file=SimpleUploadedFile("predictions.csv", sample, content_type="text/csv"),
        received_at=timezone.now(),
    )
    return {
        "tokens": {
            name: AuthToken.objects.create(user=User.objects.get(username=name))[1] for name in ("alice", "organizer")
        },
        "slug": [event.slug],
        "challenges": list(Challenge.objects.filter(event=event).values_list("pk", flat=True)),
        "phases": list(Phase.objects.filter(challenge__event=event).values_list("pk", flat=True)),
        "teams": list(Team.objects.filter(event=event).values_list("pk", flat=True)),
        "submissions": [submission.pk],
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, _media):
    """The demo event seeded once, in a transaction rolled back when the module is done."""
    from django.conf import settings as django_settings

    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(_media / "media"),
            PRIVATE_ROOT=str(_media / "private"),
            STORAGES=_storages(django_settings.STORAGES, _media / "private"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        with TestCase.captureOnCommitCallbacks(execute=True):
            data = _seed()
        yield data
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _keep_connection():
    """Django's WSGI handler closes the connection after each request, which would end the test's
    transaction; django.test.Client disconnects the same signal handlers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _generous_throttles(throttle_rates):
    """Hundreds of generated requests per operation must reach the views, not the rate limits."""
    throttle_rates(anon="100000/min", user="100000/min", signup="100000/min", login="100000/min", upload="100000/min")


@pytest.fixture(autouse=True)
def _tracebacks(settings):
    """A crash fails the test with its traceback instead of a bare 500."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Whatever a generated request makes the application do, it cannot reach beyond this machine."""
    connect = socket.socket.connect

    def guarded(sock, address):
        if isinstance(address, tuple):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise OSError(f"test_api_fuzz refuses a connection to {host}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _real_objects(case, demo: dict, pick: int) -> None:
    """Point the path (and the body's references) at the `pick`-th real object of its kind; 0 keeps them."""
    if pick == 0:
        return
    path = case.operation.path

    def nth(kind: str):
        values = demo[kind]
        return values[(pick - 1) % len(values)]

    negative_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    for name in [] if negative_path else list(case.path_parameters or {}):
        if name == "slug":
            case.path_parameters[name] = nth("slug")
        elif name == "team_id":
            case.path_parameters[name] = nth("teams")
        elif path.startswith("/api/v1/challenges/"):
            case.path_parameters[name] = nth("challenges")
        elif path.startswith("/api/v1/phases/"):
            case.path_parameters[name] = nth("phases")
        elif path.startswith("/api/v1/submissions/"):
            case.path_parameters[name] = nth("submissions")
    negative_body = case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY)
    if isinstance(case.body, dict) and not negative_body:
        # Only a reference of the right type is replaced: a negative case's wrong type stays wrong.
        if isinstance(case.body.get("event"), str):
            case.body["event"] = nth("slug")
        if type(case.body.get("challenge")) is int:
            case.body["challenge"] = nth("challenges")


FILE_FIELDS = {"file", "logo", "banner", "truth_file", "public_files", "images"}


def _small_files(case) -> None:
    """Cut generated files to a few KB (scoring megabytes of noise tests nothing). Only files: cutting a
    text would turn a negative case (longer than its maxLength) into a valid one behind the checks' back."""
    if isinstance(case.body, dict):
        for name, value in case.body.items():
            if name in FILE_FIELDS and isinstance(value, (bytes, str)) and len(value) > MAX_UPLOAD_BYTES:
                case.body[name] = value[:MAX_UPLOAD_BYTES]


def _run(case, demo: dict, pick: int, user: str) -> None:
    _real_objects(case, demo, pick)
    _small_files(case)
    # Tasks sent on commit (scoring, dataset generation) run too, inline, as after a real commit.
    headers = {"Authorization": f"Token {demo['tokens'][user]}"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = case.call(headers=headers)
    # All of schemathesis' checks; told which credentials were sent so that its auth probes remove them.
    # A bundle is a file (declared `format: binary` under application/yaml), but schemathesis parses YAML
    # answers and would check the parsed mapping against "a string": the file is checked here instead.
    excluded = []
    if response.headers.get("content-type", [""])[0].startswith("application/yaml"):
        from schemathesis.specs.openapi.checks import response_schema_conformance

        excluded = [response_schema_conformance]
        assert yaml.safe_load(response.content)["version"] == 1
    case.validate_response(response, headers=headers, excluded_checks=excluded)
    if response.status_code >= 400 and "application/json" in response.headers.get("content-type", [""])[0]:
        body = response.json()
        assert isinstance(body, dict) and "detail" in body, body


FUZZ_SETTINGS = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PICK = st.integers(min_value=0, max_value=4)


@schema.parametrize()
@schema.given(pick=PICK)
@FUZZ_SETTINGS
def test_api_as_a_participant(case, pick, demo):
    _run(case, demo, pick, "alice")


@schema.parametrize()
@schema.given(pick=PICK)
@FUZZ_SETTINGS
def test_api_as_an_organizer(case, pick, demo):
    _run(case, demo, pick, "organizer")


# Stateful phase: schemathesis chains operations through the links it infers from the schema (a created
# team's id into its join, a phase's id into its upload, ...), every check on every step.
STATEFUL_SETTINGS = hypothesis_settings(
    max_examples=int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "10")),
    stateful_step_count=int(os.environ.get("FUZZ_STATEFUL_STEPS", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Its own copy of the schema, with the caller's token given as schemathesis' auth (so that its auth
# probes know the credentials are real and remove them); the token is the role's, set by _run_stateful.
workflow_schema = _load_schema()
_WORKFLOW_TOKEN: dict[str, str] = {}


@workflow_schema.auth()
class _RoleToken:
    def get(self, case, context):
        return _WORKFLOW_TOKEN["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


def _run_stateful(demo: dict, user: str) -> None:
    _WORKFLOW_TOKEN["token"] = demo["tokens"][user]

    class Workflow(workflow_schema.as_state_machine()):
        def before_call(self, case):
            _small_files(case)

        def call(self, case, **kwargs):
            with TestCase.captureOnCommitCallbacks(execute=True):
                return super().call(case, **kwargs)

    run_state_machine_as_test(Workflow, settings=STATEFUL_SETTINGS)


def test_api_workflows_as_a_participant(demo):
    _run_stateful(demo, "alice")


def test_api_workflows_as_an_organizer(demo):
    _run_stateful(demo, "organizer")
