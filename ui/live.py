"""Live index reload: the assistant of the index folder's CURRENT version, swapped when a rebuild moves CURRENT.

A build writes a new version folder and then replaces ``CURRENT`` (see ``indexer/store.py``). A running server
checks that pointer at most every ``reload_interval`` seconds, on the way into an answer; when it names another
version, a background thread loads a complete new assistant while the old one keeps answering, then the holder's
reference is swapped under a lock. Each answer takes the reference once and uses that one assistant from start to
end, so no answer mixes two indexes; in-flight answers finish on the old one, which is then released. A version
that cannot be loaded (stale, damaged, or not finished: `pns index` moves CURRENT and then stores the out-of-scope
model in the new folder) is logged once and the served one stays; it is tried again when its folder changes.

Answers are computed by a fixed pool of ``answer_workers`` threads, whoever asks (the API, the app's queue threads):
the e5 engine is per thread, so a fixed pool bounds the engines, and the memory, of a process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pns.errors import PNSError

log = logging.getLogger(__name__)


def current_version(index_dir: str | Path) -> str | None:
    """The version folder CURRENT names, or None when there is no readable pointer."""
    try:
        return (Path(index_dir) / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def folder_state(index_dir: str | Path, version: str) -> tuple[tuple[str, int, int], ...]:
    """What a version folder holds (names, sizes, modification times): a refused version is tried again once this
    changes (a build finishing its folder)."""
    try:
        entries = sorted(os.scandir(Path(index_dir) / version), key=lambda e: e.name)
        return tuple((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries)
    except OSError:
        return ()


def served_version(assistant: Any) -> str:
    """The version folder an assistant's index was loaded from ("" for an assistant without one)."""
    folder = getattr(getattr(assistant, "index", None), "folder", None)
    return folder.name if folder is not None else ""


def _load(settings: Any) -> Any:
    from assistant.service import Assistant

    return Assistant.load(settings, warm=True)


class LiveAssistant:
    """Holds the served assistant; ``ask`` and ``corpus`` read through it, so the app and the API see one index.

    Args:
        settings: the server's settings (index_dir, reload_interval).
        assistant: the assistant to start with (else loaded now).
        loader: builds an assistant from the settings (tests pass their own; default ``Assistant.load``).
        on_answer: called with each answer and its duration in seconds (the metrics).
    """

    def __init__(self, settings: Any, assistant: Any | None = None, *, loader: Callable[[Any], Any] = _load,
                 on_answer: Callable[[Any, float], None] | None = None) -> None:
        self.settings = settings
        self.interval = float(settings.reload_interval)
        self._loader = loader
        self._lock = threading.Lock()
        self._assistant = assistant if assistant is not None else loader(settings)
        self._version = served_version(self._assistant)
        self._checked = time.monotonic()
        self._loading: threading.Thread | None = None
        self._refused: tuple[str, Any] | None = None  # a version that failed, and its folder's state then
        self.last_error: str | None = None
        self.reloads = 0
        self.loaded_at = time.time()
        self.on_answer = on_answer
        self._workers = int(getattr(settings, "answer_workers", 2))
        self._pool = ThreadPoolExecutor(max_workers=self._workers,
                                        thread_name_prefix="pns-answer", initializer=self._mark_worker)
        self._worker = threading.local()

    # -- the answering threads ------------------------------------------------------------------------------------
    def _mark_worker(self) -> None:
        from indexer.embedders import share_cores

        self._worker.active = True
        share_cores(self._workers)  # concurrent answers share the cores, never oversubscribe them

    def in_worker(self) -> bool:
        return getattr(self._worker, "active", False)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run ``fn(*args)`` on one of the answering threads."""
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        """Stop the answering threads (questions not started are dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- reading --------------------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._version

    def current(self) -> Any:
        """The assistant to use for one whole answer (checks CURRENT when the interval has passed)."""
        if self.interval > 0 and time.monotonic() - self._checked >= self.interval:
            self.check()
        return self._assistant

    @property
    def corpus(self) -> Any:
        return self.current().corpus

    def pinned(self) -> Pinned:
        """The current assistant held for one answer, with the version it serves (for a response header)."""
        return Pinned(self, self.current())

    def ask(self, question: str, language: str | None = None, conversation: Any = None, **options: Any) -> Any:
        """``Assistant.ask`` on the current assistant, timed for the metrics."""
        return self.pinned().ask(question, language, conversation, **options)

    # -- reloading ------------------------------------------------------------------------------------------------
    def check(self) -> bool:
        """Start loading the version CURRENT names if it is new; True when a load was started."""
        with self._lock:
            self._checked = time.monotonic()
            wanted = current_version(self.settings.index_dir)
            if (wanted is None or wanted == self._version
                    or (self._loading is not None and self._loading.is_alive())):
                return False
            if self._refused is not None and self._refused == (wanted, folder_state(self.settings.index_dir, wanted)):
                return False
            self._loading = threading.Thread(target=self._reload, args=(wanted,), name="pns-index-reload",
                                             daemon=True)
            self._loading.start()
            return True

    def reload_now(self, timeout: float = 300.0) -> str:
        """Check now and wait for a load it starts (tests, or an operator's endpoint); the served version."""
        self.check()
        thread = self._loading
        if thread is not None:
            thread.join(timeout)
        return self._version

    def _reload(self, wanted: str) -> None:
        began = time.monotonic()
        state = folder_state(self.settings.index_dir, wanted)
        try:
            fresh = self._loader(self.settings)
        except PNSError as exc:
            self._refuse(wanted, state, str(exc))
            return
        except Exception as exc:  # a bug or a damaged file a loader did not expect: keep serving
            log.exception("live reload: loading index %s failed", wanted)
            self._refuse(wanted, state, f"{type(exc).__name__}: {exc}")
            return
        version = served_version(fresh)
        with self._lock:
            previous, self._assistant, self._version = self._version, fresh, version
            self._refused, self.last_error = None, None
            self.reloads += 1
            self.loaded_at = time.time()
        log.warning("live reload: now serving index %s (was %s), loaded in %.1f s", version, previous,
                    time.monotonic() - began)

    def _refuse(self, wanted: str, state: Any, reason: str) -> None:
        with self._lock:
            repeated = self._refused is not None and self._refused[0] == wanted and self.last_error == reason
            self._refused, self.last_error = (wanted, state), reason
        if not repeated:
            log.warning("live reload: index %s cannot be served (%s); still serving %s", wanted, reason,
                        self._version)


class Pinned:
    """One assistant taken from the holder: every call goes to it even if the holder swaps meanwhile."""

    def __init__(self, live: LiveAssistant, assistant: Any) -> None:
        self.live, self.assistant = live, assistant
        self.version = served_version(assistant)

    @property
    def corpus(self) -> Any:
        return self.assistant.corpus

    def ask(self, question: str, language: str | None = None, conversation: Any = None, **options: Any) -> Any:
        """The assistant's answer, computed on an answering thread (this one, if it is one)."""
        if not self.live.in_worker():
            return self.live.submit(self.ask, question, language, conversation, **options).result()
        began = time.perf_counter()
        answer = self.assistant.ask(question, language=language, conversation=conversation, **options)
        if self.live.on_answer is not None:
            self.live.on_answer(answer, time.perf_counter() - began)
        return answer
