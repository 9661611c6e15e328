"""The Spanish, Portuguese and French catalogs: complete, well-formed, compiled, and used by Django.

The .po files are read with a small parser of their own (no polib), so these tests need neither a
database nor any package beyond Django and pytest.
"""

from __future__ import annotations

import gettext as pygettext
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.views.i18n import JavaScriptCatalog

from challenges.models import AOE
from challenges.templatetags.hack import zone_label

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ("es", "pt", "fr")
DOMAINS = ("django", "djangojs")
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "pt": "nplurals=2; plural=(n > 1);",
    "fr": "nplurals=2; plural=(n > 1);",
}
# %(name)s, %(n)d, %s, %d ... but not the escaped percent sign %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-+ #0]*\d*(?:\.\d+)?[sdifr]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (msgid ""); obsolete (#~) entries are marked, not parsed."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def close() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
            continue
        starts_entry = line.startswith(("#", "msgctxt ", "msgid "))
        if current is not None and current.msgstr and starts_entry:
            close()
        if current is None:
            current = Entry(line=number)
        if line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line):
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot], target = value, ("msgstr", slot)
        elif line.startswith('"') and target is not None:
            name, slot = target
            if name == "msgstr":
                current.msgstr[slot] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    close()
    return entries


def _po(lang: str, domain: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def _messages(lang: str, domain: str) -> list[Entry]:
    return [e for e in parse_po(_po(lang, domain)) if e.msgid and not e.obsolete]


def _header(lang: str, domain: str) -> dict[str, str]:
    header = next(e for e in parse_po(_po(lang, domain)) if e.msgid == "" and not e.obsolete)
    return dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


CATALOGS = [(lang, domain) for lang in LANGUAGES for domain in DOMAINS]


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_catalog_has_entries_and_the_right_header(lang, domain):
    assert _po(lang, domain).exists(), f"run makemessages for {lang}/{domain}"
    assert _messages(lang, domain), f"{lang}/{domain}.po has no messages"
    header = _header(lang, domain)
    assert header.get("Language") == lang
    assert header.get("Plural-Forms") == PLURAL_FORMS[lang]
    assert "charset=UTF-8" in header.get("Content-Type", "")


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_no_empty_or_fuzzy_entries(lang, domain):
    entries = parse_po(_po(lang, domain))
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags and not e.obsolete]
    assert not fuzzy, f"fuzzy entries in {lang}/{domain}.po: {fuzzy}"
    empty = [e.msgid for e in entries if e.msgid and not e.obsolete and (not e.msgstr or "" in e.msgstr.values())]
    assert not empty, f"untranslated entries in {lang}/{domain}.po: {empty}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_plural_entries_have_every_form(lang, domain):
    for entry in _messages(lang, domain):
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1], f"{lang}/{domain}.po:{entry.line}: {entry.msgid!r}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_placeholders_and_tags_are_kept(lang, domain):
    problems = []
    for entry in _messages(lang, domain):
        for slot, translated in entry.msgstr.items():
            source = entry.msgid if slot == 0 or entry.msgid_plural is None else entry.msgid_plural
            if _placeholders(source) != _placeholders(translated):
                problems.append(f"line {entry.line}: {source!r} -> {translated!r}")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(translated)):
                problems.append(f"line {entry.line} (HTML tags): {source!r} -> {translated!r}")
    assert not problems, f"{lang}/{domain}.po:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_mo_is_compiled_from_the_current_po(lang, domain):
    po = _po(lang, domain)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    # Content, not modification times: a fresh clone gives both files the checkout's time in any order.
    with mo.open("rb") as handle:
        compiled = pygettext.GNUTranslations(handle)
    for entry in _messages(lang, domain):
        if entry.msgid_plural is None and entry.msgctxt is None:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], f"{mo} differs from {po} on {entry.msgid!r}"


KEY_STRINGS = ["Events", "Log in", "Log out", "Sign up", "Leaderboard", "Team", "Challenges", "Data-use agreement"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_django_uses_the_translations(lang):
    with translation.override(lang):
        assert translation.get_language() == lang
        for text in KEY_STRINGS:
            assert gettext(text) != text, f"{text!r} is not translated in {lang}"
        assert gettext("Anywhere on Earth (UTC−12)").startswith("Anywhere on Earth (AoE")
        # The template tag asks for the very same msgid (a "\u2212" escape in the source once made it miss).
        assert zone_label(AOE) == gettext("Anywhere on Earth (UTC−12)")
        one = ngettext("%(n)s more today", "%(n)s more today", 1) % {"n": 1}
        assert one != "1 more today" and "1" in one


def test_known_translations():
    expected = {
        "es": {"Leaderboard": "Clasificación", "Team": "Equipo", "Data-use agreement": "Acuerdo de uso de datos"},
        "pt": {"Leaderboard": "Classificação", "Team": "Equipe", "Data-use agreement": "Acordo de uso de dados"},
        "fr": {"Leaderboard": "Classement", "Team": "Équipe", "Data-use agreement": "Accord d'utilisation des données"},
    }
    for lang, pairs in expected.items():
        with translation.override(lang):
            for source, target in pairs.items():
                assert gettext(source) == target


@pytest.mark.parametrize(("lang", "word"), [("es", "cerrado"), ("pt", "encerrado"), ("fr", "terminé")])
def test_javascript_catalog_is_served(lang, word):
    request = RequestFactory().get("/jsi18n/")
    with translation.override(lang):
        response = JavaScriptCatalog.as_view()(request)
    assert response.status_code == 200
    # The catalog is JSON inside JavaScript: non-ASCII letters may be \u-escaped.
    assert json.dumps(word)[1:-1] in response.content.decode()


def test_javascript_texts_are_literal_gettext_calls():
    """makemessages (xgettext) only sees gettext("…") with a literal: a wrapper such as t(s) or
    gettext(variable) hides the text from the catalog, and it then stays in English."""
    problems = []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in re.finditer(r"\b(n?gettext)\(\s*(.)", line):
                if match.group(2) not in "\"'":
                    problems.append(f"{path.name}:{number}: {line.strip()}")
    assert not problems, "\n".join(problems)
    msgids = {entry.msgid for entry in _messages("fr", "djangojs")}
    assert {"Waiting to be scored: position %(n)s in the queue.", "%(d)sd %(hms)s", "Queued"} <= msgids
