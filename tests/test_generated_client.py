"""The API contract, proved with the tools an outside developer would use.

The schema served by a live server (pytest-django's `live_server`) is validated with
openapi-spec-validator; openapi-python-client generates a client from it into a temporary folder;
every generated module must import; then an organizer sets up an event and a participant takes part
in it through the generated functions only (no hand-made request): register, token, event
registration, team, dataset download, upload, its status, the leaderboard.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import pkgutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

from tests.factories import event_creator

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PACKAGE = "hp_generated_client"
# openapi-python-client's own settings, as a client author would write them: the zip download is read
# as bytes, and no formatter runs on the generated code.
CONFIG = {"post_hooks": [], "content_type_overrides": {"application/zip": "application/octet-stream"}}
PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture
def generated(live_server, tmp_path):
    """The client package generated from the live server's schema, imported (with all its modules)."""
    response = httpx.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    assert response.status_code == 200
    schema = response.json()
    validate(schema)  # openapi-spec-validator: raises on any violation of OpenAPI 3.0
    (tmp_path / "schema.json").write_bytes(response.content)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(CONFIG))
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(PACKAGE)
        modules = [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{PACKAGE}.")
            if not info.ispkg
        ]
        yield package, modules
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def _models():
    return importlib.import_module(f"{PACKAGE}.models")


def _ok(response, status: int):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.parsed


def _login(live_server, username: str):
    client_module = importlib.import_module(f"{PACKAGE}.client")
    anonymous = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    models = _models()
    token_create = _api("auth.auth_token_create")
    issued = _ok(token_create.sync_detailed(client=anonymous, body=models.TokenRequestRequest(username, PASSWORD)), 200)
    return client_module.AuthenticatedClient(
        base_url=live_server.url, token=issued.token, prefix="Token", raise_on_unexpected_status=True, timeout=60
    )


def _organizer_sets_up_an_event(live_server) -> int:
    """Event, terms, a challenge with a generated dataset, a phase without limits: the phase id."""
    models = _models()
    organizer = _login(live_server, event_creator(username="organizer-x", password=PASSWORD).username)
    event = _ok(
        _api("events.events_create").sync_detailed(
            client=organizer,
            body=models.EventRequest(
                name="Generated client cup",
                slug="generated-cup",
                timezone="America/Lima",
                visibility=models.VisibilityEnum.PUBLISHED,
                team_size_min=1,
                team_size_max=3,
            ),
        ),
        201,
    )
    assert event.slug == "generated-cup" and event.my_role == "organizer"
    terms = _ok(
        _api("events.events_terms_create").sync_detailed(
            "generated-cup", client=organizer, body=models.TermsRequest(text="Use the data for this event only.")
        ),
        201,
    )
    assert terms.version == 1
    challenge = _ok(
        _api("challenges.challenges_create").sync_detailed(
            client=organizer,
            body=models.ChallengeRequest(
                event="generated-cup",
                kind=models.KindEnum.DETECTION,
                title="Find the recruiters",
                dataset=models.DatasetSpecRequest(seed=7, size=models.SizeEnum.SMALL),
            ),
        ),
        201,
    )
    now = dt.datetime.now(dt.UTC)
    phase = _ok(
        _api("phases.phases_create").sync_detailed(
            client=organizer,
            body=models.PhaseRequest(
                challenge=challenge.id,
                name="Main",
                opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(days=7),
                daily_limit=5,
                total_limit=None,
            ),
        ),
        201,
    )
    assert phase.total_limit is None
    # "Unlimited" is null, also when set afterwards through the typed client.
    patched = _ok(
        _api("phases.phases_partial_update").sync_detailed(
            phase.id, client=organizer, body=models.PatchedPhaseRequest(daily_limit=None)
        ),
        200,
    )
    assert patched.daily_limit is None and patched.total_limit is None
    return phase.id


def _participant_takes_part(live_server, phase_id: int) -> None:
    models = _models()
    client_module = importlib.import_module(f"{PACKAGE}.client")
    anonymous = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    registered = _ok(
        _api("auth.auth_register_create").sync_detailed(
            client=anonymous,
            body=models.RegisterRequest(
                username="dana", email="dana@example.org", password=PASSWORD, country=models.CountryEnum.PE
            ),
        ),
        201,
    )
    assert registered.username == "dana"
    dana = _login(live_server, "dana")

    refused = _api("events.events_register_create").sync_detailed(
        "generated-cup", client=dana, body=models.EventRegisterRequest(accept_terms=False)
    )
    assert refused.status_code == 400 and refused.parsed.detail  # the refusal is typed: Error
    _ok(
        _api("events.events_register_create").sync_detailed(
            "generated-cup", client=dana, body=models.EventRegisterRequest(accept_terms=True)
        ),
        201,
    )
    team = _ok(
        _api("events.events_teams_create").sync_detailed(
            "generated-cup", client=dana, body=models.TeamRequest(name="Dana's team", country=models.CountryEnum.PE)
        ),
        201,
    )
    assert team.join_code

    dataset = _api("phases.phases_dataset_retrieve").sync_detailed(phase_id, client=dana)
    assert dataset.status_code == 200, dataset.content[:300]
    sample = zipfile.ZipFile(io.BytesIO(dataset.content)).read("sample_submission.csv")

    file_type = importlib.import_module(f"{PACKAGE}.types").File
    upload = _api("phases.phase_submissions_create").sync_detailed(
        phase_id,
        client=dana,
        body=models.UploadRequest(
            file=file_type(payload=io.BytesIO(sample), file_name="predictions.csv", mime_type="text/csv"),
            description="the sample, as it comes",
        ),
        idempotency_key="generated-client-1",
    )
    created = _ok(upload, 201)
    assert upload.headers["Location"].endswith(f"/api/v1/submissions/{created.id}/")

    deadline = time.monotonic() + 60
    while True:
        submission = _ok(_api("submissions.submission_retrieve").sync_detailed(created.id, client=dana), 200)
        if submission.status.value in ("scored", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert submission.status.value == "scored", submission.error

    mine = _ok(_api("phases.phase_submissions_list").sync_detailed(phase_id, client=dana), 200)
    assert mine.count == 1 and mine.results[0].id == created.id

    board = _ok(_api("phases.phase_leaderboard").sync_detailed(phase_id, client=dana), 200)
    assert [row.team.name for row in board.results] == ["Dana's team"]
    assert board.results[0].submission == created.id


def test_a_generated_client_imports_and_drives_an_organizers_set_up_and_a_participants_flow(generated, live_server):
    _package, modules = generated
    assert len(modules) > 40  # every operation module and model imported
    phase_id = _organizer_sets_up_an_event(live_server)
    _participant_takes_part(live_server, phase_id)
