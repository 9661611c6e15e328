"""At 375 px: the header is one line (brand and a Menu button that opens without script) and the
leaderboard's caption wraps instead of being cut."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from submissions.services import leaderboard_rebuild
from tests.submissions.factories import open_phase, scored, team_in

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# One line of header: the brand or the Menu button (about 40 px) plus the nav's padding; three lines were ~130 px.
ONE_LINE_HEADER_PX = 64


def header_height(driver) -> float:
    return driver.execute_script("return document.querySelector('.site-header').getBoundingClientRect().height")


def test_the_header_is_one_line_with_a_menu_button_at_phone_width(live_server, phone_browser):
    driver = phone_browser
    driver.get(f"{live_server.url}/events/")
    assert driver.execute_script("return window.innerWidth") <= 400
    assert header_height(driver) <= ONE_LINE_HEADER_PX
    menu = driver.find_element(By.CSS_SELECTOR, "details.nav-menu > summary")
    assert menu.is_displayed()
    # The wide list is hidden; the links are one click away, without JavaScript (a <details> element).
    assert not driver.find_element(By.CSS_SELECTOR, "ul.nav-links.nav-wide").is_displayed()
    menu.click()
    events_link = driver.find_element(By.CSS_SELECTOR, ".menu-panel a[href='/events/']")
    assert events_link.is_displayed()
    assert driver.find_element(By.ID, "menu-lang-select").is_displayed()
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_the_leaderboard_caption_wraps_at_phone_width(live_server, phone_browser):
    driver = phone_browser
    phase = open_phase()
    for i in range(3):
        scored(phase, team_in(phase, name=f"Equipo de Investigación Número {i}"), 0.5 + i / 10)
    leaderboard_rebuild(phase=phase)
    driver.get(f"{live_server.url}/phases/{phase.pk}/leaderboard/")
    assert header_height(driver) <= ONE_LINE_HEADER_PX
    caption = driver.find_element(By.ID, "board-caption")
    assert "teams, ranked by" in caption.text
    fits = driver.execute_script(
        "const c = arguments[0]; const r = c.getBoundingClientRect();"
        "return [c.scrollWidth, c.clientWidth, r.right, window.innerWidth];",
        caption,
    )
    scroll_width, client_width, right, viewport = fits
    assert scroll_width <= client_width, fits
    assert right <= viewport, fits
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
