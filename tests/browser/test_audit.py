"""The checks the journeys run on every page catch what they claim to: axe-core's serious and critical
violations, colour contrast left to review inside a chart, and sideways scrolling at phone width."""

from __future__ import annotations

import pytest

from .visitor import PHONE_WIDTH, Visitor, assert_no_findings

pytestmark = [pytest.mark.services]

PAGE = (
    '<!doctype html><html lang="en"><head><title>Audit</title></head><body><main><h1>Audit</h1>{}</main></body></html>'
)


def audited(chromium, body: str, width: int = 1280) -> list[str]:
    findings: list[str] = []
    visitor = Visitor(chromium, "", who="tester", language="en", width=width, audits=[], findings=findings)
    try:
        visitor.page.set_content(PAGE.format(body))
        visitor.audit()
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
