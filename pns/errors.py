"""The project's own exceptions.

Each message says what was received, what was expected and how to fix it; the CLI prints it as one line and
exits non-zero, never with a traceback.
"""

from __future__ import annotations


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
