"""The dashboard's charts: one day of registrations is a column and a sentence, not a lone dot."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from challenges import charts
from challenges.models import Event
from tests.chart_images import chart_images
from tests.factories import EventFactory, UserFactory, make_organizer, register

from .conftest import login

pytestmark = pytest.mark.django_db


def test_one_day_of_registrations_is_a_column_and_a_sentence_not_a_lone_dot(client, event, organizer):
    for country in ("FR", "BR", "CO"):
        register(event, UserFactory(country=country))
    login(client, organizer)
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    section = html[html.index("Registrations per day") :]
    figure = section[: section.index("</figure>")]
    ((_alt, chart),) = chart_images(figure)
    assert "<circle" not in chart and "<polyline" not in chart
    assert len(re.findall(r'<rect[^>]*class="chart-bar"', chart)) == 1
    assert re.search(r"3 registrations on [^<]*2\d\d\d", figure)


def test_the_registrations_chart_has_whole_number_ticks_in_the_readers_format(client, event, organizer, settings):
    from datetime import date

    from django.utils import translation

    with translation.override("fr"):
        svg = charts.column_chart([(date(2030, 1, 1), 1200), (date(2030, 1, 2), 3)], title="x")
    labels = re.findall(r'class="chart-label">([^<]*)<', svg)
    assert "1\u202f000" in labels or "1\xa0000" in labels  # French thousands separator
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 12 and svg.count("<text") == len(sizes)


def checklist_items(html: str) -> dict[str, tuple[str, str]]:
    """{step: (done|todo, link or "")} from the dashboard's checklist."""
    items = re.findall(r'<li class="(done|todo)" data-step="(\w+)">(.*?)</li>', html, re.S)
    return {key: (state, (re.search(r'href="([^"]*)"', body) or [None, ""])[1]) for state, key, body in items}


def test_a_new_events_dashboard_says_what_to_do_next_with_links(client):

    event = EventFactory(visibility=Event.Visibility.DRAFT)
    organizer = make_organizer(event)
    login(client, organizer)
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    assert "Next steps" in html
    steps = checklist_items(html)
    assert list(steps) == ["terms", "challenge", "dataset", "phase", "publish", "judges"]
    assert all(state == "todo" for state, _link in steps.values())
    assert steps["terms"][1] == reverse("challenges:event_terms", args=[event.slug])
    assert steps["challenge"][1] == reverse("challenges:challenge_create", args=[event.slug])
    assert steps["publish"][1] == reverse("challenges:event_edit", args=[event.slug])
    assert steps["judges"][1] == reverse("challenges:event_roles", args=[event.slug])
    assert steps["phase"][1] == ""  # no challenge yet: the step says to add one first
    assert "No registrations yet." in html  # an empty state that says what to do, not an empty chart


def test_the_checklist_ticks_what_is_done_and_goes_away_when_all_is(client, event, organizer, phase):
    from challenges.models import Event

    event.visibility = Event.Visibility.DRAFT
    event.save()
    login(client, organizer)
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    steps = checklist_items(html)
    assert steps["terms"][0] == steps["challenge"][0] == steps["dataset"][0] == steps["phase"][0] == "done"
    assert steps["publish"][0] == "todo"
    assert "1 step left" in html
    event.visibility = Event.Visibility.PUBLISHED
    event.save()
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    assert "Next steps" not in html  # judges are optional while no challenge is judged


def test_the_dashboard_charts_are_images_whose_alt_text_carries_the_data_in_the_readers_language(
    client, event, organizer
):
    for country in ("BR", "BR", "CO"):
        register(event, UserFactory(country=country))
    login(client, organizer)
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="es").content
    html = html.decode()
    assert "<svg" not in html  # axe-core cannot check the contrast of inline SVG text
    alts = [alt for alt, _svg in chart_images(html)]
    assert len(alts) == 3, alts  # by country, per day, and the submissions panel
    assert alts[0].startswith("Inscripciones por país: ") and alts[0].endswith("Brasil (BR) 2 y Colombia (CO) 1")
    assert re.fullmatch(r"Inscripciones por día: \d+ de \w+ de \d{4}: 3", alts[1]), alts[1]
    with translation.override("es"):
        assert alts[2].endswith(": " + translation.gettext("No submission yet.")), alts[2]


def test_the_submissions_panel_is_one_box_not_a_box_inside_a_box(client, event, organizer):
    login(client, organizer)
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    start = html.index("Submissions over time")
    box = html[html.rindex("<section", 0, start) : start]
    assert box == '<section class="panel"><h2>' and html.count('<section class="panel"><section') == 0
