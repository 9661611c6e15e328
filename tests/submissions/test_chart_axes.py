"""Charts: axes within the metric's range, rounded ticks of one precision in the reader's number format,
readable text, a hotspot scale, a colour per network community."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from hackplatform.ticks import DISPLAY_WIDTH, MIN_TEXT_PX, format_number, nice_axis
from submissions import pictures
from submissions.services import leaderboard_rebuild
from tests.chart_images import chart_svgs

from .factories import open_phase, scored, team_in

START = datetime(2030, 1, 1, tzinfo=UTC)


def tick_labels(svg: str) -> list[str]:
    return re.findall(r'class="chart-tick">([^<]*)<', svg)


def displayed_font_sizes(svg: str) -> list[float]:
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    shown = min(width, DISPLAY_WIDTH)
    return [float(size) * shown / width for size in re.findall(r'font-size="([\d.]+)"', svg)]


def test_a_score_axis_never_runs_below_zero_for_a_metric_in_zero_one():
    # One team, one score near 0: the old axis padded it to [-0.48, 0.52].
    svg = pictures.history_svg(
        {"Alpha": [(START, 0.02)]}, start=START, end=START + timedelta(days=1), value_range=(0, 1)
    )
    labels = tick_labels(svg)
    assert labels and all(not label.startswith("-") and not label.startswith("−") for label in labels)
    assert float(labels[0]) >= 0 and float(labels[-1]) <= 1


def test_a_score_axis_never_runs_above_one_for_a_metric_in_zero_one():
    svg = pictures.history_svg(
        {"Alpha": [(START, 1.0)]}, start=START, end=START + timedelta(days=1), value_range=(0, 1)
    )
    assert float(tick_labels(svg)[-1]) == 1.0


def test_ticks_are_rounded_and_share_one_precision():
    axis = nice_axis(0.4213, 0.7391, floor=0, ceiling=1)
    assert axis.ticks == (0.4, 0.5, 0.6, 0.7, 0.8)
    labels = [axis.label(t, "en") for t in axis.ticks]
    assert labels == ["0.4", "0.5", "0.6", "0.7", "0.8"]
    svg = pictures.history_svg(
        {"A": [(START, 0.1234567)], "B": [(START, 0.9)]}, start=START, end=START + timedelta(days=1), value_range=(0, 1)
    )
    decimals = {len(label.partition(".")[2]) for label in tick_labels(svg)}
    assert len(decimals) == 1


@pytest.mark.parametrize(("language", "expected"), [("en", "0.4"), ("es", "0,4"), ("pt", "0,4"), ("fr", "0,4")])
def test_axis_numbers_use_the_readers_decimal_sign(language, expected):
    assert format_number(0.4, decimals=1, locale=language) == expected
    svg = pictures.history_svg(
        {"A": [(START, 0.2)], "B": [(START, 0.8)]},
        start=START,
        end=START + timedelta(days=1),
        value_range=(0, 1),
        texts=pictures.Texts(locale=language),
    )
    assert expected in tick_labels(svg)


def test_chart_text_reads_at_least_12_px_at_the_displayed_size():
    history = pictures.history_svg({"A": [(START, 0.2)]}, start=START, end=START + timedelta(days=1))
    bars = pictures.bar_chart_svg([("2030-01-01", 3, 1), ("2030-01-02", 5, 0)])
    for svg in (history, bars):
        sizes = displayed_font_sizes(svg)
        assert sizes and min(sizes) >= MIN_TEXT_PX
        assert svg.count("<text") == len(sizes)  # every text has its size


def test_the_submissions_chart_has_whole_number_ticks():
    labels = tick_labels(pictures.bar_chart_svg([("2030-01-01", 1, 0)]))
    assert labels and all(label.isdigit() for label in labels)


def test_the_hotspot_legend_shows_its_scale_as_a_colour_bar():
    counts = {(r, c): (r + c) % 9 for r in range(12) for c in range(10)}
    image = Image.open(io.BytesIO(pictures.hotspot_map(rows=12, cols=10, counts=counts, flagged=[]))).convert("RGB")
    legend = image.crop((0, 12 * 16 + 1, image.width, image.height))
    shades = {legend.getpixel((x, y)) for x in range(legend.width) for y in range(legend.height)}
    # The old legend had one red swatch; the scale shows the gradient of the map's shades.
    heat = {pictures._heat(v / 1000) for v in range(1, 1001)}
    assert len(shades & heat) >= 10


def test_the_hotspot_scale_values_follow_the_readers_format():
    counts = {(0, c): c * 400 for c in range(10)}  # up to 3,600 incidents: a thousands separator
    drawn = []
    real = pictures.format_number

    def spy(value, *, decimals, locale):
        drawn.append(real(value, decimals=decimals, locale=locale))
        return drawn[-1]

    pictures.format_number = spy
    try:
        pictures.hotspot_map(rows=1, cols=10, counts=counts, flagged=[], texts=pictures.Texts(locale="pt"))
    finally:
        pictures.format_number = real
    assert drawn[0] == "0" and drawn[-1] == "3.600"


def test_the_network_picture_gives_each_shown_community_its_own_colour():
    communities = {f"n{i:03d}": 1 + i % 15 for i in range(150)}
    image = Image.open(io.BytesIO(pictures.network_picture(communities=communities, edges=[]))).convert("RGB")
    colours = {image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)}
    palette = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in pictures.PALETTE}
    assert len(colours & palette) == 15


def test_the_network_picture_says_so_when_colours_repeat():
    said = []
    texts = pictures.Texts(colours_repeat=lambda n, colours: said.append((n, colours)) or "repeat")
    communities = {f"n{i:03d}": 1 + i % 25 for i in range(100)}
    pictures.network_picture(communities=communities, edges=[], texts=texts)
    assert said == [(25, len(pictures.PALETTE))]
    said.clear()
    pictures.network_picture(communities={"a": 1, "b": 2}, edges=[], texts=texts)
    assert said == []


@pytest.mark.django_db
def test_the_leaderboard_chart_uses_the_metrics_range_and_the_readers_format(client):
    phase = open_phase()  # detection: average precision, in [0, 1]
    scored(phase, team_in(phase, name="Alpha"), 0.02)
    leaderboard_rebuild(phase=phase)
    response = client.get(f"/phases/{phase.pk}/leaderboard/", HTTP_ACCEPT_LANGUAGE="pt")
    assert response.status_code == 200
    labels = tick_labels(chart_svgs(response.content.decode()))
    assert labels and all("," in label for label in labels)
    assert all(float(label.replace(",", ".")) >= 0 for label in labels)
