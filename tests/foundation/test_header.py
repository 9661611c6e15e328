"""The header's structure: a Menu button for phones (<details>: it opens without script) holding the same
links as the wide row, and no id used twice. The browser test (tests/browser/test_phone_layout.py)
measures it at 375 px."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def hrefs(fragment: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', fragment)


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_phone_menu_holds_the_same_links_as_the_wide_row(client, logged_in):
    if logged_in:
        client.force_login(UserFactory())
    html = client.get("/events/").content.decode()
    wide = re.search(r'<ul class="nav-links nav-wide">(.*?)</ul>', html, re.S).group(1)
    menu = re.search(r'<details class="nav-menu">\s*<summary>Menu</summary>(.*?)</details>', html, re.S).group(1)
    assert hrefs(wide) and hrefs(wide) == hrefs(re.search(r'<ul class="nav-links">(.*?)</ul>', menu, re.S).group(1))
    assert 'name="language"' in menu
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    assert "<script>" not in html  # the menu needs no script
