"""One trainer's session in headless Chromium, end to end, on the real app: a question in French, its cited
sources, a permalink opened from a citation, a thumbs-up stored, a hostile question shown as text, and not one
request to another host over the whole session. It also takes the README's screenshot (docs/screenshot.png)."""

from __future__ import annotations

import os
import sqlite3
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pns.settings import REPO_ROOT

from .chrome import TIMEOUT, NetworkLog, chromium, css, text, wait

pytestmark = [pytest.mark.browser, pytest.mark.server]

WIDTH, HEIGHT = 1400, 1000
# The README's picture is refreshed only on request (PNS_UPDATE_SCREENSHOT=1), so a test run leaves the work tree
# clean; otherwise the screenshot goes to the test's temporary folder and is checked there.
README_SCREENSHOT = REPO_ROOT / "docs" / "screenshot.png"
UPDATE_SCREENSHOT = bool(os.environ.get("PNS_UPDATE_SCREENSHOT"))  # read at import: tests run with PNS_* cleared
CYBER = "Quels sont les objectifs en matière de cybercriminalité ?"
HOSTILE = "<script>alert(1)</script> Quels objectifs impliquent la CTIF ?"
LIKE_LABELS = ("J'aime", "Like")  # Gradio words its buttons in the browser's language


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium in French, the viewport exactly WIDTH × HEIGHT (for the screenshot)."""
    with chromium("fr-BE", WIDTH, HEIGHT, exact_viewport=True) as driver:
        yield driver


def _bot_messages(driver: Any) -> list[Any]:
    return css(driver, "#pns-chat [data-testid=bot]")


def _ask(driver: Any, question: str, answers_before: int) -> None:
    """Type a question, send it and wait for its answer."""
    box = wait(driver, lambda d: next(iter(css(d, "#pns-question textarea")), None))
    box.send_keys(question)
    css(driver, "#pns-send")[0].click()
    wait(driver, lambda d: len(_bot_messages(d)) == answers_before + 1 and not css(d, "#pns-question textarea")[0]
          .get_attribute("value"))


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _feedback_rows(database: Path, after: int) -> list[tuple[Any, ...]]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT id, rating, question, source FROM feedback WHERE id > ? ORDER BY id",
                            (after,)).fetchall()


def test_a_trainers_session(live_app, browser, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException

    url, settings = live_app
    log = NetworkLog(browser)
    database = Path(settings.data_dir) / "feedback.sqlite3"
    last_row = max((row[0] for row in _feedback_rows(database, 0)), default=0)

    # 1. A question in French: the answer and its ten cited objectives, in order, with their permalinks.
    browser.get(f"{url}/?lang=fr")
    wait(browser, lambda d: "Questions" in [t.text for t in css(d, "[role=tab]")])
    _ask(browser, CYBER, 0)
    wait(browser, lambda d: len(css(d, "#pns-sources li.pns-citation")) == 10)
    assert CYBER in text(browser, "#pns-chat [data-testid=user]")
    answer = _bot_messages(browser)[0].text
    assert all(f"PNS16-B5-{n}" in answer for n in range(1, 11))
    ids = [f"PNS16-B5-{n}" for n in range(1, 11)]
    links = css(browser, "#pns-sources li.pns-citation a")
    assert [a.text for a in links] == ids
    # in-app links keep the interface language
    assert [a.get_attribute("href") for a in links] == [settings.objective_url(i) + "&lang=fr" for i in ids]
    assert text(browser, "#pns-sources h3") == "Sources"
    log.collect()

    # 2. The README's screenshot: the question and the start of the answer in the chat, the sources beside it.
    browser.execute_script("document.querySelector('#pns-chat [role=log]').scrollTop = 0; window.scrollTo(0, 0);"
                           "document.activeElement.blur();")
    time.sleep(0.5)  # let the scroll settle and any transition end
    shot = README_SCREENSHOT if UPDATE_SCREENSHOT else tmp_path / "e2e.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    partial = shot.with_suffix(".png.part")
    partial.write_bytes(browser.get_screenshot_as_png())
    partial.replace(shot)
    assert _png_size(shot) == (WIDTH, HEIGHT)

    # 3. A citation's permalink opens the objective's card. The link opens a new tab; the test opens that tab
    # itself and goes to the link's address, so that the network log (kept per tab, from the moment the driver
    # attaches to it) sees every request of the page.
    chat_window = browser.current_window_handle
    link = css(browser, "#pns-sources li.pns-citation a")[2]
    href = link.get_attribute("href")
    assert (link.text, link.get_attribute("target")) == ("PNS16-B5-3", "_blank")
    browser.switch_to.new_window("tab")
    browser.get(href)
    assert browser.current_url == settings.objective_url("PNS16-B5-3") + "&lang=fr"
    wait(browser, lambda d: "Assurer des enquêtes de qualité." in text(d, "#pns-card"))
    assert "PNS16-B5-3" in text(browser, "#pns-card")
    selected = [t.text for t in css(browser, "[role=tab]") if t.get_attribute("aria-selected") == "true"]
    assert selected == ["Objectif"]
    log.collect()
    browser.close()
    browser.switch_to.window(chat_window)

    # 4. Back in the chat, a thumbs-up on the answer is stored.
    like = [b for b in css(browser, "#pns-chat button") if b.get_attribute("aria-label") in LIKE_LABELS]
    assert len(like) == 1
    like[0].click()
    rows: list[tuple[Any, ...]] = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and not rows:
        rows = _feedback_rows(database, last_row)
        time.sleep(0.2)
    assert [row[1:] for row in rows] == [("up", CYBER, "ui")]
    last_row = rows[-1][0]

    # 5. A question holding a script is shown as text: no element made of it, no alert.
    _ask(browser, HOSTILE, 1)
    wait(browser, lambda d: [a.text for a in css(d, "#pns-sources li.pns-citation a")] == ["PNS16-A4-5",
                                                                                            "PNS16-A4-12"])
    users = css(browser, "#pns-chat [data-testid=user]")
    assert [u.text for u in users] == [CYBER, HOSTILE]
    assert css(browser, "#pns-chat script, #pns-chat img, #pns-chat iframe") == []
    assert browser.execute_script(
        "return [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length"
    ) == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018  (reading the property is what raises)
    assert _feedback_rows(database, last_row) == []  # asking is not feedback

    # 6. Over the whole session, nothing was requested from any host but the app's.
    log.collect()
    assert any(u.startswith(f"{url}/gradio_api/") for u in log.urls)  # the log did record the session
    assert settings.objective_url("PNS16-B5-3") + "&lang=fr" in log.urls  # ... the new tab included
    assert log.foreign(url) == []
