"""Pictures of submissions and leaderboards: pure functions (no ORM, no files), so they test without a database.

- `hotspot_map`: the fictional city's grid shaded by incident counts, flagged cells outlined (PNG). Before the
  results are published the views pass the participant-facing history (history.csv), never the truth:
  decoding the shades of a truth map gives the hidden counts cell by cell.
- `network_picture`: the predicted communities of a network submission with the ties among them (PNG).
- `history_svg`: the best score over time of the top teams (SVG, server-rendered, no script).
- `bar_chart_svg`: submissions per day (SVG) for the organizer dashboard.
- `history_summary`, `bar_chart_summary`: what those two charts show, as text (pages embed the charts
  as images, `hackplatform.svgimage`, whose alt text is the title and these values).

Every text a picture shows comes from a `Texts` (English by default): the views pass one translated into
the viewer's language, so this module needs neither gettext nor the ORM. PNG text is drawn with the
DejaVu Sans font kept next to this module (fonts/, Bitstream Vera licence), because Pillow's built-in
font has no accented letters (é, ç, ã, ñ are drawn as boxes).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from hackplatform.ticks import format_number, format_score, nice_axis, svg_font_size

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class Texts:
    """The texts drawn in pictures. The defaults are English; views pass translated ones."""

    true_incidents: str = "true incidents"
    flagged_cells: str = "flagged cells"
    history_incidents: str = "past incidents (history)"
    no_community: str = "No node was placed in a community."
    # (communities, nodes) -> "3 communities, 120 nodes"
    network_summary: Callable[[int, int], str] = lambda communities, nodes: (
        f"{_plural(communities, 'community', 'communities')}, {_plural(nodes, 'node', 'nodes')}"
    )
    history_title: str = "Best score over time"
    no_scored_submission: str = "No scored submission yet."
    submissions_title: str = "Submissions per day"
    no_submission: str = "No submission yet."
    # (day, uploads, failed) -> "2030-01-01: 3 (1 failed)"
    day_summary: Callable[[str, int, int], str] = lambda day, n, failed: f"{day}: {n} ({failed} failed)"
    # (communities shown, colours available) -> a note drawn when colours must repeat
    colours_repeat: Callable[[int, int], str] = lambda communities, colours: (
        f"{communities} communities, {colours} colours: colours repeat"
    )
    # The reader's language: numbers on axes and scales are written its way (decimal comma in es/pt/fr).
    locale: str = "en"


ENGLISH = Texts()


@cache
def font(size: int = 12) -> ImageFont.FreeTypeFont:
    """DejaVu Sans: Latin letters with every accent the site's languages use."""
    return ImageFont.truetype(str(FONT_PATH), size)


# Colour-blind-safe palette (Okabe–Ito) first, then distinct darker and lighter tones (Tableau 20 and
# Kelly's colours): 20 colours, so up to 20 communities or teams each get their own.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#8c564b",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#9467bd",
    "#ff9896",
    "#98df8a",
    "#c5b0d5",
    "#f7b6d2",
    "#dbdb8d",
    "#ad494a",
    "#393b79",
]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _heat(value: float) -> tuple[int, int, int]:
    """White → orange → dark red for 0..1."""
    value = max(0.0, min(1.0, value))
    if value < 0.5:
        t = value / 0.5
        return (255, int(255 - t * (255 - 170)), int(255 - t * 255))
    t = (value - 0.5) / 0.5
    return (int(255 - t * (255 - 150)), int(170 - t * 170), 0)


def flagged_cells(scores: Mapping[str, float], fraction: float) -> set[str]:
    """The top `fraction` of cells by score, k = max(1, round(fraction * N)) as the scoring spec says;
    cells tied at the cut are all drawn (the picture shows them, the metric gives them fractional credit)."""
    if not scores:
        return set()
    k = max(1, round(fraction * len(scores)))
    threshold = sorted(scores.values(), reverse=True)[k - 1]
    return {cell for cell, score in scores.items() if score >= threshold}


def hotspot_map(
    *,
    rows: int,
    cols: int,
    counts: Mapping[tuple[int, int], int],
    flagged: Iterable[tuple[int, int]],
    max_px: int = 720,
    texts: Texts = ENGLISH,
    counts_label: str | None = None,
) -> bytes:
    """A PNG map: study cells white to red by `counts`, cells outside the study area grey, flagged cells
    outlined in blue. `counts` holds every study cell (zeros included); `counts_label` names them in the
    legend (default: `texts.true_incidents`).

    The legend names the shading and shows its scale (a colour bar from 0 to the largest count, with values
    in the reader's number format); the flagged-cell swatch goes on the same line as the shading's name when
    both fit the map's width, else on a line of its own, so longer translations are never cut."""
    cell = max(2, min(16, max_px // max(rows, cols, 1)))
    width = max(cols * cell + 1, 240)
    text_font = font(13)
    swatch, gap, line_h = 14, 4, 22
    counts_label = texts.true_incidents if counts_label is None else counts_label
    top = max(counts.values(), default=0) or 1
    # The scale: a colour bar from 0 to the largest count with values under it, then the flagged swatch.
    bar_w = 120
    scale_values = sorted({0, round(top / 4), top}) if top >= 4 else list(range(top + 1))
    label_w = [math.ceil(text_font.getlength(label)) for label in (counts_label, texts.flagged_cells)]
    scale_h = swatch + 4 + line_h
    # The flagged swatch goes on the label's line when both fit the map's width, else on a line of its own.
    one_line = 4 + label_w[0] + 24 + swatch + gap + label_w[1] <= width
    legend_h = 8 + line_h + scale_h + (0 if one_line else line_h)
    image = Image.new("RGB", (width, rows * cell + 1 + legend_h), "#d9d9d9")
    draw = ImageDraw.Draw(image)
    for (r, c), n in counts.items():
        x, y = c * cell, r * cell
        draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=_heat(math.sqrt(n / top)) if n else "#ffffff")
    outline = 2 if cell >= 6 else 1
    for r, c in flagged:
        x, y = c * cell, r * cell
        draw.rectangle([x, y, x + cell - 1, y + cell - 1], outline="#0b3d91", width=outline)
    y0 = rows * cell + 6
    draw.text((4, y0), counts_label, fill="#000000", font=text_font)
    yb = y0 + line_h
    for i in range(bar_w):
        n = top * (i / (bar_w - 1)) ** 2  # the map's shade is sqrt(n / top): the bar's x is that shade
        draw.line([(4 + i, yb), (4 + i, yb + swatch)], fill=_heat(math.sqrt(n / top)) if n else "#ffffff")
    draw.rectangle([4, yb, 4 + bar_w, yb + swatch], outline="#333333")
    for value in scale_values:
        x = 4 + (bar_w - 1) * math.sqrt(value / top)
        draw.line([(x, yb + swatch), (x, yb + swatch + 3)], fill="#000000")
        text = format_number(value, decimals=0, locale=texts.locale)
        tw = text_font.getlength(text)
        draw.text((min(max(x - tw / 2, 2), width - tw - 2), yb + swatch + 4), text, fill="#000000", font=text_font)
    x1, y1 = (4 + label_w[0] + 24, y0) if one_line else (4, yb + scale_h)
    draw.rectangle([x1, y1, x1 + swatch, y1 + swatch], outline="#0b3d91", width=2)
    draw.text((x1 + swatch + gap, y1), texts.flagged_cells, fill="#000000", font=text_font)
    return _png(image)


def network_picture(
    *,
    communities: Mapping[str, int],
    edges: Iterable[tuple[str, str]],
    max_nodes: int = 400,
    size: int = 640,
    texts: Texts = ENGLISH,
) -> bytes:
    """A PNG of the nodes a team placed in communities (community_id != 0), grouped in circles, one colour
    per community, with the ties among them. The largest communities are kept up to `max_nodes` nodes.
    Each shown community has its own colour up to len(PALETTE) of them; beyond, a note under the summary
    says that colours repeat."""
    groups: dict[int, list[str]] = {}
    for node, community in communities.items():
        if community:
            groups.setdefault(community, []).append(node)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    kept: list[tuple[int, list[str]]] = []
    total = 0
    for community, nodes in ordered:
        if total + len(nodes) > max_nodes and kept:
            break
        kept.append((community, sorted(nodes)[:max_nodes]))
        total += len(nodes)
    image = Image.new("RGB", (size, size), "#ffffff")
    draw = ImageDraw.Draw(image)
    if not kept:
        draw.text((20, size // 2), texts.no_community, fill="#000000", font=font(14))
        return _png(image)
    position: dict[str, tuple[float, float]] = {}
    colour: dict[str, str] = {}
    centre = size / 2
    ring = size * 0.36 if len(kept) > 1 else 0.0
    for i, (_community, nodes) in enumerate(kept):
        angle = 2 * math.pi * i / len(kept)
        cx, cy = centre + ring * math.cos(angle), centre + ring * math.sin(angle)
        radius = min(size * 0.12, 6 + 2.2 * math.sqrt(len(nodes)) * 2)
        for j, node in enumerate(nodes):
            a = 2 * math.pi * j / len(nodes)
            r = radius * (0.35 + 0.65 * ((j * 0.618) % 1)) if len(nodes) > 1 else 0
            position[node] = (cx + r * math.cos(a), cy + r * math.sin(a))
            colour[node] = PALETTE[i % len(PALETTE)]
    for a, b in edges:
        if a in position and b in position:
            draw.line([position[a], position[b]], fill="#bdbdbd", width=1)
    dot = 3 if total > 150 else 4
    for node, (x, y) in position.items():
        draw.ellipse([x - dot, y - dot, x + dot, y + dot], fill=colour[node], outline="#333333")
    draw.text((8, 8), texts.network_summary(len(kept), total), fill="#000000", font=font(14))
    if len(kept) > len(PALETTE):
        draw.text((8, 28), texts.colours_repeat(len(kept), len(PALETTE)), fill="#000000", font=font(14))
    return _png(image)


def _svg_open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]


def history_svg(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    *,
    start: datetime,
    end: datetime,
    title: str | None = None,
    width: int = 720,
    height: int = 340,
    texts: Texts = ENGLISH,
    value_range: tuple[float | None, float | None] = (None, None),
) -> str:
    """An SVG step chart: each team's best score so far, from `start` to `end` (a legend lists the teams).

    The y axis has rounded ticks written in `texts.locale` and never leaves `value_range`, the metric's
    known range (e.g. (0, 1): an axis below 0 would show scores no one can have)."""
    fs = svg_font_size(width)
    left, right, top, bottom = 4 * fs, 13 * fs, fs, 2 * fs + 8
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for _, v in points]
    parts = _svg_open(width, height, texts.history_title if title is None else title)
    if not values:
        parts.append(
            f'<text x="{left}" y="{height // 2}" font-size="{fs}">{escape(texts.no_scored_submission)}</text></svg>'
        )
        return "".join(parts)
    axis = nice_axis(min(values), max(values), floor=value_range[0], ceiling=value_range[1])
    lo, hi = axis.lo, axis.hi
    span = max((end - start).total_seconds(), 1.0)

    def x_of(at: datetime) -> float:
        return left + plot_w * min(max((at - start).total_seconds() / span, 0.0), 1.0)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, lo), hi) - lo) / (hi - lo))

    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#c8c8c8" class="chart-frame"/>'
    )
    for tick in axis.ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e3e3" class="chart-grid"/>'
            f'<text x="{left - 6}" y="{y + fs / 3:.1f}" text-anchor="end" font-size="{fs}" class="chart-tick">'
            f"{escape(axis.label(tick, texts.locale))}</text>"
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="{fs}">{escape(start.strftime("%Y-%m-%d"))}</text>'
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" font-size="{fs}">'
        f"{escape(end.strftime('%Y-%m-%d'))}</text>"
    )
    for i, (name, points) in enumerate(series.items()):
        if not points:
            continue
        colour = PALETTE[i % len(PALETTE)]
        (at0, v0), rest = points[0], points[1:]
        path = [f"M{x_of(at0):.1f} {y_of(v0):.1f}"]
        path += [f"H{x_of(at):.1f} V{y_of(value):.1f}" for at, value in rest]
        path.append(f"H{left + plot_w:.1f}")
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        ly = top + fs + (fs + 8) * i
        parts.append(
            f'<rect x="{left + plot_w + 12}" y="{ly - fs + 2}" width="{fs - 2}" height="{fs - 2}" fill="{colour}"/>'
            f'<text x="{left + plot_w + 12 + fs + 2}" y="{ly}" font-size="{fs}">{escape(name[:18])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def history_summary(series: Mapping[str, Sequence[tuple[datetime, float]]], *, texts: Texts = ENGLISH) -> list[str]:
    """What the history chart shows, as text: each team's latest best score ("Alpha 0.91"), numbers in
    `texts.locale` (the chart's alt text; the views add the title)."""
    return [f"{name} {format_score(points[-1][1], locale=texts.locale)}" for name, points in series.items() if points]


def bar_chart_summary(days: Sequence[tuple[str, int, int]], *, texts: Texts = ENGLISH) -> list[str]:
    """What the submissions chart shows, as text: one `texts.day_summary` per day."""
    return [texts.day_summary(day, n, failed) for day, n, failed in days]


def bar_chart_svg(
    days: Sequence[tuple[str, int, int]],
    *,
    title: str | None = None,
    width: int = 720,
    height: int = 240,
    texts: Texts = ENGLISH,
) -> str:
    """An SVG bar chart of (day, uploads, failed): uploads in blue, the failed part in red; whole-number ticks."""
    fs = svg_font_size(width)
    left, top, bottom = 3 * fs, fs, 2 * fs + 6
    parts = _svg_open(width, height, texts.submissions_title if title is None else title)
    if not days:
        parts.append(f'<text x="{left}" y="{height // 2}" font-size="{fs}">{escape(texts.no_submission)}</text></svg>')
        return "".join(parts)
    plot_w, plot_h = width - left - 10, height - top - bottom
    axis = nice_axis(0, max(max(n for _, n, _ in days), 1), floor=0, max_ticks=4)
    if axis.decimals:  # counts are whole: never a tick at 0.5 uploads
        axis = nice_axis(0, max(axis.hi, 2), floor=0, max_ticks=3)
    peak = axis.hi
    bar = min(plot_w / len(days), 8 * fs)
    for tick in axis.ticks:
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e3e3" class="chart-grid"/>'
            f'<text x="{left - 6}" y="{y + fs / 3:.1f}" text-anchor="end" font-size="{fs}" class="chart-tick">'
            f"{escape(axis.label(tick, texts.locale))}</text>"
        )
    for i, (day, n, failed) in enumerate(days):
        x = left + i * bar
        h = plot_h * n / peak
        hf = plot_h * failed / peak
        parts.append(
            f"<g><title>{escape(texts.day_summary(day, n, failed))}</title>"
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="#1d4e89" class="chart-bar"/>'
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - hf:.1f}" width="{max(bar - 2, 1):.1f}" height="{hf:.1f}" '
            f'fill="#a4161a" class="chart-failed"/></g>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="{fs}">{escape(days[0][0])}</text>'
        + (
            f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" font-size="{fs}">{escape(days[-1][0])}</text>'
            if len(days) > 1
            else ""
        )
        + "</svg>"
    )
    return "".join(parts)
