"""The hidden truth of a generated dataset cannot be derived: the platform mixes a server-held secret
into the organizers' seed, and neither the seed nor the secret is shown to anyone but the organizers."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from knox.models import AuthToken

from challenges import services
from challenges.datasets import detection, generate, hotspot, network
from challenges.datasets.common import sha256, streams
from challenges.models import AuditLog, Challenge
from tests.factories import ChallengeFactory, PhaseFactory, register

pytestmark = pytest.mark.django_db

ORGANIZER_SEED = 73_519_004_211  # a number no page would show by chance
MODULES = {"detection": detection, "hotspot": hotspot, "network": network}


def as_user(api, user):
    if user is None:
        api.credentials()
    else:
        api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return api


def numbers_in(text: str) -> set[int]:
    """Every integer a reader could take from `text`: digit runs, and numbers written with thousands commas."""
    found = {int(run) for run in re.findall(r"\d+", text)}
    found |= {int(run.replace(",", "")) for run in re.findall(r"\d{1,3}(?:,\d{3})+", text)}
    return found


def sample_from_seed(kind: str, seed: int, ids: list[str]) -> bytes:
    """The sample_submission.csv that `generate(kind, seed)` (no secret) would write for these ids: a
    public file rebuilt from the seed's own stream, without simulating the whole dataset."""
    module = MODULES[kind]
    return module.sample_submission(streams(seed, module.STREAMS)["sample"], ids)


def ids_of(sample: bytes) -> list[str]:
    return [line.split(",", 1)[0] for line in sample.decode().splitlines()[1:]]


@pytest.fixture
def setup(event, organizer):
    def make(kind: str):
        challenge = services.challenge_create(
            event=event,
            actor=organizer,
            kind=kind,
            title=f"Secret {kind}",
            slug=f"secret-{kind}",
            dataset_seed=ORGANIZER_SEED,
        )
        phase = PhaseFactory(challenge=challenge)
        return challenge, phase, register(event)

    return make


@pytest.mark.parametrize("kind", ["detection", "hotspot", "network"])
def test_no_seed_anyone_can_see_or_guess_rebuilds_the_participant_files(kind, setup, organizer, api, client):
    challenge, phase, participant = setup(kind)
    challenge.refresh_from_db()
    secret = challenge.dataset_secret

    # What anonymous visitors and participants are shown: the API, the challenge page, the data card.
    shown: list[str] = []
    for user in (None, participant):
        as_user(api, user)
        for url in ("/api/v1/challenges/", f"/api/v1/challenges/{challenge.pk}/", f"/api/v1/phases/{phase.pk}/"):
            response = api.get(url)
            assert response.status_code == 200, url
            shown.append(json.dumps(response.json()))
            assert "dataset_seed" not in shown[-1] and str(ORGANIZER_SEED) not in shown[-1]
        if user is not None:
            client.force_login(user)
        page = client.get(challenge.get_absolute_url())
        assert page.status_code == 200
        shown.append(page.content.decode())
        assert str(ORGANIZER_SEED) not in shown[-1]
    as_user(api, participant)
    download = api.get(f"/api/v1/phases/{phase.pk}/dataset/")
    assert download.status_code == 200
    archive_bytes = b"".join(download.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
    public = {name: archive.read(name) for name in archive.namelist()}
    card = public["DATA_CARD.md"].decode()
    assert "secret held by the server" in card and str(ORGANIZER_SEED) not in card
    shown.append(card)

    # The secret is nowhere: not in any answer, page, file name, zip member, comment or the audit log.
    as_user(api, organizer)
    client.force_login(organizer)
    organizer_views = [
        json.dumps(api.get(f"/api/v1/challenges/{challenge.pk}/").json()),
        client.get(challenge.get_absolute_url()).content.decode(),
        client.get(reverse("challenges:challenge_edit", args=[challenge.event.slug, challenge.slug])).content.decode(),
        client.get(reverse("challenges:event_dashboard", args=[challenge.event.slug])).content.decode(),
    ]
    details = json.dumps([entry.details for entry in AuditLog.objects.filter(event=challenge.event)])
    for text in [*shown, *organizer_views, details, json.dumps(challenge.dataset_meta)]:
        assert secret not in text and secret.upper() not in text
    raw = bytes.fromhex(secret)
    for blob in (archive_bytes, *public.values()):
        assert raw not in blob and secret.encode() not in blob
    assert secret not in " ".join(archive.namelist()) + archive.comment.decode("latin-1")
    assert secret not in challenge.public_archive.name and secret not in challenge.truth_file.name

    # Every seed from 0 to 1000, every number shown above and the organizers' own seed: none rebuilds them.
    disclosed = set().union(*(numbers_in(text) for text in shown)) | {ORGANIZER_SEED}
    ids = ids_of(public["sample_submission.csv"])
    target = sha256(public["sample_submission.csv"])
    control = generate(kind, 17, "small")  # the check is not vacuous: it finds the seed of an unkeyed dataset
    assert sha256(sample_from_seed(kind, 17, ids_of(control.public_files["sample_submission.csv"]))) == sha256(
        control.public_files["sample_submission.csv"]
    )
    for seed in sorted(set(range(1001)) | disclosed):
        assert sha256(sample_from_seed(kind, seed, ids)) != target, seed
    # ... and the whole generator, run on the numbers shown and on the real seed, rebuilds no public file.
    hashes = {sha256(blob) for name, blob in public.items() if name not in {"DATA_CARD.md", "nodes.csv"}}
    for seed in sorted(disclosed):  # about 35 numbers per kind
        rebuilt = generate(kind, seed, "small")
        assert not hashes & {sha256(blob) for blob in rebuilt.public_files.values()}, seed


def test_the_organizers_get_the_same_files_again_from_the_same_seed(setup):
    challenge, _phase, _participant = setup("network")
    challenge.refresh_from_db()
    with challenge.public_archive.open("rb") as handle:
        first_archive = handle.read()
    with challenge.truth_file.open("rb") as handle:
        first_truth = handle.read()
    services.challenge_generate_dataset(challenge=challenge, seed=ORGANIZER_SEED, size="small")
    challenge.refresh_from_db()
    assert challenge.truth_version == 2
    with challenge.public_archive.open("rb") as handle:
        assert handle.read() == first_archive
    with challenge.truth_file.open("rb") as handle:
        assert handle.read() == first_truth


def test_only_the_organizers_see_the_seed_in_the_api(setup, organizer, api):
    challenge, _phase, participant = setup("network")
    for user in (None, participant):
        as_user(api, user)
        assert "dataset_seed" not in api.get(f"/api/v1/challenges/{challenge.pk}/").json()
        assert all("dataset_seed" not in item for item in api.get("/api/v1/challenges/").json()["results"])
    as_user(api, organizer)
    assert api.get(f"/api/v1/challenges/{challenge.pk}/").json()["dataset_seed"] == ORGANIZER_SEED


def test_every_challenge_gets_its_own_secret_and_the_migration_draws_one_per_existing_row(event):
    one, two = ChallengeFactory(event=event), ChallengeFactory(event=event)
    assert len(one.dataset_secret) == 32 and one.dataset_secret != two.dataset_secret
    Challenge.objects.update(dataset_secret="0" * 32)  # what AddField's single default gives every old row
    path = next((Path(__file__).resolve().parents[2] / "challenges" / "migrations").glob("*_dataset_secret.py"))
    spec = importlib.util.spec_from_file_location("dataset_secret_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.give_each_challenge_its_own_secret(django_apps, None)
    secrets_now = set(Challenge.objects.values_list("dataset_secret", flat=True))
    assert len(secrets_now) == 2 and "0" * 32 not in secrets_now


def test_the_secret_is_in_no_form_and_not_editable_in_the_admin(event, organizer, admin_client):
    from challenges.forms import ChallengeForm

    challenge = ChallengeFactory(event=event)
    assert "dataset_secret" not in ChallengeForm(challenge=challenge).fields
    page = admin_client.get(f"/admin/challenges/challenge/{challenge.pk}/change/")
    assert page.status_code == 200 and challenge.dataset_secret not in page.content.decode()


def test_an_unkeyed_dataset_is_flagged_to_the_organizers_and_rekeyed_by_saving_the_same_seed(setup, organizer):
    challenge, _phase, _participant = setup("network")
    old = generate("network", ORGANIZER_SEED, "small")  # what the platform stored before datasets were keyed
    services.challenge_store_dataset(challenge=challenge, public_files=old.public_files, truth=old.truth)
    challenge.dataset_meta = old.meta
    challenge.save()
    assert challenge.dataset_is_rebuildable
    services.challenge_update(challenge=challenge, actor=organizer, dataset_seed=ORGANIZER_SEED)
    challenge.refresh_from_db()
    assert not challenge.dataset_is_rebuildable
    with challenge.truth_file.open("rb") as handle:
        assert handle.read() != old.truth
