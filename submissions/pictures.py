"""Pictures of submissions and leaderboards: pure functions (no ORM, no files), so they test without a database.

- `hotspot_map`: the fictional city's grid shaded by incident counts, flagged cells outlined (PNG). Before the
  results are published the views pass the participant-facing history (history.csv), never the truth:
  decoding the shades of a truth map gives the hidden counts cell by cell.
- `network_picture`: the predicted communities of a network submission with the ties among them (PNG).
- `history_svg`: the best score over time of the top teams (SVG, server-rendered, no script).
- `bar_chart_svg`: submissions per day (SVG) for the organizer dashboard.

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


ENGLISH = Texts()


@cache
def font(size: int = 12) -> ImageFont.FreeTypeFont:
    """DejaVu Sans: Latin letters with every accent the site's languages use."""
    return ImageFont.truetype(str(FONT_PATH), size)


# Colour-blind-safe palette (Okabe–Ito) plus a few darker tones.
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

    The legend (two swatches and their labels) goes on one line below the map when it fits the map's
    width, else on two lines, so longer translations are never cut."""
    cell = max(2, min(16, max_px // max(rows, cols, 1)))
    width = cols * cell + 1
    text_font = font(12)
    swatch, gap, line_h = 14, 4, 20
    counts_label = texts.true_incidents if counts_label is None else counts_label
    label_w = [math.ceil(text_font.getlength(label)) for label in (counts_label, texts.flagged_cells)]
    one_line = 4 + swatch + gap + label_w[0] + 16 + swatch + gap + label_w[1] <= width
    legend_h = 8 + (line_h if one_line else 2 * line_h)
    image = Image.new("RGB", (width, rows * cell + 1 + legend_h), "#d9d9d9")
    draw = ImageDraw.Draw(image)
    top = max(counts.values(), default=0) or 1
    for (r, c), n in counts.items():
        x, y = c * cell, r * cell
        draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=_heat(math.sqrt(n / top)) if n else "#ffffff")
    outline = 2 if cell >= 6 else 1
    for r, c in flagged:
        x, y = c * cell, r * cell
        draw.rectangle([x, y, x + cell - 1, y + cell - 1], outline="#0b3d91", width=outline)
    y0 = rows * cell + 6
    draw.rectangle([4, y0, 4 + swatch, y0 + swatch], fill=_heat(1.0))
    draw.text((4 + swatch + gap, y0 + 1), counts_label, fill="#000000", font=text_font)
    x1, y1 = (4 + swatch + gap + label_w[0] + 16, y0) if one_line else (4, y0 + line_h)
    draw.rectangle([x1, y1, x1 + swatch, y1 + swatch], outline="#0b3d91", width=2)
    draw.text((x1 + swatch + gap, y1 + 1), texts.flagged_cells, fill="#000000", font=text_font)
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
    per community, with the ties among them. The largest communities are kept up to `max_nodes` nodes."""
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
    draw.text((8, 8), texts.network_summary(len(kept), total), fill="#000000", font=font(13))
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
    height: int = 320,
    texts: Texts = ENGLISH,
) -> str:
    """An SVG step chart: each team's best score so far, from `start` to `end` (a legend lists the teams)."""
    left, right, top, bottom = 56, 180, 16, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for _, v in points]
    parts = _svg_open(width, height, texts.history_title if title is None else title)
    if not values:
        parts.append(f'<text x="{left}" y="{height // 2}">{escape(texts.no_scored_submission)}</text></svg>')
        return "".join(parts)
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    span = max((end - start).total_seconds(), 1.0)

    def x_of(at: datetime) -> float:
        return left + plot_w * min(max((at - start).total_seconds() / span, 0.0), 1.0)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#c8c8c8"/>'
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{hi:.4g}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">{lo:.4g}</text>'
        f'<text x="{left}" y="{height - 10}" font-size="11">{escape(start.strftime("%Y-%m-%d"))}</text>'
        f'<text x="{left + plot_w}" y="{height - 10}" text-anchor="end" font-size="11">'
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
        ly = top + 14 + 18 * i
        parts.append(
            f'<rect x="{left + plot_w + 12}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + plot_w + 26}" y="{ly}" font-size="12">{escape(name[:22])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart_svg(
    days: Sequence[tuple[str, int, int]],
    *,
    title: str | None = None,
    width: int = 720,
    height: int = 220,
    texts: Texts = ENGLISH,
) -> str:
    """An SVG bar chart of (day, uploads, failed): uploads in blue, the failed part in red."""
    left, top, bottom = 40, 12, 30
    parts = _svg_open(width, height, texts.submissions_title if title is None else title)
    if not days:
        parts.append(f'<text x="{left}" y="{height // 2}">{escape(texts.no_submission)}</text></svg>')
        return "".join(parts)
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max(n for _, n, _ in days) or 1
    bar = plot_w / len(days)
    parts.append(
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>'
    )
    for i, (day, n, failed) in enumerate(days):
        x = left + i * bar
        h = plot_h * n / peak
        hf = plot_h * failed / peak
        parts.append(
            f"<g><title>{escape(texts.day_summary(day, n, failed))}</title>"
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="#1d4e89"/>'
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - hf:.1f}" width="{max(bar - 2, 1):.1f}" height="{hf:.1f}" '
            f'fill="#a4161a"/></g>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="11">{escape(days[0][0])}</text>'
        f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" font-size="11">{escape(days[-1][0])}</text></svg>'
    )
    return "".join(parts)
