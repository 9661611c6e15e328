"""The dashboard's charts: one day of registrations is a column and a sentence, not a lone dot."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from challenges import charts
from tests.factories import UserFactory, register

from .conftest import login

pytestmark = pytest.mark.django_db


def test_one_day_of_registrations_is_a_column_and_a_sentence_not_a_lone_dot(client, event, organizer):
    for country in ("FR", "BR", "CO"):
        register(event, UserFactory(country=country))
    login(client, organizer)
    html = client.get(reverse("challenges:event_dashboard", args=[event.slug])).content.decode()
    section = html[html.index("Registrations per day") :]
    chart = section[: section.index("</figure>")]
    assert "<circle" not in chart and "<polyline" not in chart
    assert len(re.findall(r'<rect[^>]*class="chart-bar"', chart)) == 1
    assert re.search(r"3 registrations on [^<]*2\d\d\d", chart)


def test_the_registrations_chart_has_whole_number_ticks_in_the_readers_format(client, event, organizer, settings):
    from datetime import date

    from django.utils import translation

    with translation.override("fr"):
        svg = charts.column_chart([(date(2030, 1, 1), 1200), (date(2030, 1, 2), 3)], title="x")
    labels = re.findall(r'class="chart-label">([^<]*)<', svg)
    assert "1\u202f000" in labels or "1\xa0000" in labels  # French thousands separator
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 12 and svg.count("<text") == len(sizes)
