"""Chart axes: a range with rounded ("nice") ticks, and numbers written the reader's way.

Plain Python plus Babel (no Django), so the picture module (`submissions/pictures.py`) and the SVG charts
(`challenges/charts.py`) share one rule. The ticks follow Heckbert's nice-number rule (steps of 1, 2
or 5 times a power of ten); every label of one axis has the same number of decimals; a metric's known
range (e.g. [0, 1]) bounds the axis so it never runs past what the metric can reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel.numbers import format_decimal

NICE_STEPS = (1.0, 2.0, 5.0, 10.0)

# Charts are shown at most this wide (CSS: `svg.chart { max-width: 36rem }`); their text is sized so it
# reads at least MIN_TEXT_PX there.
DISPLAY_WIDTH = 576
MIN_TEXT_PX = 12


def svg_font_size(width: int) -> int:
    """The font size, in the SVG's own units, that shows at least MIN_TEXT_PX when drawn DISPLAY_WIDTH wide."""
    return math.ceil(MIN_TEXT_PX * max(width, DISPLAY_WIDTH) / DISPLAY_WIDTH)


@dataclass(frozen=True)
class Axis:
    lo: float
    hi: float
    ticks: tuple[float, ...]
    decimals: int

    def label(self, value: float, locale: str) -> str:
        return format_number(value, decimals=self.decimals, locale=locale)


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    for step in NICE_STEPS:
        if fraction <= step + 1e-9:
            return step * 10**exponent
    return 10.0 ** (exponent + 1)  # pragma: no cover (fraction < 10 always)


def _decimals(step: float) -> int:
    """The fewest decimals that write every multiple of `step` exactly (0.25 -> 2, 0.5 -> 1, 20 -> 0)."""
    for decimals in range(10):
        if abs(step * 10**decimals - round(step * 10**decimals)) < 1e-6:
            return decimals
    return 9


def nice_axis(
    lo: float,
    hi: float,
    *,
    max_ticks: int = 5,
    floor: float | None = None,
    ceiling: float | None = None,
) -> Axis:
    """An axis covering [lo, hi] with about `max_ticks` rounded ticks, never below `floor` nor above `ceiling`."""
    if floor is not None:
        lo = max(lo, floor)
    if ceiling is not None:
        hi = min(hi, ceiling)
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo < 1e-12:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        if floor is not None:
            lo = max(lo, floor)
        if ceiling is not None:
            hi = min(hi, ceiling)
    step = _nice_step((hi - lo) / max(1, max_ticks - 1))
    start, stop = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    if floor is not None:
        start = max(start, floor)
    if ceiling is not None:
        stop = min(stop, ceiling)
    decimals = _decimals(step)
    count = round((stop - start) / step)
    ticks = [round(start + i * step, decimals + 2) for i in range(count + 1)]
    ticks = [t for t in ticks if start - 1e-9 <= t <= stop + 1e-9]
    return Axis(lo=start, hi=stop, ticks=tuple(ticks), decimals=decimals)


def babel_locale(language: str | None) -> str:
    """Django's language code ("pt-br", "es") as Babel's locale name ("pt_BR", "es")."""
    language = (language or "en").replace("-", "_")
    head, _, tail = language.partition("_")
    return f"{head}_{tail.upper()}" if tail else head


def format_number(value: float, *, decimals: int, locale: str) -> str:
    """`value` with exactly `decimals` decimals, in the locale's way (0.25 -> "0,25" in es, pt, fr)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale(locale))


def format_score(value: float, *, locale: str, max_decimals: int = 6) -> str:
    """A score as the leaderboard writes it (at most 6 decimals), without trailing zeros, the locale's way
    (0.91 -> "0,91" in es, pt, fr)."""
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale(locale))
