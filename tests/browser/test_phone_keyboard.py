"""A participant on a phone-sized screen, with a keyboard only: log in, register, create a team."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from challenges.models import Registration, Team
from tests.factories import PASSWORD, EventFactory, PhaseFactory, TermsFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def press(driver, *keys):
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, matches, limit: int = 120):
    """Press Tab until the focused element satisfies `matches` (as a person would); fail if never."""
    for _ in range(limit):
        press(driver, Keys.TAB)
        focused = driver.switch_to.active_element
        if matches(focused):
            return focused
    raise AssertionError("could not reach the element with the Tab key")


def by_id(element_id):
    return lambda el: el.get_attribute("id") == element_id


def by_text(text):
    return lambda el: el.text.strip() == text


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def wait_for_path(driver, fragment):
    WebDriverWait(driver, 10).until(ec.url_contains(fragment))


def test_a_participant_registers_and_creates_a_team_with_the_keyboard_at_phone_width(live_server, phone_browser):
    driver = phone_browser
    event = EventFactory(name="Phone hackathon", slug="phone", description="Teams from *everywhere*.")
    TermsFactory(event=event)
    PhaseFactory(challenge__event=event)
    user = UserFactory(username="nia", country="CO")  # the team form starts on Colombia: typing must change it

    driver.get(f"{live_server.url}/accounts/login/?next=/events/phone/")
    assert driver.execute_script("return window.innerWidth") <= 400
    assert no_horizontal_scroll(driver)
    tab_to(driver, by_id("id_username")).send_keys(user.username)
    press(driver, Keys.TAB)
    driver.switch_to.active_element.send_keys(PASSWORD, Keys.ENTER)
    wait_for_path(driver, "/events/phone/")
    assert "Phone hackathon" in driver.page_source
    assert no_horizontal_scroll(driver)

    tab_to(driver, by_id("register-link"))
    press(driver, Keys.ENTER)
    wait_for_path(driver, "/register/")
    assert no_horizontal_scroll(driver)
    tab_to(driver, by_id("id_accept_terms"))
    press(driver, Keys.SPACE)
    press(driver, Keys.TAB)
    assert driver.switch_to.active_element.tag_name == "button"
    press(driver, Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "You are registered" in d.page_source)
    assert Registration.objects.filter(user=user, event=event).exists()
    assert no_horizontal_scroll(driver)

    tab_to(driver, by_id("create-team-link"))
    press(driver, Keys.ENTER)
    wait_for_path(driver, "/teams/new/")
    assert no_horizontal_scroll(driver)
    tab_to(driver, by_id("id_name")).send_keys("Savanna Sleuths")
    press(driver, Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "id_country"
    press(driver, "Kenya")
    tab_to(driver, by_text("Create the team"))
    press(driver, Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "Savanna Sleuths" in d.find_element("tag name", "h1").text)

    team = Team.objects.get(event=event, name="Savanna Sleuths")
    assert team.captain == user
    assert str(team.country) == "KE"
    assert team.join_code in driver.page_source
    assert no_horizontal_scroll(driver)
