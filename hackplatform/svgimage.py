"""Charts as pictures: an SVG drawn by the server, embedded as `<img src="data:image/svg+xml;base64,...">`
with an alt text that carries its data.

Why an image and not inline SVG: axe-core cannot tell the background behind inline SVG text, so every
label of an inline chart is left as colour contrast "to review" (issue 11); an `<img>` with a meaningful
`alt` is one element that passes, and a screen reader reads the alt (title and values) in one go instead
of wandering through loose tick labels. The CSP already allows `data:` images (`img-src 'self' data:`).

Page CSS does not reach inside an image, so `svg_image` puts a `<style>` into the SVG with the chart
colours of the design tokens in `static/css/site.css`, light and dark. `CHART_COLOURS` is the one copy of
those tokens in Python; `tests/test_svgimage.py` checks it against the stylesheet, so a colour changed
there fails a test until it is changed here too.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

from babel.lists import format_list
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .ticks import babel_locale

# token name in site.css -> (light value, dark value). Only the tokens charts draw with.
CHART_COLOURS: dict[str, tuple[str, str]] = {
    "fg": ("#1b1f24", "#e6e9ee"),
    "muted": ("#4f5a67", "#a9b3c1"),
    "border": ("#d3d9e0", "#343d4a"),
    "accent": ("#1d4e89", "#8ab4f8"),
    "err": ("#a4161a", "#ff9a9a"),
}
# The value of `--font-sans` in site.css: text in an image does not inherit the page's font.
CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'

# CSS selector -> (property, token). The builders mark their shapes with these classes; plain `<text>`
# is drawn in the text colour. Black ink (a team's line in the history chart's palette) becomes the text
# colour in dark mode, where black would vanish on the dark background.
CHART_RULES: tuple[tuple[str, str, str], ...] = (
    ("text", "fill", "fg"),
    (".chart-muted", "fill", "muted"),
    (".chart-bar", "fill", "accent"),
    (".chart-failed", "fill", "err"),
    (".chart-line", "stroke", "accent"),
    (".chart-axis", "stroke", "muted"),
    (".chart-grid", "stroke", "border"),
    (".chart-frame", "stroke", "border"),
)
INK_RULES: tuple[tuple[str, str], ...] = (('[stroke="#000000"]', "stroke"), ('[fill="#000000"]', "fill"))


def chart_style() -> str:
    """The `<style>` put into every chart image: the light colours, then the dark ones under the media query."""
    light = "".join(f"{sel}{{{prop}:{CHART_COLOURS[token][0]}}}" for sel, prop, token in CHART_RULES)
    dark = "".join(f"{sel}{{{prop}:{CHART_COLOURS[token][1]}}}" for sel, prop, token in CHART_RULES)
    dark += "".join(f"{sel}{{{prop}:{CHART_COLOURS['fg'][1]}}}" for sel, prop in INK_RULES)
    return f"<style>svg{{font-family:{CHART_FONT}}}{light}@media (prefers-color-scheme: dark){{{dark}}}</style>"


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="\s*[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+([\d.]+)\s*"')


def svg_image(svg: str, *, alt: str, css_class: str = "chart") -> SafeString:
    """The SVG `svg` as an `<img>` with a data URI, its colours inside, `alt` as its text alternative.

    Width and height come from the viewBox (the browser keeps the space, and CSS scales it). A builder's
    sentence instead of an empty chart (`<p>...</p>`, not an SVG) is returned unchanged."""
    opening = _SVG_OPEN.search(svg)
    if opening is None:
        return SafeString(svg)
    tag = opening.group(0)
    if "xmlns=" not in tag:  # an SVG loaded as an image needs its namespace
        tag = tag.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    document = svg[: opening.start()] + tag + chart_style() + svg[opening.end() :]
    size = _VIEWBOX.search(tag)
    width, height = (round(float(size.group(1))), round(float(size.group(2)))) if size else (640, 320)
    data = base64.b64encode(document.encode("utf-8")).decode("ascii")
    return format_html(
        '<img class="{}" src="data:image/svg+xml;base64,{}" width="{}" height="{}" alt="{}">',
        css_class,
        data,
        width,
        height,
        alt,
    )


def chart_alt(title: str, items: Sequence[str]) -> str:
    """The alt text of a chart: its title and its values as a list in the reader's language
    ("Registrations by country: Brazil (BR) 12, Colombia (CO) 9 and France (FR) 3")."""
    if not items:
        return title
    values = format_list(list(items), style="standard", locale=babel_locale(get_language() or "en"))
    # Translators: the text alternative of a chart: its title, then its values ("Best score over time: Alpha 0.9").
    return _("%(title)s: %(values)s") % {"title": title, "values": values}
