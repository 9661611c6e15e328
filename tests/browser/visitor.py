"""One person in a real browser (Playwright driving Debian's Chromium): clicks, form fills, and on every
page it lands on an axe-core audit, a horizontal-scroll check at phone width, and named screenshots.

Selectors go by role, label and visible text (what a person reads), in the visitor's language: texts are
the site's own msgids, translated with Django's gettext, so one journey runs in every language.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test-output" / "screenshots"
PHONE_WIDTH = 375

# Runs axe on the page and keeps what the suite refuses: serious or critical violations, and colour
# contrast that axe could not decide ("needs review") inside a chart (an SVG or a figure).
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations", "incomplete"]});
  const describe = (rule) => rule.nodes.map((node) => ({
    target: node.target.join(" "), html: node.html.slice(0, 160), summary: node.failureSummary || ""}));
  const violations = result.violations
    .filter((rule) => rule.impact === "serious" || rule.impact === "critical")
    .map((rule) => ({id: rule.id, impact: rule.impact, help: rule.help, nodes: describe(rule)}));
  const inChart = (node) => {
    const el = document.querySelector(node.target[0]);
    return el !== null && el.closest("svg, figure") !== null;
  };
  const chartContrast = result.incomplete
    .filter((rule) => rule.id === "color-contrast")
    .map((rule) => ({...rule, nodes: rule.nodes.filter(inChart)}))
    .filter((rule) => rule.nodes.length > 0)
    .map((rule) => ({id: rule.id, impact: "needs review in a chart", help: rule.help, nodes: describe(rule)}));
  return {violations, chartContrast, passes: result.passes.length};
}"""


def readable(problems: list[dict]) -> str:
    lines = []
    for rule in problems:
        lines.append(f"- {rule['id']} ({rule['impact']}): {rule['help']}")
        for node in rule["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


class Visitor:
    def __init__(
        self, browser, base_url: str, *, who: str, language: str, width: int, audits: list[str], findings: list[str]
    ):
        self.who, self.language, self.width, self.base_url = who, language, width, base_url
        self.context = browser.new_context(
            viewport={"width": width, "height": 740 if width <= PHONE_WIDTH else 900},
            accept_downloads=True,
            timezone_id="America/Bogota",
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.audits, self.findings = audits, findings

    # Texts in the visitor's language -----------------------------------------------------------------

    def t(self, msgid: str) -> str:
        with translation.override(self.language):
            return translation.gettext(msgid)

    def names(self, msgid: str) -> str:
        """A regular expression for the translation of `msgid` or of its sentence-case form: form labels
        moved to sentence-case msgids ("kind" -> "Kind"), and a catalogue may translate one and not yet
        the other (the page shows the English label until the translations catch up)."""
        variants = {self.t(msgid), self.t(msgid[:1].upper() + msgid[1:]), self.t(msgid[:1].lower() + msgid[1:])}
        return "(?:" + "|".join(re.escape(v) for v in sorted(variants)) + ")"

    def exactly(self, msgid: str) -> re.Pattern:
        """The translated text as a whole name, whatever its capitalisation and surrounding marks."""
        return re.compile(r"^\W*" + self.names(msgid) + r"\W*$", re.IGNORECASE)

    def containing(self, msgid: str) -> re.Pattern:
        return re.compile(self.names(msgid), re.IGNORECASE)

    # Moving around ----------------------------------------------------------------------------------

    def open(self, path: str, *, shot: str | None = None):
        self.page.goto(self.base_url + path)
        self.audit(shot)
        return self.page

    def reveal(self, locator):
        """`locator`'s first visible match. At phone width the header's links and language form are in the
        Menu (a closed `<details>`): when nothing visible matches, open the Menu, as a person would."""
        visible = locator.filter(visible=True)
        if visible.count() == 0:
            menu = self.page.locator("details.nav-menu")
            if menu.count() and menu.first.is_visible() and menu.first.get_attribute("open") is None:
                menu.first.locator("summary").click()
        return visible.first

    def close_menu(self):
        menu = self.page.locator("details.nav-menu[open]")
        if menu.count():
            menu.first.locator("summary").click()

    def follow(self, msgid: str, *, shot: str | None = None, within=None, exact: bool = True):
        """Click the link with this text and audit the page it leads to."""
        scope = within or self.page
        link = self.reveal(scope.get_by_role("link", name=self.exactly(msgid) if exact else self.containing(msgid)))
        with self.page.expect_navigation():
            link.click()
        self.audit(shot)

    def follow_name(self, name: str, *, shot: str | None = None):
        """Click the link with this untranslated name (a team, a challenge, an entry)."""
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=True).first.click()
        self.audit(shot)

    def press_name(self, name: str, *, shot: str | None = None):
        """Click the button whose text contains this untranslated name ("Join <team>")."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name).first.click()
        self.audit(shot)

    def press(self, msgid: str, *, shot: str | None = None, within=None, exact: bool = True):
        """Click the button with this text (a form submission) and audit the page that answers."""
        scope = within or self.page
        button = self.reveal(scope.get_by_role("button", name=self.exactly(msgid) if exact else self.containing(msgid)))
        with self.page.expect_navigation():
            button.click()
        self.audit(shot)

    def fill(self, label: str, value: str):
        self.page.get_by_label(self.exactly(label)).first.fill(value)

    def choose(self, label: str, option_label: str):
        self.page.get_by_label(self.exactly(label)).first.select_option(label=self.t(option_label))

    def see(self, text: str, *, translated: bool = True):
        needle = self.t(text) if translated else text
        body = self.page.locator("body").inner_text()
        assert needle.casefold() in body.casefold(), f"{self.who} does not see {needle!r} on {self.page.url}"

    def switch_language(self):
        """Choose the language in the site's own switcher, as a person would."""
        if self.language == "en":
            return
        switcher = self.reveal(self.page.get_by_label(re.compile(r"^\W*(Language|Idioma|Langue)\W*$", re.I)))
        with translation.override(self.language):
            local_name = translation.get_language_info(self.language)["name_local"]
        switcher.select_option(label=local_name)
        go = self.page.locator("form", has=switcher).get_by_role("button").first
        with self.page.expect_navigation():
            go.click()
        assert self.page.locator("html").get_attribute("lang") == self.language
        self.audit()
        events = self.t("Events")
        assert events != "Events", f"no {self.language} translation of the main navigation"
        assert self.reveal(
            self.page.get_by_role("navigation").first.get_by_role("link", name=events, exact=True)
        ).is_visible()
        self.close_menu()

    # Checks on every page ---------------------------------------------------------------------------

    def audit(self, shot: str | None = None):
        page = self.page
        page.wait_for_load_state("load")
        where = f"{self.who} at {page.url} ({self.width} px, {self.language})"
        # Problems are collected, not raised at once: the journey goes on (its own steps are checked as
        # it goes) and the test ends with the list of every page's problems (see `assert_no_findings`).
        if self.width <= PHONE_WIDTH:
            sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                self.findings.append(f"horizontal scroll on {where}: the page is {sizes[0]} px wide in {sizes[1]} px")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            # CDP evaluation is not subject to the site's Content-Security-Policy, unlike a <script> tag.
            page.evaluate(AXE_SOURCE)
        result = page.evaluate(AXE_RUN)
        problems = result["violations"] + result["chartContrast"]
        if problems:
            self.findings.append(f"axe-core on {where}:\n{readable(problems)}")
        self.audits.append(page.url)
        if shot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-{self.width}-{self.language}.png"), full_page=True)

    def keep_evidence(self, prefix: str):
        """After a failure: where each person was, as a screenshot and the page's HTML."""
        folder = SCREENSHOTS.parent / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            self.page.screenshot(path=str(folder / f"{prefix}-{self.who}.png"), full_page=True)
            (folder / f"{prefix}-{self.who}.html").write_text(self.page.content(), encoding="utf-8")
        except Exception:  # evidence is best effort: the original failure is what matters
            pass

    def close(self):
        self.context.close()


def assert_no_findings(findings: list[str]) -> None:
    """One readable failure listing every page's accessibility and layout problems, each once."""
    unique = list(dict.fromkeys(findings))
    assert not unique, f"{len(unique)} page(s) with problems:\n\n" + "\n\n".join(unique)
