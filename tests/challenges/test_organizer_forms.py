"""The organizer's forms: only the chosen dataset source's fields (a script toggles them; all without it),
and limits the browser refuses (min on number inputs) as the server does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from challenges.models import Challenge, Phase
from tests.factories import ChallengeFactory

from .conftest import login

pytestmark = pytest.mark.django_db


def fieldset(html: str, source: str) -> str:
    match = re.search(rf'<fieldset class="source-fields" data-source="{source}"[^>]*>(.*?)</fieldset>', html, re.S)
    assert match, f"no fieldset for {source}"
    return match.group(1)


def test_the_challenge_form_groups_the_fields_of_each_dataset_source(client, event, organizer):
    login(client, organizer)
    html = client.get(reverse("challenges:challenge_create", args=[event.slug])).content.decode()
    generated, uploaded = fieldset(html, "generated"), fieldset(html, "uploaded")
    assert 'name="dataset_seed"' in generated and 'name="dataset_size"' in generated
    assert 'name="truth_file"' in uploaded and 'name="public_files"' in uploaded
    assert 'name="truth_file"' not in generated and 'name="dataset_seed"' not in uploaded
    # Without the script every field is shown: nothing is hidden in the HTML itself.
    assert "hidden" not in re.findall(r'<fieldset class="source-fields"[^>]*>', html)[0]
    # The toggle is a static script (the CSP forbids inline ones) that the page loads.
    assert re.search(r'<script src="[^"]*js/dataset-source\.js"', html)
    assert "<script>" not in html
    script = (Path(settings.BASE_DIR) / "static" / "js" / "dataset-source.js").read_text()
    assert "source-fields" in script and "dataset_source" in script


def test_an_uploaded_dataset_is_accepted_without_the_generated_fields_the_script_disabled(client, event, organizer):
    # With the script, the generated fieldset is disabled and its fields are not sent.
    login(client, organizer)
    response = client.post(
        reverse("challenges:challenge_create", args=[event.slug]),
        {"kind": "detection", "title": "Flags", "dataset_source": "none"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Challenge.objects.get(event=event, slug="flags").dataset_size == "small"


def test_the_server_still_asks_for_the_chosen_sources_fields(client, event, organizer):
    login(client, organizer)
    response = client.post(
        reverse("challenges:challenge_create", args=[event.slug]),
        {"kind": "detection", "title": "Flags", "dataset_source": "generated"},
    )
    assert response.status_code == 200
    assert "Give a seed to generate the dataset." in response.content.decode()


def number_input(html: str, name: str) -> str:
    match = re.search(rf'<input type="number" name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_number_inputs_carry_their_lower_bound_for_the_browser(client, event, organizer):
    challenge = ChallengeFactory(event=event)
    login(client, organizer)
    phase_html = client.get(reverse("challenges:phase_create", args=[event.slug, challenge.slug])).content.decode()
    for name in ("daily_limit", "total_limit", "grace_minutes"):
        assert 'min="0"' in number_input(phase_html, name)
    event_html = client.get(reverse("challenges:event_edit", args=[event.slug])).content.decode()
    assert 'min="1"' in number_input(event_html, "team_size_min")
    assert 'min="1"' in number_input(event_html, "team_size_max")


def test_the_server_refuses_negative_limits_and_empty_teams_on_the_field(client, event, organizer):
    challenge = ChallengeFactory(event=event)
    login(client, organizer)
    response = client.post(
        reverse("challenges:phase_create", args=[event.slug, challenge.slug]),
        {
            "name": "Round 1",
            "opens_at": "2030-05-01T09:00",
            "closes_at": "2030-05-10T23:59",
            "grace_minutes": "-5",
            "daily_limit": "-1",
            "total_limit": "-3",
            "leaderboard_mode": "best",
            "order": "0",
        },
    )
    assert response.status_code == 200 and not Phase.objects.filter(challenge=challenge).exists()
    html = response.content.decode()
    for name in ("daily_limit", "total_limit", "grace_minutes"):
        assert f'id="id_{name}_error"' in html
    response = client.post(
        reverse("challenges:event_edit", args=[event.slug]),
        {"name": event.name, "timezone": "UTC", "team_size_min": "0", "team_size_max": "4"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_team_size_min_error"' in html
    assert "greater than or equal to 1" in html
