"""The screens as officers and trainers see them, in headless Chromium at 1400 × 1000, in French and in Dutch: the
chat and its sources side by side within the window, the answer shown from its lead sentence, wording without
"(s)" or doubled numbers, every string of the page in the interface language, placeholders whole, the Evaluation
tab's run button and its report, the actor × theme map and its links. Each screen is saved as a PNG (in the
test's folder, or in PNS_SCREENSHOT_DIR when set) to be looked at."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ui.i18n import LANGUAGES, TEXTS

from .chrome import chromium, css, text, wait

pytestmark = [pytest.mark.browser, pytest.mark.server]

WIDTH, HEIGHT = 1400, 1000
SCREENSHOT_DIR = os.environ.get("PNS_SCREENSHOT_DIR")  # read at import: tests run with PNS_* cleared
CYBER = {"fr": "Quels sont les objectifs en matière de cybercriminalité ?",
         "nl": "Welke doelstellingen gaan over cybercriminaliteit?"}
LEAD = {"fr": "Le plan fixe 10 objectifs pour « Cybercrime et cybersecurity »",
        "nl": "Het plan bevat 10 doelstellingen voor « Cybercrime en cybersecurity »"}
# Gradio's own strings as it words them in English: never on a French or Dutch page.
GRADIO_ENGLISH = {"Copy message", "Clear", "Use via API", "Built with Gradio", "Settings", "Like", "Dislike",
                  "Submit", "Loading", "Download", "Clear chat", "Search", "Close"}
# Everything visible on the page but the plan's own text (French by nature) and the user's question.
VISIBLE_STRINGS_JS = """
const out = new Set();
const skip = '#pns-chat .message-row, #pns-sources li, #pns-actor-view li, #pns-actor-view h3, #pns-actor-view th,'
  + ' #pns-actor-view blockquote, #pns-theme-view, #pns-tree, #pns-card, #pns-eval td, #pns-eval dd';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement, value = node.textContent.trim();
  if (!value || !el || el.closest(skip) || !el.getClientRects().length) continue;
  if (getComputedStyle(el).visibility === 'hidden') continue;
  out.add(value);
}
for (const el of document.querySelectorAll('[placeholder], [title]')) {
  if (!el.getClientRects().length || el.closest(skip)) continue;
  for (const name of ['placeholder', 'title']) if (el.getAttribute(name)) out.add(el.getAttribute(name).trim());
}
return [...out];
"""
# A placeholder is whole when its text fits on the box's one line.
PLACEHOLDER_FITS_JS = """
const el = arguments[0], style = getComputedStyle(el);
const ctx = document.createElement('canvas').getContext('2d');
ctx.font = style.font;
const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
return [ctx.measureText(el.placeholder).width, room];
"""


def foreign_strings(language: str) -> set[str]:
    """The interface's own wording in the other languages (where it differs), and Gradio's English."""
    own = {entry[language] for entry in TEXTS.values() if language in entry}
    strings = {entry[other] for entry in TEXTS.values() for other in LANGUAGES if other != language and other in entry}
    return (strings | (GRADIO_ENGLISH if language != "en" else set())) - own


@pytest.fixture(params=["fr", "nl"])
def page(request) -> Iterator[tuple[Any, str]]:
    """Headless Chromium at exactly 1400 × 1000 for an interface in French or Dutch, the browser set to the other
    language (nl-BE / fr-BE): every string, Gradio's own included, must follow the interface, not the browser."""
    browser_language = {"fr": "nl-BE", "nl": "fr-BE"}[request.param]
    with chromium(browser_language, WIDTH, HEIGHT, exact_viewport=True) as driver:
        yield driver, request.param


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _select_tab(driver: Any, index: int) -> None:
    css(driver, "[role=tab]")[index].click()
    wait(driver, lambda d: css(d, "[role=tab]")[index].get_attribute("aria-selected") == "true")
    time.sleep(0.4)


def _open(driver: Any, url: str, lang: str) -> None:
    """Open the page and wait for its load event to end: it sets the interface language last."""
    driver.get(url)
    wait(driver, lambda d: d.execute_script("return document.body.dataset.pnsLang") == lang)
    assert driver.execute_script("return document.documentElement.lang") == lang


def _no_foreign_string(driver: Any, language: str) -> None:
    seen = set(driver.execute_script(VISIBLE_STRINGS_JS))
    assert seen, "no visible string was read"
    assert sorted(seen & foreign_strings(language)) == []


def test_chat_screen_fits_the_window_and_shows_the_answer_from_its_lead(live_app, page, shots):
    url, _ = live_app
    driver, lang = page
    _open(driver, f"{url}/?lang={lang}", lang)
    # the question box's placeholder is whole on its line
    width, room = driver.execute_script(PLACEHOLDER_FITS_JS, css(driver, "#pns-question textarea")[0])
    assert width <= room, (width, room)
    box = css(driver, "#pns-question textarea")[0]
    box.send_keys(CYBER[lang])
    css(driver, "#pns-send")[0].click()
    wait(driver, lambda d: len(css(d, "#pns-sources li.pns-citation")) == 10)
    time.sleep(0.6)  # the scroll to the new answer runs just after it renders
    driver.save_screenshot(str(shots / f"chat-{lang}.png"))

    # the page stays within 1.3 windows; the question box is in view
    assert driver.execute_script("return document.documentElement.scrollHeight") < 1.3 * HEIGHT
    assert driver.execute_script("return arguments[0].getBoundingClientRect().bottom", box) <= HEIGHT
    # the answer's lead sentence is visible in the conversation and in the window
    bot = css(driver, "#pns-chat [data-testid=bot]")[-1]
    lead = bot.find_elements("css selector", "p")[0]
    assert lead.text.startswith(LEAD[lang])
    top, bottom, box_top, box_bottom = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(), w = document.querySelector('#pns-chat .bubble-wrap')"
        ".getBoundingClientRect(); return [r.top, r.bottom, w.top, w.bottom];", lead)
    assert box_top <= top and bottom <= box_bottom and bottom <= HEIGHT
    # sources are collapsed to heading and first line (ten fit beside the chat), and open on a click
    sources = css(driver, "#pns-sources")[0]
    first = css(driver, "#pns-sources li.pns-citation details")[0]
    assert first.get_attribute("open") is None
    assert not first.find_elements("css selector", "blockquote")[0].is_displayed()
    first.find_elements("css selector", "summary")[0].click()
    assert first.get_attribute("open") == "true"
    assert first.find_elements("css selector", "blockquote")[0].is_displayed()
    # all open, the panel scrolls by itself: the page neither grows nor moves with it
    driver.execute_script("for (const d of arguments[0].querySelectorAll('details')) d.open = true", sources)
    assert driver.execute_script("return arguments[0].scrollHeight > arguments[0].clientHeight", sources)
    assert driver.execute_script("return document.documentElement.scrollHeight") < 1.3 * HEIGHT
    driver.execute_script("window.scrollTo(0, 0); arguments[0].scrollTop = 400", sources)
    assert driver.execute_script("return [arguments[0].scrollTop > 0, window.scrollY]", sources) == [True, 0]
    # wording: one marker per citation, real plurals
    answer = bot.text
    assert "(s)" not in answer and re.search(r"\[\d+\]\s*\d+\.", answer) is None
    assert "[1] PNS16-B5-1 Mieux lutter contre la criminalité grâce à la prévention." in answer
    _no_foreign_string(driver, lang)


def test_evaluation_tab_runs_an_evaluation_from_the_page(live_app, page, shots):
    url, settings = live_app
    driver, lang = page
    summary = Path(settings.data_dir) / "eval" / "summary.json"
    _open(driver, f"{url}/?lang={lang}", lang)
    _select_tab(driver, 4)
    run = wait(driver, lambda d: next((b for b in css(d, "#pns-eval-run") if b.is_displayed()), None))
    assert run.text == TEXTS["eval_start"][lang]
    if not summary.exists():  # a fresh install: the tab explains what the button does
        assert text(driver, "#pns-eval-status").startswith(TEXTS["eval_none"][lang][:20])
    driver.save_screenshot(str(shots / f"eval-before-{lang}.png"))
    run.click()
    wait(driver, lambda d: TEXTS["eval_done"][lang].split("{")[0] in text(d, "#pns-eval-status"), timeout=300)
    wait(driver, lambda d: css(d, "#pns-eval .pns-chart"))
    driver.save_screenshot(str(shots / f"eval-after-{lang}.png"))
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["meta"]["questions"] == 6
    report = css(driver, "#pns-eval")[0]
    assert TEXTS["eval_metrics"][lang] in report.text and TEXTS["eval_mode_assistant"][lang] in report.text
    assert report.find_elements("css selector", "a") == []  # no model name turned into a link
    # numbers never break inside a cell; charts are whole within the panel
    heights = driver.execute_script(
        "return [...document.querySelectorAll('#pns-eval td')].map(td => td.getClientRects().length === 1 &&"
        " td.scrollWidth <= td.clientWidth + 1)")
    assert heights and all(heights)
    inside = driver.execute_script(
        "const p = document.querySelector('#pns-eval').getBoundingClientRect();"
        "return [...document.querySelectorAll('#pns-eval .pns-chart')].map(c => {"
        " const r = c.getBoundingClientRect(); return r.left >= p.left - 1 && r.right <= p.right + 1; })")
    assert inside and all(inside)
    _no_foreign_string(driver, lang)


def test_actor_theme_map_opens_the_objectives_of_a_cell(live_app, page, shots):
    url, _ = live_app
    driver, lang = page
    _open(driver, f"{url}/?lang={lang}", lang)
    _select_tab(driver, 3)
    wait(driver, lambda d: css(d, "#pns-actor-view table.pns-matrix"))
    driver.save_screenshot(str(shots / f"actors-{lang}.png"))
    assert text(driver, "#pns-matrix-title") == TEXTS["matrix_title"][lang]
    cell = next(a for a in css(driver, "#pns-actor-view table.pns-matrix td a")
                if "actor=CTIF" in a.get_attribute("href") and "theme=A4" in a.get_attribute("href"))
    assert cell.text == "2"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    cell.click()
    wait(driver, lambda d: "theme=A4" in d.current_url)
    wait(driver, lambda d: [a.text for a in css(d, "#pns-actor-view li a.pns-id")] == ["PNS16-A4-5", "PNS16-A4-12"])
    selected = [t.text for t in css(driver, "[role=tab]") if t.get_attribute("aria-selected") == "true"]
    assert selected == [TEXTS["tab_actors"][lang]]
    driver.save_screenshot(str(shots / f"actor-cell-{lang}.png"))
    _no_foreign_string(driver, lang)
