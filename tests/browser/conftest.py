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


@pytest.fixture
def chromium(monkeypatch):
    """Debian's headless Chromium driven by Playwright for Python (never `playwright install`); skipped
    with the reason when Chromium is absent (a failure in CI, see tests/services.need_binary)."""
    executable = need_binary("chromium", "/usr/bin/chromium", "chromium-browser")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls (fixtures,
    # assertions) are plain synchronous code, which Django would otherwise refuse in "an async context".
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROME_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
