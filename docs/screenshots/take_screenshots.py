"""Take the README's screenshots of the seeded demo with headless Chromium (a maintainer's tool, not a test).

1. Start a server with the demo seeded: `VAR_DIR=/tmp/shots manage.py migrate && manage.py seed_demo &&
   manage.py runserver 127.0.0.1:8765`.
2. `python docs/screenshots/take_screenshots.py http://127.0.0.1:8765 docs/screenshots/`.
3. Each page is captured at its full height (capped), then reduced to a 256-colour palette so every
   PNG stays well under 250 KB.
"""

from __future__ import annotations

import re
import sys
from io import BytesIO
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
MAX_HEIGHT = 2000


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def log_in(driver: webdriver.Chrome, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("hackathon-demo")
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/accounts/login/" not in d.current_url)


def shoot(driver: webdriver.Chrome, url: str, width: int, target: Path) -> None:
    driver.set_window_size(width, 900)
    driver.get(url)
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), MAX_HEIGHT)
    overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
    # The window includes the browser's own frame: grow it by that much so the page is captured whole.
    frame = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(width, height + frame)
    image = Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print(f"{target.name}: {width}x{height}, {target.stat().st_size // 1024} KB, horizontal overflow: {overflow}")


def main(base: str, out: Path, prefix: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    driver = browser()
    try:
        log_in(driver, base, "alice")
        driver.get(f"{base}/events/demo/challenges/detection/")
        phase = re.findall(r"/phases/(\d+)/", driver.page_source)[0]
        shoot(driver, f"{base}/events/demo/", 1280, out / f"{prefix}event.png")
        shoot(driver, f"{base}/phases/{phase}/leaderboard/", 1280, out / f"{prefix}leaderboard.png")
        shoot(driver, f"{base}/phases/{phase}/my-submissions/", 375, out / f"{prefix}submissions-phone.png")
        log_in(driver, base, "organizer")
        shoot(driver, f"{base}/events/demo/dashboard/", 1280, out / f"{prefix}dashboard.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
