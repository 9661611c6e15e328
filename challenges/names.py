"""Team names that look alike: a "name key" equal for names a reader cannot tell apart.

Plain Python (no ORM). The key of a name is built in steps, each closing one way to look alike:

1. Unicode NFKC (fullwidth "ＡＢＣ", ligatures, superscripts become their plain letters),
2. format characters (zero-width spaces and joiners, bidi marks) are dropped,
3. each character is casefolded ("TEAM" and "team"), and a confusable one (Unicode TR39's confusables,
   as shipped by the `confusable_homoglyphs` package) is first replaced by its group's representative
   (Cyrillic "Т" reads as "T"); a small letter whose capital is confusable is replaced like its capital.
   Repeated until nothing changes. So "I", "l", "1" and, through "I", "i" share one key letter: case
   and look-alikes cannot both be told apart otherwise,
4. runs of whitespace become one space; the ends are stripped.

The package gives, for each character, the characters it may be confused with (both directions of
TR39's table). The groups are the connected parts of that graph over single characters; the
representative is the group's first ASCII lower-case letter, else ASCII letter, else ASCII character,
else its smallest character, so the key does not depend on the order of the data. Groups only join
characters TR39 says look the same, so a key may join a few more names than TR39's own skeleton: for a
team name that is the safe side.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_MARKS = "\u200e\u200f"  # the data wraps right-to-left characters in these marks


@functools.cache
def _representatives() -> dict[str, str]:
    from confusable_homoglyphs import utils

    data = utils.load("confusables.json")
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for char, homoglyphs in data.items():
        char = char.strip(_MARKS)
        if len(char) != 1:
            continue
        for entry in homoglyphs:
            other = entry["c"].strip(_MARKS)
            if len(other) == 1:
                a, b = find(char), find(other)
                if a != b:
                    parent[a] = b
    groups: dict[str, list[str]] = {}
    for c in list(parent):
        groups.setdefault(find(c), []).append(c)
    mapping: dict[str, str] = {}
    for members in groups.values():
        representative = min(members, key=_preference)
        for c in members:
            if c != representative:
                mapping[c] = representative
    return mapping


def _preference(c: str) -> tuple[int, str]:
    if c.isascii() and c.isalpha() and c.islower():
        return 0, c
    if c.isascii() and c.isalpha():
        return 1, c
    return (2 if c.isascii() else 3), c


def _fold(c: str) -> str:
    table = _representatives()
    if c in table:
        return table[c].casefold()
    upper = c.upper()
    if len(upper) == 1 and upper != c and upper in table:
        return table[upper].casefold()
    return c.casefold()


def team_name_key(name: str) -> str:
    """The key two team names share when they only differ by look-alike characters, case or spacing."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    for _round in range(5):  # a representative may fold further (O -> o); a fixed point comes within a few rounds
        folded = "".join(_fold(c) for c in text)
        if folded == text:
            break
        text = folded
    return _SPACES.sub(" ", text).strip()
