"""Pictures are pure functions: PNG maps and graphs, SVG charts with every text escaped."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from submissions import pictures


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def test_the_hotspot_map_is_a_png_of_the_grid_with_a_legend():
    counts = {(r, c): (r * c) % 5 for r in range(20) for c in range(30)}
    data = pictures.hotspot_map(rows=20, cols=30, counts=counts, flagged=[(1, 1), (2, 3)])
    width, height = png_size(data)
    assert data.startswith(b"\x89PNG") and width > height > 0


def test_flagged_cells_are_the_top_fraction_with_ties_at_the_cut_included():
    scores = {f"c{i}": float(i) for i in range(100)}
    assert pictures.flagged_cells(scores, 0.05) == {"c95", "c96", "c97", "c98", "c99"}
    tied = {"a": 1.0, "b": 1.0, "c": 0.0}
    assert pictures.flagged_cells(tied, 0.3) == {"a", "b"}


def test_the_network_picture_draws_the_predicted_communities():
    communities = {f"n{i}": (i % 4) for i in range(60)}
    edges = [(f"n{i}", f"n{i + 4}") for i in range(50)]
    assert png_size(pictures.network_picture(communities=communities, edges=edges)) == (640, 640)


def test_the_network_picture_says_so_when_no_node_is_in_a_community():
    assert pictures.network_picture(communities={"n1": 0}, edges=[]).startswith(b"\x89PNG")


def test_the_history_chart_is_svg_with_a_step_line_per_team_and_escaped_names():
    start = datetime(2030, 1, 1, tzinfo=UTC)
    series = {
        "<script>alert(1)</script>": [(start + timedelta(hours=1), 0.5), (start + timedelta(hours=5), 0.7)],
        "Beta": [(start + timedelta(hours=2), 0.6)],
    }
    svg = pictures.history_svg(series, start=start, end=start + timedelta(days=1))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<path") == 2


def test_the_history_chart_without_scores_says_so():
    start = datetime(2030, 1, 1, tzinfo=UTC)
    assert "No scored submission yet" in pictures.history_svg({}, start=start, end=start + timedelta(days=1))


@pytest.mark.parametrize("days", [[], [("2030-01-01", 3, 1), ("2030-01-02", 5, 0)]])
def test_the_submissions_chart_is_svg(days):
    svg = pictures.bar_chart_svg(days)
    assert svg.startswith("<svg") and "</svg>" in svg


def test_pictures_draw_accented_letters_with_the_vendored_font():
    # Pillow's built-in font draws é, ç, ã, ñ as the "missing glyph" box; the vendored DejaVu Sans has them.
    assert pictures.FONT_PATH.is_file() and (pictures.FONT_PATH.parent / "LICENSE").is_file()
    font = pictures.font(14)
    missing = bytes(font.getmask("\ue000"))  # a private-use code point: no font has it
    for letter, plain in (("é", "e"), ("ç", "c"), ("ã", "a"), ("ñ", "n")):
        drawn = bytes(font.getmask(letter))
        assert drawn != missing and drawn != bytes(font.getmask(plain)), letter


def test_the_hotspot_legend_uses_the_callers_texts_and_wraps_when_they_are_long():
    counts = {(r, c): r % 3 for r in range(12) for c in range(10)}
    short = pictures.hotspot_map(rows=12, cols=10, counts=counts, flagged=[], texts=pictures.Texts("a", "b"))
    long = pictures.Texts(true_incidents="incidentes reais", flagged_cells="células sinalizadas")
    wrapped = pictures.hotspot_map(rows=12, cols=10, counts=counts, flagged=[], texts=long)
    assert png_size(wrapped)[0] == png_size(short)[0]
    assert png_size(wrapped)[1] > png_size(short)[1]  # the legend went on two lines instead of being cut


def test_the_svg_charts_use_the_callers_texts():
    texts = pictures.Texts(
        history_title="Mejor puntuación",
        no_scored_submission="Todavía no hay envíos evaluados.",
        day_summary=lambda day, n, failed: f"{day}: {n} envíos ({failed} fallidos)",
    )
    start = datetime(2030, 1, 1, tzinfo=UTC)
    empty = pictures.history_svg({}, start=start, end=start + timedelta(days=1), texts=texts)
    assert "Todavía no hay envíos evaluados." in empty and "Mejor puntuación" in empty
    assert "2030-01-01: 3 envíos (1 fallidos)" in pictures.bar_chart_svg([("2030-01-01", 3, 1)], texts=texts)
