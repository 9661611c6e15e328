"""The palette in static/css/site.css meets WCAG AA, in light and dark mode (docs/design.md).

The custom properties are read from the stylesheet itself, so a colour changed there is checked here:
text against each background it is drawn on at 4.5:1, focus rings and input borders at 3:1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "site.css"

# (text, background) pairs that the stylesheet actually draws.
TEXT_PAIRS = [
    ("fg", "bg"),
    ("fg", "surface"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("accent", "bg"),
    ("accent", "surface"),
    ("accent", "accent-tint"),
    ("accent-hover", "bg"),
    ("accent-hover", "accent-tint"),
    ("accent-fg", "accent"),
    ("accent-fg", "accent-hover"),
    ("header-fg", "header-bg"),
    ("header-bg", "header-fg"),  # the unread count badge in the header
    ("bg", "err"),  # a danger button
    ("ok", "ok-bg"),
    ("warn", "warn-bg"),
    ("warn", "bg"),  # a deadline closing soon
    ("err", "err-bg"),
    ("err", "bg"),  # form errors
    ("info", "info-bg"),
    ("neutral", "neutral-bg"),
    ("notice", "notice-bg"),
    ("fg", "ok-bg"),
    ("fg", "warn-bg"),
    ("fg", "err-bg"),
    ("fg", "info-bg"),
    ("fg", "notice-bg"),
    ("mine-fg", "mine-bg"),
]
# Non-text parts a person must see (WCAG 1.4.11): 3:1.
UI_PAIRS = [("focus", "bg"), ("focus", "surface"), ("focus-on-dark", "header-bg"), ("border-strong", "bg")]


def _block(css: str, start: int) -> str:
    """The text between the `{` at or after `start` and its matching `}`."""
    opening = css.index("{", start)
    depth = 0
    for i in range(opening, len(css)):
        depth += {"{": 1, "}": -1}.get(css[i], 0)
        if depth == 0:
            return css[opening + 1 : i]
    raise ValueError("unbalanced braces")


def _colours(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def palettes() -> dict[str, dict[str, str]]:
    css = CSS.read_text(encoding="utf-8")
    light = _colours(_block(css, css.index(":root")))
    dark_media = _block(css, css.index("@media (prefers-color-scheme: dark)"))
    dark = {**light, **_colours(_block(dark_media, dark_media.index(":root")))}
    return {"light": light, "dark": dark}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest AA grey on white


def test_the_stylesheet_defines_a_light_and_a_dark_palette_with_every_token_used_here():
    needed = {name for pair in TEXT_PAIRS + UI_PAIRS for name in pair}
    for mode, colours in palettes().items():
        assert needed <= colours.keys(), (mode, needed - colours.keys())
    assert palettes()["dark"]["bg"] != palettes()["light"]["bg"]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_text_colour_meets_aa_on_the_backgrounds_it_is_drawn_on(mode):
    colours = palettes()[mode]
    failures = [
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"
        for fg, bg in TEXT_PAIRS
        if contrast(colours[fg], colours[bg]) < 4.5
    ]
    assert failures == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_focus_rings_and_input_borders_stand_out_at_three_to_one(mode):
    colours = palettes()[mode]
    failures = [
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"
        for fg, bg in UI_PAIRS
        if contrast(colours[fg], colours[bg]) < 3
    ]
    assert failures == []


def test_the_stylesheet_stays_small_and_loads_nothing_from_outside():
    css = CSS.read_text(encoding="utf-8")
    assert len(css.encode("utf-8")) < 25_000
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_the_phone_menu_button_is_written_in_the_header_colour_not_the_link_colour():
    # `details > summary` is drawn in the accent, which is the header's own background: "Menu" was invisible.
    css = CSS.read_text(encoding="utf-8")
    rule = _block(css, css.index(".nav-menu > summary {"))
    assert re.search(r"(^|;)\s*color:\s*var\(--header-fg\)", rule)
    assert palettes()["light"]["accent"] == palettes()["light"]["header-bg"]  # why the rule is needed
