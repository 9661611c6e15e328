"""Steps that views used to chain are single services now: pages and the API make the same call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from challenges import services
from challenges.models import AuditLog, Challenge, EventRole
from tests.factories import ChallengeFactory, EventFactory, PhaseFactory, UserFactory, event_creator, make_organizer

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def test_an_event_is_created_with_its_banner_in_one_step():
    from django.core.files.uploadedfile import SimpleUploadedFile

    creator = event_creator()
    event = services.event_create(
        creator=creator, name="Bogotá 2027", slug="bogota-2027", banner=SimpleUploadedFile("b.png", png_bytes())
    )
    assert event.banner and event.banner_thumbnail
    assert EventRole.objects.filter(event=event, user=creator, role="organizer").exists()


def test_a_refused_banner_creates_no_event():
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.event_create(
            creator=event_creator(), name="X", slug="x-event", banner=SimpleUploadedFile("b.png", b"not an image")
        )
    from challenges.models import Event

    assert not Event.objects.filter(slug="x-event").exists()


def test_the_roster_lock_changes_through_event_update_and_is_audited():
    event = EventFactory()
    organizer = make_organizer(event)
    services.event_update(event=event, actor=organizer, roster_unlocked=True)
    event.refresh_from_db()
    assert event.roster_unlocked is True
    assert AuditLog.objects.filter(event=event, action="roster_unlock").count() == 1


def test_a_role_for_an_unknown_username_is_refused_on_the_username_field(api):
    event = EventFactory()
    organizer = make_organizer(event)
    with pytest.raises(ValidationError) as refused:
        services.role_grant_by_username(event=event, actor=organizer, username="nobody", role="organizer")
    assert "username" in refused.value.error_dict
    api.force_authenticate(organizer)
    for path in ("organizers", "judges"):
        response = api.post(f"/api/v1/events/{event.slug}/{path}/", {"username": "nobody"}, format="json")
        assert response.status_code == 400 and "sign up first" in response.json()["detail"]


def test_a_role_is_granted_by_username_in_any_case():
    event = EventFactory()
    organizer = make_organizer(event)
    UserFactory(username="Ana")
    role = services.role_grant_by_username(event=event, actor=organizer, username="ana ", role="organizer")
    assert role.user.username == "Ana" and role.role == "organizer"


def test_a_challenge_without_a_slug_gets_one_from_its_title():
    event = EventFactory()
    organizer = make_organizer(event)
    challenge = services.challenge_create(event=event, actor=organizer, kind="judged", title="Rutas Seguras")
    assert challenge.slug == "rutas-seguras"
    challenge = services.challenge_update(challenge=challenge, actor=organizer, title="Otra", slug="")
    assert challenge.slug == "otra"


def test_a_seed_the_generator_refuses_is_an_error_on_the_seed_and_nothing_is_saved():
    event = EventFactory()
    organizer = make_organizer(event)
    with pytest.raises(ValidationError) as refused:
        services.challenge_save(
            event=event,
            actor=organizer,
            kind="detection",
            title="Flags",
            dataset_source=Challenge.DatasetSource.GENERATED,
            dataset_seed=-1,
        )
    assert "dataset_seed" in refused.value.error_dict
    assert not Challenge.objects.filter(event=event).exists()


def test_a_phase_is_edited_and_published_in_one_step():
    phase = PhaseFactory(challenge=ChallengeFactory())
    organizer = make_organizer(phase.challenge.event)
    phase = services.phase_update(phase=phase, actor=organizer, results_published=True, name="Final")
    phase.refresh_from_db()
    assert phase.name == "Final" and phase.results_published
