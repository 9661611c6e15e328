"""The checks the journeys run on every page catch what they claim to: axe-core's serious and critical
violations, colour contrast left to review inside a chart, and sideways scrolling at phone width."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from challenges import charts
from hackplatform.svgimage import chart_alt, svg_image

from .visitor import PHONE_WIDTH, Visitor, assert_no_findings

pytestmark = [pytest.mark.services]

PAGE = (
    '<!doctype html><html lang="en"><head><title>Audit</title></head><body><main><h1>Audit</h1>{}</main></body></html>'
)


# The site's policy for images and styles (settings.CONTENT_SECURITY_POLICY): data: images, no inline style.
STRICT = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; img-src 'self' data:\">"


def audited(chromium, body: str, width: int = 1280, *, scheme: str = "light", shots: list | None = None) -> list[str]:
    """axe-core and scroll findings on a page holding `body`; with `shots`, the page gets the site's image CSP
    and a screenshot of each image is added to `shots`."""
    findings: list[str] = []
    visitor = Visitor(chromium, "", who="tester", language="en", width=width, audits=[], findings=findings)
    try:
        visitor.page.emulate_media(color_scheme=scheme)
        page = PAGE.format(body)
        visitor.page.set_content(page.replace("<head>", "<head>" + STRICT) if shots is not None else page)
        visitor.audit()
        if shots is not None:
            shots.extend(image.screenshot() for image in visitor.page.locator("img").all())
    finally:
        visitor.close()
    return findings


def test_a_clean_page_has_no_findings(chromium):
    findings = audited(chromium, "<p>Plain, readable text.</p>", width=PHONE_WIDTH)
    assert findings == []
    assert_no_findings(findings)


def test_the_audit_reports_a_serious_violation_with_the_element_at_fault(chromium):
    findings = audited(chromium, '<ul role="status"><li class="message">Saved.</li></ul>')
    assert len(findings) == 1
    assert "listitem (serious)" in findings[0] and '<li class="message">Saved.</li>' in findings[0]
    with pytest.raises(AssertionError, match="1 page"):
        assert_no_findings(findings)


def test_the_audit_reports_colour_contrast_left_to_review_inside_a_chart(chromium):
    chart = (
        '<figure><svg role="img" aria-label="Scores" viewBox="0 0 200 40"><text x="4" y="20">0.5</text></svg></figure>'
    )
    findings = audited(chromium, chart)
    assert len(findings) == 1 and "color-contrast (needs review in a chart)" in findings[0]


def test_the_audit_reports_sideways_scrolling_at_phone_width_only(chromium):
    wide = '<p style="width: 600px">A line wider than a phone.</p>'
    assert audited(chromium, wide, width=1280) == []
    findings = audited(chromium, wide, width=PHONE_WIDTH)
    assert len(findings) == 1 and "horizontal scroll" in findings[0] and "375 px" in findings[0]


@pytest.mark.parametrize(("scheme", "bar", "text"), [("light", "#1d4e89", "#1b1f24"), ("dark", "#8ab4f8", "#e6e9ee")])
def test_a_chart_shown_as_an_image_leaves_nothing_to_review_and_draws_in_the_token_colours(chromium, scheme, bar, text):
    rows = [("Brazil (BR)", 12), ("Colombia (CO)", 9)]
    chart = svg_image(
        charts.bar_chart(rows, title="Registrations by country"),
        alt=chart_alt("Registrations by country", charts.bar_chart_summary(rows)),
    )
    shots: list[bytes] = []
    assert audited(chromium, f"<figure>{chart}</figure>", scheme=scheme, shots=shots) == []
    (shot,) = shots
    colours = {colour for _n, colour in Image.open(io.BytesIO(shot)).convert("RGB").getcolors(1 << 16)}

    def near(hex_colour: str) -> bool:
        want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return any(max(abs(a - b) for a, b in zip(c, want, strict=True)) <= 3 for c in colours)

    # The style inside the image is applied under the page's CSP: bars in the accent, text in the text colour.
    assert near(bar) and near(text)
