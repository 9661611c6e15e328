"""Charts are shown as images (`hackplatform.svgimage`): an SVG data URI with the design tokens' colours
inside, light and dark, and an alt text that carries the chart's title and values in the reader's language."""

from __future__ import annotations

import re
from datetime import date

from django.utils import translation

from challenges import charts
from hackplatform.svgimage import CHART_COLOURS, CHART_FONT, CHART_RULES, chart_alt, svg_image
from tests.chart_images import chart_images
from tests.test_design_contrast import CSS, _block, palettes


def test_the_chart_colours_are_the_stylesheets_tokens_in_light_and_dark():
    colours = palettes()
    for token, (light, dark) in CHART_COLOURS.items():
        assert (colours["light"][token], colours["dark"][token]) == (light, dark), token
    assert {token for _selector, _property, token in CHART_RULES} <= CHART_COLOURS.keys()
    css = CSS.read_text(encoding="utf-8")
    font = re.search(r"--font-sans:\s*([^;]+);", _block(css, css.index(":root"))).group(1).strip()
    assert font == CHART_FONT


def test_a_chart_becomes_one_image_with_its_colours_inside_and_no_inline_svg():
    svg = charts.bar_chart([("Brazil (BR)", 12), ("Colombia (CO)", 9)], title="Registrations by country")
    html = svg_image(svg, alt="Registrations by country: Brazil (BR) 12 and Colombia (CO) 9")
    assert "<svg" not in html and "<text" not in html
    assert re.fullmatch(
        r'<img class="chart" src="data:image/svg\+xml;base64,[^"]+" width="560" height="62" alt="[^"]+">', html
    )
    ((alt, inside),) = chart_images(html)
    assert alt == "Registrations by country: Brazil (BR) 12 and Colombia (CO) 9"
    style = inside[inside.index("<style>") : inside.index("</style>")]
    light, dark = style.split("@media (prefers-color-scheme: dark)")
    assert "text{fill:#1b1f24}" in light and ".chart-bar{fill:#1d4e89}" in light
    assert "text{fill:#e6e9ee}" in dark and ".chart-bar{fill:#8ab4f8}" in dark
    assert inside.startswith('<svg class="chart"') and 'xmlns="http://www.w3.org/2000/svg"' in inside
    assert inside.count("<text") == svg.count("<text")  # the drawing itself is unchanged


def test_the_alt_text_is_escaped_and_a_namespace_is_added_when_missing():
    html = svg_image('<svg viewBox="0 0 10 5"><text>1</text></svg>', alt='Teams "<b>": A & B 1')
    assert 'alt="Teams &quot;&lt;b&gt;&quot;: A &amp; B 1"' in html
    ((_alt, inside),) = chart_images(html)
    assert inside.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5"><style>')


def test_a_builders_sentence_instead_of_an_empty_chart_is_left_as_it_is():
    sentence = charts.bar_chart([], title="No registrations")
    assert svg_image(sentence, alt="x") == sentence == '<p class="muted">No registrations</p>'


def test_the_alt_text_lists_the_values_in_the_readers_language():
    rows = [("Brasil (BR)", 1200), ("Colombia (CO)", 9), ("Francia (FR)", 3)]
    with translation.override("es"):
        alt = chart_alt("Inscripciones por país", charts.bar_chart_summary(rows))
        days = charts.column_chart_summary([(date(2030, 5, 3), 12)])
    assert alt.endswith("Brasil (BR) 1.200, Colombia (CO) 9 y Francia (FR) 3")
    assert days == ["3 de mayo de 2030: 12"]
    with translation.override("en"):
        assert chart_alt("Registrations", ["Brazil 12", "Colombia 9"]) == "Registrations: Brazil 12 and Colombia 9"
        assert chart_alt("Registrations", []) == "Registrations"
