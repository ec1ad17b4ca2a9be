"""The real app in headless Chromium: URLs open the right view, hostile text stays text, the chat, feedback and
language switch work, and the page requests nothing from any other host."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from .chrome import TIMEOUT, NetworkLog, chromium, css, text, wait

pytestmark = [pytest.mark.browser, pytest.mark.server]



@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium with an English browser language."""
    with chromium("en-US", 1400, 1000) as driver:
        yield driver


def _foreign_requests(driver: Any, base: str) -> list[str]:
    """URLs the page asked for since the last call that are neither the app nor inline data."""
    log = NetworkLog(driver)
    log.collect()
    return log.foreign(base)


def _selected_tab(driver: Any) -> str:
    return next((t.text for t in css(driver, "[role=tab]") if t.get_attribute("aria-selected") == "true"), "")


def test_objective_permalink_opens_its_card(live_app, browser):
    url, _ = live_app
    browser.get_log("performance")
    browser.get(f"{url}/?objective=PNS16-A4-12&lang=nl")
    wait(browser, lambda d: "PNS16-A4-12" in text(d, "#pns-card"))
    assert _selected_tab(browser) == "Doelstelling"
    card = css(browser, "#pns-card")[0]
    assert [m.text for m in card.find_elements("css selector", "mark")] == ["CTIF", "police intégrée"]
    assert "De andere doelstellingen van" in card.text
    assert _foreign_requests(browser, url) == []


def test_question_url_answers_and_keeps_hostile_text_as_text(live_app, browser):
    url, _ = live_app
    question = 'Objectifs <img src=x onerror="document.title=1"> <script>document.title=2</script> cybercriminalité ?'
    browser.get_log("performance")
    browser.get(f"{url}/?q={quote(question)}")
    wait(browser, lambda d: len(css(d, "#pns-sources li.pns-citation")) == 10)
    assert _selected_tab(browser) == "Questions"
    chat = css(browser, "#pns-chat")[0]
    assert question in chat.text
    assert chat.find_elements("css selector", "img, script, iframe") == []
    assert browser.title != "1" and browser.title != "2"
    links = [a.get_attribute("href") for a in css(browser, "#pns-sources a")]
    assert links[0] == f"{url}/?objective=PNS16-B5-1&lang=en"
    assert _foreign_requests(browser, url) == []


def test_chat_feedback_and_language_switch(live_app, browser):
    url, settings = live_app
    database = Path(settings.data_dir) / "feedback.sqlite3"
    before = sqlite3.connect(database).execute("SELECT COUNT(*) FROM feedback").fetchone()[0] \
        if database.exists() else 0
    browser.get(f"{url}/")
    box = wait(browser, lambda d: next(iter(css(d, "#pns-question textarea")), None))
    assert _selected_tab(browser) == "Questions"  # English from Accept-Language
    box.send_keys("Which objectives involve the CTIF?")
    css(browser, "#pns-send")[0].click()
    wait(browser, lambda d: len(css(d, "#pns-sources li.pns-citation")) == 2)
    like = [b for b in css(browser, "#pns-chat button") if b.get_attribute("aria-label") == "Like"]
    like[-1].click()
    css(browser, "#pns-comment-box .label-wrap")[0].click()  # the comment box opens beneath the answer
    comment = wait(browser, lambda d: next(iter(css(d, "#pns-comment textarea")), None))
    comment.send_keys("Missing <b>B5</b>")
    css(browser, "#pns-comment-send")[0].click()
    rows: list[tuple[Any, ...]] = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and len(rows) < 2:
        rows = sqlite3.connect(database).execute(
            "SELECT rating, comment, question FROM feedback ORDER BY id").fetchall()[before:]
        time.sleep(0.2)
    assert rows == [("up", "", "Which objectives involve the CTIF?"),
                    (None, "Missing <b>B5</b>", "Which objectives involve the CTIF?")]
    assert css(browser, "#pns-answer-md")[0].is_displayed()
    # Switch the interface to Dutch once the "thank you" toasts are gone: tabs and sources panel follow.
    wait(browser, lambda d: not css(d, "[data-testid=toast-text]"))
    _choose(browser, "#pns-ui-lang input", "Nederlands")
    wait(browser, lambda d: _selected_tab(d) == "Vragen")
    assert [t.text for t in css(browser, "[role=tab]")] == ["Vragen", "Doelstelling", "Thema's", "Actoren",
                                                             "Evaluatie"]
    assert css(browser, "#pns-sources h3")[0].text == "Bronnen"


def test_theme_url_lists_objectives_and_offers_exports(live_app, browser):
    url, _ = live_app
    browser.get(f"{url}/?theme=B4.2")
    wait(browser, lambda d: len(css(d, "#pns-theme-view li")) == 8)
    assert _selected_tab(browser) == "Themes"
    wait(browser, lambda d: any(b.is_displayed() for b in css(d, "#pns-group-html")))
    assert len(css(browser, "#pns-tree a[href*='objective=']")) == 225


def _choose(browser, selector: str, label: str) -> None:
    """Pick an option of a Gradio dropdown: open it (again if a click landed while the page was busy) and wait
    until the option is rendered with its text."""
    def option(driver):
        found = [o for o in css(driver, "[role=option]") if o.text.strip() == label]
        if not found and not css(driver, "[role=option]"):
            css(driver, selector)[0].click()
        return found[0] if found else None

    css(browser, selector)[0].click()
    wait(browser, option).click()
