"""Server-rendered SVG charts (no JavaScript, no outside library), readable by screen readers.

Each chart is an <svg role="img"> with a <title> and <desc>; pages embed it as an image
(`hackplatform.svgimage.svg_image`) whose alt text is the title and the `*_summary` of its values, and
the caller also shows the numbers as a table: the chart is a picture of data always available as
text. Axes have rounded ticks and numbers in the reader's format (`hackplatform.ticks`); text is sized
to read at least 12 px at the chart's largest displayed width.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from hackplatform.ticks import format_number, nice_axis, svg_font_size


def _locale() -> str:
    return get_language() or "en"


def _number(value: int | float, locale: str) -> str:
    return format_number(value, decimals=0 if float(value).is_integer() else 2, locale=locale)


def bar_chart_summary(rows: Sequence[tuple[str, int | float]]) -> list[str]:
    """What `bar_chart` shows, as text: "Brazil (BR) 12" per row, numbers in the reader's format (the
    chart's alt text, `hackplatform.svgimage.chart_alt`, adds the title)."""
    locale = _locale()
    return [f"{label} {_number(value, locale)}" for label, value in rows]


def column_chart_summary(points: Sequence[tuple[date, int]]) -> list[str]:
    """What `column_chart` shows, as text: "3 May 2030: 12" per day, dates and numbers the reader's way."""
    locale = _locale()
    return [f"{date_format(day, 'DATE_FORMAT')}: {_number(value, locale)}" for day, value in points]


def bar_chart(
    rows: Sequence[tuple[str, int | float]], *, title: str, width: int = 560, bar_height: int = 22
) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    if not rows:
        return format_html('<p class="muted">{}</p>', title)
    locale, fs = _locale(), svg_font_size(width)
    label_w, gap = 150, 6
    height = len(rows) * (bar_height + gap) + gap
    top = max(value for _label, value in rows) or 1
    scale = (width - label_w - 60) / top
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(', '.join(f'{label}: {_number(value, locale)}' for label, value in rows))}</desc>"
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        w = max(1.0, value * scale)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.72:.1f}" text-anchor="end" font-size="{fs}" '
            f'class="chart-label">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" class="chart-bar"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.72:.1f}" font-size="{fs}" '
            f'class="chart-value">{escape(_number(value, locale))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_chart(points: Sequence[tuple[date, int]], *, title: str, width: int = 560, height: int = 220) -> SafeString:
    """One column per day [(day, count)], whole-number ticks from 0. A single day is one column (a line
    through one point would be a lone dot); columns are at most 48 units wide so one day is not a wall."""
    if not points:
        return format_html('<p class="muted">{}</p>', title)
    locale, fs = _locale(), svg_font_size(width)
    left, right, top_pad, bottom = 3 * fs, 10, fs, 2 * fs + 6
    inner_w, inner_h = width - left - right, height - top_pad - bottom
    axis = nice_axis(0, max(max(value for _x, value in points), 1), floor=0, max_ticks=4)
    if axis.decimals:  # counts are whole: never a tick at 0.5
        axis = nice_axis(0, max(axis.hi, 2), floor=0, max_ticks=3)
    slot = inner_w / len(points)
    column = min(slot * 0.8, 48)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(', '.join(f'{x}: {_number(v, locale)}' for x, v in points))}</desc>"
    ]
    for tick in axis.ticks:
        y = top_pad + inner_h - inner_h * tick / axis.hi
        parts.append(
            f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="chart-axis"/>'
            f'<text x="{left - 6}" y="{y + fs / 3:.1f}" text-anchor="end" font-size="{fs}" class="chart-label">'
            f"{escape(axis.label(tick, locale))}</text>"
        )
    for i, (x, value) in enumerate(points):
        h = inner_h * value / axis.hi
        cx = left + slot * i + (slot - column) / 2
        parts.append(
            f"<g><title>{escape(f'{x}: {_number(value, locale)}')}</title>"
            f'<rect x="{cx:.1f}" y="{top_pad + inner_h - h:.1f}" width="{column:.1f}" height="{h:.1f}" '
            f'class="chart-bar"/></g>'
        )
    first_x = left + (slot - column) / 2
    parts.append(
        f'<text x="{first_x:.1f}" y="{height - 8}" font-size="{fs}" class="chart-label">{escape(str(points[0][0]))}</text>'
    )
    if len(points) > 1:
        parts.append(
            f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="{fs}" class="chart-label">'
            f"{escape(str(points[-1][0]))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
