"""Pictures of submissions and leaderboards: pure functions (no ORM, no files), so they test without a database.

- `hotspot_map`: the fictional city's grid, true incidents of a split as shades, flagged cells outlined (PNG).
- `network_picture`: the predicted communities of a network submission with the ties among them (PNG).
- `history_svg`: the best score over time of the top teams (SVG, server-rendered, no script).
- `bar_chart_svg`: submissions per day (SVG) for the organizer dashboard.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

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
    labels: tuple[str, str] = ("true incidents", "flagged cells"),
) -> bytes:
    """A PNG map: study cells white to red by true incidents, cells outside the study area grey,
    flagged cells outlined in blue. `counts` holds every study cell (zeros included)."""
    cell = max(2, min(16, max_px // max(rows, cols, 1)))
    legend_h = 28
    image = Image.new("RGB", (cols * cell + 1, rows * cell + 1 + legend_h), "#d9d9d9")
    draw = ImageDraw.Draw(image)
    top = max(counts.values(), default=0) or 1
    for (r, c), n in counts.items():
        x, y = c * cell, r * cell
        draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=_heat(math.sqrt(n / top)) if n else "#ffffff")
    width = 2 if cell >= 6 else 1
    for r, c in flagged:
        x, y = c * cell, r * cell
        draw.rectangle([x, y, x + cell - 1, y + cell - 1], outline="#0b3d91", width=width)
    y0 = rows * cell + 6
    draw.rectangle([4, y0, 18, y0 + 14], fill=_heat(1.0))
    draw.text((22, y0 + 1), labels[0], fill="#000000")
    draw.rectangle([120, y0, 134, y0 + 14], outline="#0b3d91", width=2)
    draw.text((138, y0 + 1), labels[1], fill="#000000")
    return _png(image)


def network_picture(
    *,
    communities: Mapping[str, int],
    edges: Iterable[tuple[str, str]],
    max_nodes: int = 400,
    size: int = 640,
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
        draw.text((20, size // 2), "No node was placed in a community.", fill="#000000")
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
    draw.text((8, 8), f"{len(kept)} communities, {total} nodes", fill="#000000")
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
    title: str = "Best score over time",
    width: int = 720,
    height: int = 320,
) -> str:
    """An SVG step chart: each team's best score so far, from `start` to `end` (a legend lists the teams)."""
    left, right, top, bottom = 56, 180, 16, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for _, v in points]
    parts = _svg_open(width, height, title)
    if not values:
        parts.append(f'<text x="{left}" y="{height // 2}">No scored submission yet.</text></svg>')
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
    days: Sequence[tuple[str, int, int]], *, title: str = "Submissions per day", width: int = 720, height: int = 220
) -> str:
    """An SVG bar chart of (day, uploads, failed): uploads in blue, the failed part in red."""
    left, top, bottom = 40, 12, 30
    parts = _svg_open(width, height, title)
    if not days:
        parts.append(f'<text x="{left}" y="{height // 2}">No submission yet.</text></svg>')
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
            f"<g><title>{escape(day)}: {n} ({failed} failed)</title>"
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
