"""The Evaluation tab's run button: `pns eval` in a child process, one at a time, with its progress.

A child process rather than a thread: the evaluation loads its own assistant and takes the CPU for a minute or
two, and a crash or a kill there never takes the app down. The child runs with the app's own settings
(``child_environment``), so it evaluates the index the app serves and writes its report where the tab reads it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pns.settings import child_environment

PROGRESS_FILE = "progress.json"
LOG_FILE = "run.log"


@dataclass(frozen=True)
class RunStatus:
    """What the tab shows: ``state`` is idle, running, done or failed; ``done``/``total`` count question × mode."""

    state: str
    done: int = 0
    total: int = 0
    mode: str = ""
    seconds: float = 0.0
    message: str = ""

    @property
    def running(self) -> bool:
        return self.state == "running"


class EvaluationRunner:
    """Starts `pns eval --out OUT --progress-file …` and reports on it; a second start while one runs is refused."""

    def __init__(self, settings: Any, out_dir: Path, questions: Path | None = None) -> None:
        self.settings = settings
        self.out_dir = Path(out_dir)
        self.questions = questions  # None: `pns eval`'s own development set
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self._finished: RunStatus | None = None

    @property
    def progress_path(self) -> Path:
        return self.out_dir / PROGRESS_FILE

    def start(self) -> bool:
        """Start a run; False when one is already running."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return False
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.progress_path.unlink(missing_ok=True)
            command = [sys.executable, "-m", "pns.cli", "eval", "--out", str(self.out_dir),
                       "--progress-file", str(self.progress_path)]
            if self.questions is not None:
                command += ["--questions", str(self.questions)]
            with open(self.out_dir / LOG_FILE, "wb") as log:
                self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                 env=child_environment(self.settings),
                                                 stdin=subprocess.DEVNULL, cwd=self.out_dir)
            self._started = time.monotonic()
            self._finished = None
            return True

    def _progress(self) -> dict[str, Any]:
        try:
            data = json.loads(self.progress_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def status(self) -> RunStatus:
        """The current run's state; after it ends, its outcome until the next start."""
        with self._lock:
            process = self._process
            if process is None:
                return RunStatus("idle")
            if self._finished is not None:
                return self._finished
            progress = self._progress()
            done, total = int(progress.get("done") or 0), int(progress.get("total") or 0)
            elapsed = time.monotonic() - self._started
            code = process.poll()
            if code is None:
                return RunStatus("running", done, total, str(progress.get("mode") or ""), elapsed)
            if code == 0:
                self._finished = RunStatus("done", done, total, "", elapsed)
            else:
                self._finished = RunStatus("failed", done, total, "", elapsed, self._last_error())
            return self._finished

    def _last_error(self) -> str:
        """The child's last non-empty output line (its one-line error), for the tab."""
        try:
            lines = (self.out_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return next((line.strip() for line in reversed(lines) if line.strip()), "")[:300]

    def stop(self) -> None:
        """End a running child (the app is shutting down)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
