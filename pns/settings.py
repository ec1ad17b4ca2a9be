"""One settings object for the whole product.

Values come from, in increasing priority: the defaults below, a TOML file (``pns.toml`` in the working folder or
the file named by ``PNS_CONFIG``), environment variables ``PNS_<FIELD>`` and explicit CLI options. Unknown keys
are refused so that a typo never silently keeps a default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pns.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "PNS_"


def _f(default: Any, help: str, *, index: bool = False) -> Any:
    """A settings field with its description; ``index`` marks fields that shape the built index."""
    return field(default=default, metadata={"help": help, "index": index})


@dataclass(frozen=True)
class Settings:
    """Every setting the product reads, each with a description."""

    corpus_dir: str = _f(str(REPO_ROOT / "corpus"), "Folder holding manifest.toml and the documents.")
    index_dir: str = _f(str(REPO_ROOT / ".index"), "Folder where the built index is stored.")
    data_dir: str = _f(str(REPO_ROOT / ".data"), "Folder for feedback and evaluation reports.")
    embedder: str = _f(
        "use-multilingual-v3",
        "Embedding model: 'use-multilingual-v3' (default, offline numpy) or a sentence-transformers model "
        "name or local path, optionally prefixed 'st:'.",
        index=True,
    )
    embed_batch_size: int = _f(64, "Texts per embedding batch when building the index.")
    embed_workers: int = _f(min(2, os.cpu_count() or 1), "Threads embedding batches in parallel at build time.")
    hnsw_threshold: int = _f(50_000, "Above this many units the dense index is HNSW, else exact.", index=True)
    hnsw_m: int = _f(32, "HNSW graph degree.", index=True)
    hnsw_ef_search: int = _f(64, "HNSW search breadth (recall vs speed).")
    rrf_k: int = _f(60, "Reciprocal rank fusion constant k.")
    bm25_weight: float = _f(1.0, "Weight of the BM25 ranking in fusion.")
    bm25_crosslingual_factor: float = _f(
        0.5, "BM25 weight multiplier when the question's language is not a language of the documents.")
    dense_weight: float = _f(1.0, "Weight of the dense ranking in fusion.")
    route_weight: float = _f(2.0, "Weight, in fusion, of the named theme's own passages for a free question.")
    goal_weight: float = _f(0.9, "Multiplier of a theme's goal sentence in a free question's fused ranking.")
    candidates: int = _f(50, "Candidates taken from each retriever before fusion.")
    unit_views: str = _f(
        "context,text,names",
        "How objectives are indexed, comma-separated: context (heading path + text), text (alone), names "
        "(with the theme's Dutch and English names).",
        index=True,
    )
    chunk_max_chars: int = _f(700, "Longest prose unit, in characters, before it is split on sentences.", index=True)
    chunk_overlap_sentences: int = _f(1, "Sentences repeated between consecutive prose units.", index=True)
    abstain_threshold: float = _f(
        0.15, "A free question whose best dense similarity to the plan is below this is out of scope."
    )
    abstain_routed_margin: float = _f(
        0.05, "Extra margin before a question that names a theme of the plan is treated as out of scope.")
    abstain_margin: float = _f(
        0.08, "Out of scope too when the question is this much closer to everyday background subjects."
    )
    max_question_chars: int = _f(2000, "Longer questions are truncated, with a notice.")
    top_k: int = _f(5, "Passages cited for a free question.")
    host: str = _f("127.0.0.1", "Address the web app binds to.")
    port: int = _f(7860, "Port of the web app.")
    public_url: str = _f("", "Base URL used in permalinks; empty means http://HOST:PORT.")
    auth_user: str = _f("", "Username for the web app; empty disables authentication.")
    auth_password: str = _f("", "Password for the web app.")
    llm_endpoint: str = _f("", "OpenAI-compatible base URL for optional summaries; empty disables them.")
    llm_model: str = _f("", "Model name sent to the summary endpoint.")
    llm_api_key: str = _f("", "API key for the summary endpoint, if it needs one.")
    llm_allow_remote: bool = _f(False, "Allow an llm_endpoint that is not on this machine (off: loopback only).")
    llm_timeout: float = _f(20.0, "Seconds to wait for a summary before showing the extractive answer.")

    @property
    def base_url(self) -> str:
        """The URL permalinks start with."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def objective_url(self, objective_id: str) -> str:
        """Permalink served by the app: ``/?objective=<id>``."""
        from urllib.parse import quote

        return f"{self.base_url}/?objective={quote(objective_id)}"

    @property
    def views(self) -> tuple[str, ...]:
        return tuple(v.strip() for v in self.unit_views.split(",") if v.strip())

    def index_fingerprint(self) -> str:
        """Hash of the settings that shape the index, so a change makes the index stale."""
        shaping = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.metadata.get("index")}
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (None values are ignored, so CLI defaults pass through)."""
        clean = {k: v for k, v in changes.items() if v is not None}
        _check_keys(clean, "override")
        return dataclasses.replace(self, **{k: _coerce(k, v, "override") for k, v in clean.items()})


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _check_keys(values: dict[str, Any], origin: str) -> None:
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)} in {origin}; known settings: {', '.join(sorted(_FIELDS))}"
        )


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Convert a value to the field's type, with an error that names the field."""
    kind = type(_FIELDS[name].default)
    try:
        if kind is bool and isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(value, bool) and kind is not bool:
            raise TypeError
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError
        if kind is str and not isinstance(value, str):
            raise TypeError
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {name} from {origin} must be a {kind.__name__}, got {value!r}"
        ) from None


def load_settings(config_file: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from file, environment and overrides."""
    values: dict[str, Any] = {}
    path = Path(config_file or os.environ.get(f"{ENV_PREFIX}CONFIG") or "pns.toml")
    if config_file or os.environ.get(f"{ENV_PREFIX}CONFIG") or path.exists():
        if not path.is_file():
            raise ConfigError(f"settings file {path} does not exist; create it or unset {ENV_PREFIX}CONFIG")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from None
        _check_keys(data, str(path))
        values.update({k: _coerce(k, v, str(path)) for k, v in data.items()})
    for key, raw in os.environ.items():
        if not key.startswith(ENV_PREFIX) or key == f"{ENV_PREFIX}CONFIG":
            continue
        name = key[len(ENV_PREFIX):].lower()
        _check_keys({name: raw}, f"environment variable {key}")
        values[name] = _coerce(name, raw, f"environment variable {key}")
    settings = Settings(**values)
    return settings.replace(**overrides)
