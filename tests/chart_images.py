"""Charts in a rendered page are `<img>`s with an SVG data URI (`hackplatform.svgimage`): these read them back,
so a test can look inside a chart drawn in a page as it would in the builder's SVG."""

from __future__ import annotations

import base64
import html
import re

_CHART_IMG = re.compile(r'<img class="chart" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]*\balt="([^"]*)"')


def chart_images(page: str) -> list[tuple[str, str]]:
    """(alt text, SVG document) of every chart image in `page`, in page order."""
    return [(html.unescape(alt), base64.b64decode(data).decode("utf-8")) for data, alt in _CHART_IMG.findall(page)]


def chart_svgs(page: str) -> str:
    """Every chart's SVG in `page`, one after another (for tests that search the charts' text)."""
    return "".join(svg for _alt, svg in chart_images(page))
