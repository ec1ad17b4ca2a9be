"""The project's own exceptions.

Each message says what was received, what was expected and how to fix it; the CLI prints it as one line and
exits non-zero, never with a traceback.
"""

from __future__ import annotations

from collections.abc import Callable


class PNSError(Exception):
    """Base class: an error a person can act on."""

    exit_code = 1


class UsageError(PNSError):
    """Bad input from the caller (an empty question, an unknown option value)."""

    exit_code = 2


class ConfigError(PNSError):
    """A settings file or environment variable that cannot be used."""

    exit_code = 2


class CorpusError(PNSError):
    """A document or manifest that cannot be loaded as it is."""


class IndexStateError(PNSError):
    """A missing, stale or corrupted index."""


class ModelError(PNSError):
    """The configured embedding model is not available offline."""


class DependencyError(PNSError):
    """An optional dependency is not installed; the message names the install command."""


class LimitError(UsageError):
    """A request refused by a limit: too large (HTTP 413), too frequent (429, ``retry_after`` seconds), or a store
    full (503); ``http_status`` lets an HTTP layer answer with the right code and Retry-After."""

    def __init__(self, message: str, *, http_status: int = 413, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after = retry_after


class IndexWriteError(IndexStateError, OSError):
    """The index folder cannot be written (read-only, a file in its place, disk full). Still an OSError, for
    callers that handle the operating system's errors; the CLI prints it as one line like any PNSError."""


def stale_reason(load: Callable[[], object]) -> str | None:
    """None when ``load`` (of a model stored with the index) succeeds, else its IndexStateError's message: why
    `pns index` must refit it."""
    try:
        load()
    except IndexStateError as exc:
        return str(exc)
    return None
