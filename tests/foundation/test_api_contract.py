"""The served OpenAPI schema (/api/v1/schema/) says what the API does, as a generated client reads it:
one media type per operation, binary file fields, split request components, paginated lists, the
refusals with their `{detail, code}` body, no auth where none is needed, and the headers sent."""

from __future__ import annotations

import pytest

from tests.factories import EventFactory, PhaseFactory, TeamFactory, TermsFactory, UserFactory, make_organizer
from tests.submissions.factories import open_phase, team_in, upload

pytestmark = pytest.mark.django_db

REFUSALS = {"400", "401", "403", "404", "409", "429"}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _operation(schema, path: str, method: str) -> dict:
    return schema["paths"][path][method]


def _component(schema, ref_holder: dict) -> dict:
    ref = ref_holder["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_operation_offers_one_request_media_type(schema):
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        assert len(content) <= 1, (method, path, list(content))


def test_operations_take_json_unless_they_take_a_file(schema):
    multipart = {
        (path, method)
        for path, method, operation in _operations(schema)
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    }
    assert multipart == {
        ("/api/v1/phases/{id}/submissions/", "post"),
        ("/api/v1/challenges/{id}/dataset/", "post"),
        ("/api/v1/events/{slug}/teams/", "post"),
        ("/api/v1/teams/{team_id}/", "patch"),
        ("/api/v1/events/{slug}/entries/", "post"),  # judging entries carry screenshots
        ("/api/v1/entries/{id}/", "patch"),
        ("/api/v1/events/import/", "post"),  # an event bundle (YAML or zip)
    }
    assert "application/json" in _operation(schema, "/api/v1/phases/", "post")["requestBody"]["content"]


@pytest.mark.parametrize(
    "path, method, field",
    [
        ("/api/v1/phases/{id}/submissions/", "post", "file"),
        ("/api/v1/events/{slug}/teams/", "post", "logo"),
        ("/api/v1/teams/{team_id}/", "patch", "logo"),
        ("/api/v1/challenges/{id}/dataset/", "post", "truth_file"),
        ("/api/v1/challenges/{id}/dataset/", "post", "public_files"),
    ],
)
def test_file_fields_are_binary(schema, path, method, field):
    body = _operation(schema, path, method)["requestBody"]["content"]["multipart/form-data"]["schema"]
    properties = _component(schema, body)["properties"]
    assert properties[field]["format"] == "binary"


def test_the_dataset_download_is_described_as_a_zip(schema):
    ok = _operation(schema, "/api/v1/phases/{id}/dataset/", "get")["responses"]["200"]
    assert ok["content"]["application/zip"]["schema"] == {"type": "string", "format": "binary"}


def test_requests_do_not_require_what_only_the_answer_holds(schema):
    token = _operation(schema, "/api/v1/auth/token/", "post")["requestBody"]["content"]["application/json"]["schema"]
    assert set(_component(schema, token)["required"]) == {"username", "password"}
    team = _operation(schema, "/api/v1/events/{slug}/teams/", "post")["requestBody"]["content"]["multipart/form-data"]
    assert set(_component(schema, team["schema"])["required"]) == {"name", "country"}


def test_the_phase_submissions_list_is_paginated(schema):
    ok = _operation(schema, "/api/v1/phases/{id}/submissions/", "get")["responses"]["200"]
    page = _component(schema, ok["content"]["application/json"]["schema"])
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    assert page["properties"]["results"]["type"] == "array"


def test_every_operation_documents_its_refusals_with_their_body(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"] and {"detail", "code"} <= set(error["properties"])
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert set(responses) >= REFUSALS, (method, path, sorted(responses))
        for code in REFUSALS:
            assert responses[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                method,
                path,
                code,
            )
        assert "Retry-After" in responses["429"]["headers"]
    assert "413" in _operation(schema, "/api/v1/phases/{id}/submissions/", "post")["responses"]


def test_register_and_token_need_no_authentication(schema):
    assert "security" not in schema  # no requirement unless an operation states one
    for path in ("/api/v1/auth/register/", "/api/v1/auth/token/"):
        security = _operation(schema, path, "post").get("security")
        assert security in (None, [], [{}]), (path, security)
    assert {"knoxApiToken": []} in _operation(schema, "/api/v1/phases/{id}/submissions/", "post")["security"]


def test_an_upload_documents_and_sends_its_location(schema, api):
    created = _operation(schema, "/api/v1/phases/{id}/submissions/", "post")["responses"]["201"]
    assert "Location" in created["headers"]
    phase = open_phase()
    team = team_in(phase)
    api.force_authenticate(team.captain)
    response = api.post(f"/api/v1/phases/{phase.pk}/submissions/", {"file": upload()}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response["Location"].endswith(f"/api/v1/submissions/{response.json()['id']}/")


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/v1/phases/?challenge=9223372036854775808", 400),
        ("/api/v1/phases/?challenge=99999999999999999999999999", 400),
        ("/api/v1/phases/?challenge=", 400),
        ("/api/v1/challenges/?event=", 400),
        ("/api/v1/phases/9223372036854775808/", 404),
        ("/api/v1/challenges/9223372036854775808/", 404),
        ("/api/v1/teams/9223372036854775808/", 404),
        ("/api/v1/submissions/9223372036854775808/", 404),
        ("/api/v1/phases/9223372036854775808/leaderboard/", 404),
        ("/api/v1/phases/9223372036854775808/submissions/", 404),
    ],
)
def test_a_number_beyond_64_bits_is_refused_not_a_crash(api, url, status):
    api.force_authenticate(UserFactory())
    response = api.get(url)
    assert response.status_code == status
    assert "detail" in response.json()


def test_the_refusal_of_an_overflowing_number_is_a_404_with_a_reason():
    """The safety net for any view: SQLite's OverflowError becomes "no such object"."""
    from hackplatform.api import exception_handler

    response = exception_handler(OverflowError("Python int too large to convert to SQLite INTEGER"), {})
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def _listed(schema, path, method, status_code):
    assert str(status_code) in _operation(schema, path, method)["responses"], (path, method, status_code)


def test_business_rule_refusals_answer_statuses_the_schema_lists(schema, api):
    event = EventFactory()
    TermsFactory(event=event)
    user = UserFactory()
    api.force_authenticate(user)
    refused = api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": False})
    assert refused.status_code >= 400
    _listed(schema, "/api/v1/events/{slug}/register/", "post", refused.status_code)
    assert api.post(f"/api/v1/events/{event.slug}/register/", {"accept_terms": True}).status_code == 201

    team = TeamFactory(event=event)
    bad_code = api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": "not-the-code"})
    assert bad_code.status_code >= 400
    _listed(schema, "/api/v1/teams/{team_id}/join/", "post", bad_code.status_code)

    own = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Mine", "country": "PE"}, format="multipart")
    assert own.status_code == 201, own.json()
    already = api.post(f"/api/v1/teams/{team.pk}/join/", {"join_code": team.join_code})
    assert already.status_code >= 400
    _listed(schema, "/api/v1/teams/{team_id}/join/", "post", already.status_code)
    again = api.post(f"/api/v1/events/{event.slug}/teams/", {"name": "Second", "country": "PE"}, format="multipart")
    assert again.status_code >= 400
    _listed(schema, "/api/v1/events/{slug}/teams/", "post", again.status_code)


def test_limits_can_be_set_to_unlimited_with_null(schema, api):
    patched = schema["components"]["schemas"]["PatchedPhaseRequest"]["properties"]
    assert patched["daily_limit"]["nullable"] and patched["total_limit"]["nullable"]
    phase = PhaseFactory(daily_limit=3, total_limit=10)
    api.force_authenticate(make_organizer(phase.challenge.event))
    response = api.patch(f"/api/v1/phases/{phase.pk}/", {"daily_limit": None, "total_limit": None})
    assert response.status_code == 200, response.json()
    phase.refresh_from_db()
    assert (phase.daily_limit, phase.total_limit) == (None, None)


def test_json_is_the_default_body_and_a_form_body_is_refused_with_a_reason(api):
    phase = PhaseFactory()
    api.force_authenticate(make_organizer(phase.challenge.event))
    response = api.patch(f"/api/v1/phases/{phase.pk}/", "name=Other", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/phases/1.5/", "/api/v1/submissions/-3/cancel/", "/api/v1/nothing-here/"])
def test_an_api_address_no_route_matches_answers_json_with_a_reason(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_page_address_no_route_matches_still_answers_the_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_seed_only_organizers_see_is_optional_in_the_challenge_answer(schema):
    challenge = schema["components"]["schemas"]["Challenge"]
    assert "dataset_seed" not in challenge["required"] and "title" in challenge["required"]


@pytest.mark.parametrize("page", ["", "x", "0", "-1", "²"])
def test_a_page_that_is_not_a_whole_number_from_1_is_refused_with_a_reason(api, page):
    response = api.get("/api/v1/events/", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_a_text_longer_than_its_limit_is_refused_even_when_trimming_would_fit_it(api):
    phase = PhaseFactory()
    api.force_authenticate(make_organizer(phase.challenge.event))
    response = api.post(
        "/api/v1/challenges/",
        {"event": phase.challenge.event.slug, "kind": "judged", "title": " " + "x" * 200},
    )
    assert response.status_code == 400
    assert "title" in response.json()["errors"]


def test_an_empty_team_edit_is_refused_with_a_reason(api):
    team = TeamFactory()
    api.force_authenticate(team.captain)
    response = api.patch(f"/api/v1/teams/{team.pk}/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("value", ["", "maybe"])
def test_the_mine_filter_takes_true_or_false_only(api, value):
    api.force_authenticate(UserFactory())
    response = api.get("/api/v1/events/", {"mine": value})
    assert response.status_code == 400
    assert "mine" in response.json()["errors"]
