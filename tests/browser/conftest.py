from __future__ import annotations

import pytest

from tests.services import need_binary

CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def phone_browser():
    """Headless Chromium at phone size (375x740); skipped with the reason when Chromium is absent."""
    chromium = need_binary("chromium", "/usr/bin/chromium", "chromium-browser")
    driver_path = need_binary("chromedriver", "/usr/bin/chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=375,740")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_window_size(375, 740)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
