"""Event bundles: export an event's set-up, import it as a new event with every date shifted.

Round trip (export, import, export again gives the same YAML but for the shifted dates and the slug),
secrecy (no dataset secret nor truth file unless a full archive is asked for), hostile bundles refused
with a code and nothing created, permissions, audit, the pages and the API."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from bundles import services
from bundles.reading import parse_shift
from bundles.writing import moment
from challenges.models import AuditLog, Challenge, Event, EventRole, Phase
from hackplatform.refusals import Refusal
from judging.models import Criterion, JudgingSettings, Prize
from tests.bundles.conftest import START, png, zipped
from tests.factories import UserFactory, event_creator, make_judge, make_organizer, register

YEAR = timedelta(days=365)
DATE = re.compile(r"'(\d{4}-\d\d-\d\dT[0-9:.]+Z)'")


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _shift_back(text: str, delta: timedelta) -> str:
    return DATE.sub(lambda m: f"'{moment(datetime.fromisoformat(m[1].replace('Z', '+00:00')) - delta)}'", text)


def _counts() -> tuple:
    return (
        Event.objects.count(),
        Challenge.objects.count(),
        Phase.objects.count(),
        Criterion.objects.count(),
        Prize.objects.count(),
        JudgingSettings.objects.count(),
        EventRole.objects.count(),
        AuditLog.objects.count(),
    )


def _media_files() -> set[str]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_ROOT)]
    return {str(p) for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


# Round trip -------------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_yaml_but_for_the_shifted_dates_and_the_slug(world, organizer):
    first = services.bundle_export(event=world, actor=organizer)
    assert first.content_type == "application/zip" and first.filename == "cup-2026.zip"
    event = services.bundle_import(actor=organizer, data=first.content, slug="cup-2027", shift=YEAR)
    second = services.bundle_export(event=event, actor=organizer)

    before, after = _members(first.content), _members(second.content)
    assert sorted(before) == sorted(after)
    assert "event.yaml" in before and "files/banner.png" in before
    assert "challenges/records/public/sample_submission.csv" in before
    text_before, text_after = before["event.yaml"].decode(), after["event.yaml"].decode()
    assert "slug: cup-2027" in text_after
    normalized = _shift_back(text_after, YEAR).replace("slug: cup-2027", "slug: cup-2026")
    assert normalized == text_before
    # every date did move by a year, and the participant files came along unchanged
    assert text_after != text_before.replace("slug: cup-2026", "slug: cup-2027")
    assert all(before[name] == after[name] for name in before if name.startswith("challenges/"))


def test_the_yaml_starts_with_version_1_and_keeps_the_schema_order(world, organizer):
    document_text = _members(services.bundle_export(event=world, actor=organizer).content)["event.yaml"].decode()
    assert document_text.startswith("version: 1\nevent:\n  name: Counter-trafficking cup 2026\n  slug: cup-2026\n")
    document = yaml.safe_load(document_text)
    assert list(document) == ["version", "event", "challenges", "judging"]
    assert [c["slug"] for c in document["challenges"]] == ["hotspots", "records", "tool"]
    assert [p["name"] for p in document["challenges"][0]["phases"]] == ["Warm-up", "Final"]
    assert document["challenges"][0]["dataset"] == {"source": "generated", "seed": 7, "size": "small"}
    assert document["event"]["board_skills"] == ["OSINT"]
    assert [p["challenge"] for p in document["judging"]["prizes"]] == ["hotspots", None]
    assert "id" not in document_text.split() and "invite_token" not in document_text


def test_an_event_without_files_exports_as_plain_yaml_and_imports_with_every_setting(organizer):
    from challenges import services as challenge_services

    event = challenge_services.event_create(creator=organizer, name="Plain", slug="plain", max_teams=9)
    bundle = services.bundle_export(event=event, actor=organizer)
    assert bundle.content_type == "application/yaml" and bundle.filename == "plain.yaml"
    copy = services.bundle_import(actor=organizer, data=bundle.content, slug="plain-2", name="Plain again")
    assert (copy.name, copy.max_teams, copy.created_by) == ("Plain again", 9, organizer)


def test_the_imported_event_has_every_setting_with_its_dates_moved(world, organizer):
    data = services.bundle_export(event=world, actor=organizer).content
    event = services.bundle_import(actor=organizer, data=data, slug="cup-2027", name="Cup 2027", shift=YEAR)
    assert EventRole.objects.filter(event=event, user=organizer, role="organizer").exists()
    assert (event.name, event.timezone, event.team_size_min, event.team_size_max, event.max_teams) == (
        "Cup 2027",
        "America/Bogota",
        2,
        4,
        40,
    )
    assert event.registration_opens_at == START - timedelta(days=30) + YEAR
    assert event.banner and event.banner_thumbnail
    assert event.current_terms.text == "Use the data for this event only." and event.current_terms.version == 1
    final = Phase.objects.get(challenge__event=event, name="Final")
    assert (final.opens_at, final.closes_at) == (
        START + timedelta(days=2) + YEAR,
        START + timedelta(days=4, hours=6) + YEAR,
    )
    assert (final.leaderboard_mode, final.public_leaderboard, final.failed_count) == ("final", False, True)
    settings_ = JudgingSettings.objects.get(event=event)
    assert (settings_.seed, settings_.anonymous, settings_.opens_at) == (42, True, START + timedelta(days=4) + YEAR)
    assert Criterion.objects.filter(event=event).count() == Criterion.objects.filter(event=world).count() == 5
    assert list(Prize.objects.filter(event=event).values_list("name", "challenge__slug")) == [
        ("Best map", "hotspots"),
        ("Jury's favourite", None),
    ]
    assert not event.teams.exists() and not event.registrations.exists()
    log = AuditLog.objects.get(event=event, action="bundle_import")
    assert log.actor == organizer and log.details["source"] == "cup-2026" and log.details["full"] is False


def test_a_start_date_moves_the_earliest_date_there(world, organizer):
    data = services.bundle_export(event=world, actor=organizer).content
    start = datetime(2027, 2, 1, tzinfo=UTC)
    event = services.bundle_import(actor=organizer, data=data, slug="cup-2027", shift=start)
    assert event.registration_opens_at == start  # the earliest date of the bundle
    assert Phase.objects.get(challenge__event=event, name="Warm-up").opens_at == start + timedelta(days=30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("365", timedelta(days=365)),
        ("days=364", timedelta(days=364)),
        ("-7", timedelta(days=-7)),
        ("P52W", timedelta(weeks=52)),
        ("P365D", timedelta(days=365)),
        ("-P1DT12H", -timedelta(days=1, hours=12)),
        ("PT36H", timedelta(hours=36)),
        ("2027-03-01", datetime(2027, 3, 1, tzinfo=UTC)),
        ("2027-03-01T09:00:00Z", datetime(2027, 3, 1, 9, tzinfo=UTC)),
    ],
)
def test_a_shift_is_days_an_iso_duration_or_a_start_date(text, expected):
    assert parse_shift(text) == expected


@pytest.mark.parametrize("text", ["P1Y", "P2M", "P", "PT", "soon", "1.5"])
def test_it_refuses_a_shift_it_cannot_read_exactly(text):
    with pytest.raises(Refusal) as caught:
        parse_shift(text)
    assert caught.value.code == "bad_shift"


# Secrets ------------------------------------------------------------------------------------------


def _truth_and_secrets(event: Event) -> tuple[bytes, list[str]]:
    records = event.challenges.get(slug="records")
    with records.truth_file.open("rb") as handle:
        truth = handle.read()
    return truth, [c.dataset_secret for c in event.challenges.all()]


def test_a_normal_export_holds_neither_the_secrets_nor_the_truth(world, organizer):
    truth, secrets = _truth_and_secrets(world)
    content = services.bundle_export(event=world, actor=organizer).content
    members = _members(content)
    for secret in secrets:
        assert secret.encode() not in content
        assert all(secret.encode() not in data for data in members.values())
    assert all(truth not in data for data in members.values()) and truth not in content
    assert not any("truth" in name for name in members)
    truth_rows = [line for line in truth.splitlines()[1:] if line]
    assert not any(row in data for row in truth_rows[:50] for data in members.values())
    assert AuditLog.objects.filter(event=world, action="bundle_export", actor=organizer).count() == 1


def test_a_full_archive_holds_them_and_restores_them(world, organizer):
    truth, secrets = _truth_and_secrets(world)
    content = services.bundle_export(event=world, actor=organizer, full=True).content
    members = _members(content)
    assert members["challenges/records/truth.csv"] == truth
    assert all(secret.encode() in members["event.yaml"] for secret in secrets)
    assert AuditLog.objects.filter(event=world, action="bundle_export_full", actor=organizer).count() == 1

    event = services.bundle_import(actor=organizer, data=content, slug="cup-copy")
    copied_truth, copied_secrets = _truth_and_secrets(event)
    assert (copied_truth, copied_secrets) == (truth, secrets)
    hotspots, original = event.challenges.get(slug="hotspots"), world.challenges.get(slug="hotspots")
    with hotspots.truth_file.open("rb") as new, original.truth_file.open("rb") as old:
        assert new.read() == old.read()  # same seed, same secret: the same hidden data
    assert AuditLog.objects.get(event=event, action="bundle_import").details["full"] is True
    again = _members(services.bundle_export(event=event, actor=organizer, full=True).content)
    assert again["event.yaml"].decode().replace("slug: cup-copy", "slug: cup-2026") == members["event.yaml"].decode()
    assert again["challenges/records/truth.csv"] == truth


def test_a_normal_import_draws_new_secrets_so_the_hidden_data_differs_with_the_same_seed(world, organizer):
    event = services.bundle_import(
        actor=organizer, data=services.bundle_export(event=world, actor=organizer).content, slug="cup-2027"
    )
    new, old = event.challenges.get(slug="hotspots"), world.challenges.get(slug="hotspots")
    assert new.dataset_seed == old.dataset_seed == 7 and new.dataset_secret != old.dataset_secret
    assert new.has_dataset
    with new.truth_file.open("rb") as a, old.truth_file.open("rb") as b:
        assert a.read() != b.read()
    records = event.challenges.get(slug="records")
    # the uploaded truth stayed on the server: the organizers upload it again; the participant files came
    assert records.dataset_source == "uploaded" and not records.truth_file and records.public_archive


# Hostile or broken bundles ------------------------------------------------------------------------

GOOD = b"version: 1\nevent:\n  name: Small\n  slug: small\n"
BOMB = b"""version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
event: {name: x, slug: x}
"""
PHASE = (
    "challenges:\n- slug: c\n  kind: judged\n  title: C\n  phases:\n  - {name: P, opens_at: '%s', closes_at: '%s'}\n"
)


def _bad_phase() -> bytes:
    return GOOD + (PHASE % ("2027-01-02T00:00:00Z", "2027-01-01T00:00:00Z")).encode()


HOSTILE = {
    "malformed_yaml": (b"version: 1\nevent: [unclosed\n", "bundle_bad_yaml"),
    "not_a_mapping": (b"- 1\n- 2\n", "bundle_invalid"),
    "unknown_version": (GOOD.replace(b"version: 1", b"version: 2"), "bundle_unknown_version"),
    "no_version": (GOOD.replace(b"version: 1\n", b""), "bundle_unknown_version"),
    "version_true": (GOOD.replace(b"version: 1", b"version: true"), "bundle_unknown_version"),
    "unknown_key": (GOOD + b"  colour: red\n", "bundle_unknown_key"),
    "unknown_top_key": (GOOD + b"teams: []\n", "bundle_unknown_key"),
    "bad_date": (GOOD + (PHASE % ("next tuesday", "2027-01-01T00:00:00Z")).encode(), "bundle_bad_date"),
    "naive_date": (GOOD + (PHASE % ("2027-01-01T00:00:00", "2027-01-02T00:00:00Z")).encode(), "bundle_bad_date"),
    "wrong_type": (GOOD + b"  team_size_max: lots\n", "bundle_invalid"),
    "alias_bomb": (BOMB, "bundle_yaml_alias"),
    "python_tag": (GOOD + b"  description: !!python/object/apply:os.system ['true']\n", "bundle_bad_yaml"),
    "phase_closes_before_it_opens": (_bad_phase(), "bundle_invalid"),
    "missing_file": (GOOD + b"  banner: files/banner.png\n", "bundle_missing_file"),
    "prize_for_no_challenge": (GOOD + b"judging:\n  prizes:\n  - {name: P, challenge: nope}\n", "bundle_invalid"),
    "path_traversal": (zipped({"event.yaml": GOOD, "../../evil.sh": b"x"}), "bundle_bad_member_name"),
    "absolute_member": (zipped({"event.yaml": GOOD, "/etc/cron.d/evil": b"x"}), "bundle_bad_member_name"),
    "backslash_member": (zipped({"event.yaml": GOOD, "..\\evil": b"x"}), "bundle_bad_member_name"),
    "unnamed_member": (zipped({"event.yaml": GOOD, "files/extra.txt": b"x"}), "bundle_unknown_file"),
    "zip_without_yaml": (zipped({"other.yaml": GOOD}), "bundle_no_yaml"),
    "zip_bomb": (zipped({"event.yaml": GOOD, "files/banner.png": b"\0" * (20 * 2**20)}), "bundle_zip_bomb"),
    "broken_zip": (b"PK\x03\x04" + b"\0" * 100, "bundle_bad_zip"),
    "banner_not_an_image": (
        zipped(
            {"event.yaml": GOOD + b"  banner: files/banner.png\n", "files/banner.png": b"<script>alert(1)</script>"}
        ),
        "bundle_invalid",
    ),
    "secret_not_hex": (
        GOOD + b"challenges:\n- {slug: c, kind: detection, title: C, dataset: {source: none, secret: zz}}\n",
        "bundle_invalid",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_it_refuses_a_hostile_or_broken_bundle_with_a_code_and_creates_nothing(organizer, api, case):
    content, code = HOSTILE[case]
    api.force_authenticate(organizer)
    before, files = _counts(), _media_files()
    response = api.post(
        "/api/v1/events/import/",
        {"file": SimpleUploadedFile("bundle", content), "slug": "fresh"},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code, response.json()
    assert response.json()["detail"]
    assert _counts() == before and _media_files() == files


def test_it_refuses_a_bundle_over_the_size_limit(organizer, api):
    api.force_authenticate(organizer)
    with override_settings(BUNDLE_MAX_BYTES=1000):
        response = api.post(
            "/api/v1/events/import/",
            {"file": SimpleUploadedFile("b.yaml", GOOD + b"#" * 2000), "slug": "fresh"},
            format="multipart",
        )
    assert response.status_code == 400 and response.json()["code"] == "bundle_too_large"
    assert not Event.objects.exists()


def test_it_refuses_a_zip_whose_files_unpack_beyond_the_limit(organizer):
    content = zipped({"event.yaml": GOOD + b"  banner: files/banner.png\n", "files/banner.png": png() * 50})
    with override_settings(BUNDLE_MAX_UNPACKED_BYTES=2000), pytest.raises(Refusal) as caught:
        services.bundle_import(actor=organizer, data=content, slug="fresh")
    assert caught.value.code == "bundle_zip_bomb" and not Event.objects.exists()


def test_it_refuses_a_taken_slug_clearly_and_creates_nothing(world, organizer, api):
    data = services.bundle_export(event=world, actor=organizer).content
    api.force_authenticate(organizer)
    before = _counts()
    response = api.post("/api/v1/events/import/", {"file": SimpleUploadedFile("b.zip", data)}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "slug_taken"
    assert "cup-2026" in response.json()["detail"]
    assert _counts() == before


def test_it_refuses_a_shift_that_moves_a_date_out_of_the_accepted_years(world, organizer):
    data = services.bundle_export(event=world, actor=organizer).content
    with pytest.raises(Refusal) as caught:
        services.bundle_import(actor=organizer, data=data, slug="far", shift=timedelta(days=365 * 1000))
    assert caught.value.code == "bundle_bad_date" and not Event.objects.filter(slug="far").exists()


def test_a_refusal_late_in_the_import_leaves_no_row_and_no_file_behind(world, organizer):
    content = _members(services.bundle_export(event=world, actor=organizer).content)
    document = yaml.safe_load(content["event.yaml"])
    document["challenges"][-1]["phases"][0]["closes_at"] = document["challenges"][-1]["phases"][0]["opens_at"]
    content["event.yaml"] = yaml.safe_dump(document, sort_keys=False).encode()
    before, files = _counts(), _media_files()
    with pytest.raises(Refusal) as caught:
        services.bundle_import(actor=organizer, data=zipped(content), slug="cup-2027")
    assert caught.value.code == "bundle_invalid" and "close after it opens" in caught.value.text
    assert "challenge “tool”, phase “Projects”" in caught.value.text
    assert _counts() == before and _media_files() == files


# Permissions --------------------------------------------------------------------------------------


def test_only_the_events_organizers_export_it(world, organizer, api):
    url = "/api/v1/events/cup-2026/bundle/"
    assert api.get(url).status_code == 401
    for user in (make_judge(world), register(world), event_creator(username="someone-else")):
        api.force_authenticate(user)
        response = api.get(url)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    api.force_authenticate(make_organizer(world))
    response = api.get(url + "?full=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="cup-2026-full.zip"' in response["Content-Disposition"]
    assert not AuditLog.objects.filter(action="bundle_export").exists()
    assert AuditLog.objects.filter(action="bundle_export_full").count() == 1


def test_only_users_who_may_create_events_import(world, organizer, api):
    data = services.bundle_export(event=world, actor=organizer).content
    api.force_authenticate(UserFactory(username="plain"))
    response = api.post(
        "/api/v1/events/import/", {"file": SimpleUploadedFile("b.zip", data), "slug": "x"}, format="multipart"
    )
    assert response.status_code == 403 and not Event.objects.filter(slug="x").exists()
    creator = event_creator(username="next-year-org")
    api.force_authenticate(creator)
    response = api.post(
        "/api/v1/events/import/",
        {"file": SimpleUploadedFile("b.zip", data), "slug": "x", "name": "X", "shift_days": "364"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response["Location"].endswith("/api/v1/events/x/")
    assert response.json()["slug"] == "x" and response.json()["my_role"] == "organizer"
    event = Event.objects.get(slug="x")
    assert not event.roles.filter(user=organizer).exists()  # the importer alone runs the new edition
    assert event.registration_opens_at == START - timedelta(days=30) + timedelta(days=364)


# Pages --------------------------------------------------------------------------------------------


def test_the_export_page_warns_and_asks_to_confirm_a_full_archive(world, organizer, client):
    client.force_login(organizer)
    page = client.get("/events/cup-2026/bundle/")
    assert page.status_code == 200 and b"Warning: a full archive" in page.content
    assert b"/events/cup-2026/bundle/" in client.get("/events/cup-2026/dashboard/").content
    refused = client.post("/events/cup-2026/bundle/", {"full": "on"})
    assert refused.status_code == 200 and b"Confirm that you will keep the full archive safe" in refused.content
    assert not AuditLog.objects.filter(action__startswith="bundle_export").exists()
    full = client.post("/events/cup-2026/bundle/", {"full": "on", "confirm": "on"})
    assert full.status_code == 200 and full["Content-Type"] == "application/zip"
    assert "challenges/records/truth.csv" in _members(full.content)
    normal = client.post("/events/cup-2026/bundle/", {})
    assert "challenges/records/truth.csv" not in _members(normal.content)


def test_the_import_page_creates_the_event_or_says_why_not(world, organizer, client):
    data = services.bundle_export(event=world, actor=organizer).content
    client.force_login(organizer)
    assert client.get("/events/import/").status_code == 200
    assert b"/events/import/" in client.get("/events/").content
    taken = client.post("/events/import/", {"file": SimpleUploadedFile("b.zip", data), "slug": "cup-2026"})
    assert taken.status_code == 200 and b"already exists" in taken.content
    broken = client.post("/events/import/", {"file": SimpleUploadedFile("b.yaml", b"version: 9\n"), "slug": "n"})
    assert broken.status_code == 200 and b"is not one this site reads" in broken.content
    made = client.post(
        "/events/import/", {"file": SimpleUploadedFile("b.zip", data), "slug": "cup-2027", "shift_days": "365"}
    )
    assert made.status_code == 302 and made["Location"] == "/events/cup-2027/dashboard/"
    assert Event.objects.get(slug="cup-2027").registration_opens_at == START - timedelta(days=30) + YEAR


def test_the_import_page_refuses_who_may_not_create_events(db, client):
    client.force_login(UserFactory(username="plain"))
    response = client.get("/events/import/")
    assert response.status_code == 403 and b"right to create events" in response.content
