"""Server-rendered SVG charts (no JavaScript, no outside library), readable by screen readers.

Each chart is an <svg role="img"> with a <title> and <desc>, and the caller also shows the numbers
as a table: the chart is a picture of data that is always available as text. Other apps may use
these too (e.g. submissions' "submissions over time" dashboard panel).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def bar_chart(
    rows: Sequence[tuple[str, int | float]], *, title: str, width: int = 560, bar_height: int = 22
) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    if not rows:
        return format_html('<p class="muted">{}</p>', title)
    label_w, gap = 150, 6
    height = len(rows) * (bar_height + gap) + gap
    top = max(value for _label, value in rows) or 1
    scale = (width - label_w - 60) / top
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(', '.join(f'{label}: {value}' for label, value in rows))}</desc>"
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        w = max(1.0, value * scale)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.72:.1f}" text-anchor="end" class="chart-label">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" class="chart-bar"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.72:.1f}" class="chart-value">{escape(str(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    points: Sequence[tuple[date, int | float]], *, title: str, width: int = 560, height: int = 200
) -> SafeString:
    """A line over days (or any ordered x): points [(day, value)], axes labelled with the ends and the max."""
    if not points:
        return format_html('<p class="muted">{}</p>', title)
    left, right, top_pad, bottom = 40, 10, 10, 28
    inner_w, inner_h = width - left - right, height - top_pad - bottom
    top = max(value for _x, value in points) or 1
    n = len(points)
    coords = []
    for i, (_x, value) in enumerate(points):
        x = left + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)
        y = top_pad + inner_h - inner_h * value / top
        coords.append(f"{x:.1f},{y:.1f}")
    first, last = str(points[0][0]), str(points[-1][0])
    svg = (
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(', '.join(f'{x}: {v}' for x, v in points))}</desc>"
        f'<line x1="{left}" y1="{top_pad + inner_h}" x2="{width - right}" y2="{top_pad + inner_h}" class="chart-axis"/>'
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + inner_h}" class="chart-axis"/>'
        f'<text x="{left - 4}" y="{top_pad + 10}" text-anchor="end" class="chart-label">{escape(str(top))}</text>'
        f'<text x="{left - 4}" y="{top_pad + inner_h}" text-anchor="end" class="chart-label">0</text>'
        f'<text x="{left}" y="{height - 8}" class="chart-label">{escape(first)}</text>'
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end" class="chart-label">{escape(last)}</text>'
        f'<polyline points="{" ".join(coords)}" class="chart-line"/>'
        + "".join(f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="3" class="chart-dot"/>' for c in coords)
        + "</svg>"
    )
    return mark_safe(svg)
