"""Headless Chromium for the browser tests: the system's chromium and chromedriver (no download), the network
log for "no request to another host", and the few Selenium helpers both browser test files use."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

TIMEOUT = 30


@contextmanager
def chromium(language: str, width: int, height: int, exact_viewport: bool = False) -> Iterator[Any]:
    """A headless Chromium whose browser language is ``language`` (e.g. "fr-BE"), with its performance log."""
    binary, driver_path = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail("the browser tests need chromium and chromedriver: apt-get install chromium chromium-driver "
                    "(.ci/run does it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     f"--lang={language}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": f"{language},{language.split('-')[0]}"})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SE_AVOID_STATS", "true")  # Selenium's own usage statistics: off
        driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        if exact_viewport:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        yield driver
    finally:
        driver.quit()


class NetworkLog:
    """Every URL the browser asked for, gathered as a test goes (reading the performance log empties it)."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.urls: list[str] = []

    def collect(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.urls.append(message["params"]["request"]["url"])

    def foreign(self, base: str) -> list[str]:
        """URLs that are neither the app (``base`` and below) nor inline data."""
        return [u for u in self.urls if not (u == base or u.startswith((base + "/", "data:", "blob:", "about:")))]


def wait(driver: Any, condition: Any, timeout: float = TIMEOUT) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def text(driver: Any, selector: str) -> str:
    """The text of the first element matching ``selector``, "" while there is none (the page is still loading)."""
    found = css(driver, selector)
    return found[0].text if found else ""
