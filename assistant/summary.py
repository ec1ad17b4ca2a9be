"""Optional summary of an answer by a language model behind an OpenAI-compatible endpoint (off by default).

The model sees only the cited passages, numbered as in the answer. Its text is kept only when every sentence
ends with citations that exist ([n] with 1 ≤ n ≤ number of passages); otherwise the extractive answer stands
alone and a notice says why. The endpoint must be on this machine (loopback) unless the settings allow a
remote one explicitly: police documents and questions never leave the machine by default. No redirect is ever
followed (a loopback server answering 302 elsewhere would carry the question and the key off the machine), and no
notice or log shows a credential: the URL's user and password and the key are replaced by ***.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from pns.errors import ConfigError
from pns.settings import Settings, redact, redact_url
from pns.types import Citation

_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_ENDING = re.compile(r"(\s*\[\d{1,3}\])+$")

SYSTEM = {
    "fr": ("Tu résumes des passages du Plan national de sécurité. Utilise uniquement les passages numérotés "
           "fournis. Chaque phrase se termine par le ou les numéros des passages qui la justifient, par exemple "
           "[1] ou [2][3]. N'ajoute aucune information. Réponds en français, en trois phrases au plus."),
    "nl": ("Je vat passages van het Nationaal Veiligheidsplan samen. Gebruik alleen de genummerde passages. "
           "Elke zin eindigt met het nummer of de nummers van de passages die hem staven, bijvoorbeeld [1] of "
           "[2][3]. Voeg geen informatie toe. Antwoord in het Nederlands, in hoogstens drie zinnen."),
    "en": ("You summarise passages of the Belgian National Security Plan. Use only the numbered passages given. "
           "End every sentence with the number(s) of the passages that support it, e.g. [1] or [2][3]. Add no "
           "information. Answer in English, in three sentences at most."),
}


@dataclass(frozen=True)
class SummaryResult:
    """The accepted summary, or None with the reason it was not shown."""

    text: str | None
    reason: str = ""


def check_endpoint(url: str, allow_remote: bool) -> str:
    """The chat-completions URL, refusing hosts other than this machine unless explicitly allowed."""
    shown = redact_url(url)
    try:
        parsed = urlparse(url)
        hostname = parsed.hostname
    except ValueError:
        hostname = None
    if not hostname or parsed.scheme not in {"http", "https"}:
        raise ConfigError(f"llm_endpoint {shown!r} is not an http(s) URL such as http://127.0.0.1:8080/v1")
    if not allow_remote:
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
        except (socket.gaierror, UnicodeError):
            raise ConfigError(f"llm_endpoint host {hostname!r} cannot be resolved") from None
        if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
            raise ConfigError(f"llm_endpoint {shown!r} is not on this machine; questions must not leave it. "
                              "Use a local server, or set llm_allow_remote = true if policy allows it")
    base = url.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuses every redirect: the request (question, passages, key) goes to the checked endpoint or nowhere."""

    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str, headers: object,
                         newurl: str) -> None:
        return None


def _credentials(url: str) -> tuple[str, str | None]:
    """The URL without ``user:password@``, and the Basic credentials it held (sent only to that endpoint)."""
    parsed = urlparse(url)
    if parsed.username is None and parsed.password is None:
        return url, None
    import base64
    from urllib.parse import unquote

    pair = f"{unquote(parsed.username or '')}:{unquote(parsed.password or '')}"
    bare = parsed._replace(netloc=parsed.netloc.rpartition("@")[2]).geturl()
    return bare, "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def validate(text: str, n_citations: int) -> str | None:
    """Why the summary is not acceptable, or None when every sentence carries existing citations."""
    sentences = [s.strip() for s in _SENTENCE.findall(text.strip()) if s.strip()]
    if not sentences:
        return "empty summary"
    for sentence in sentences:
        numbers = [int(n) for n in _MARKER.findall(sentence)]
        if not numbers or not _ENDING.search(sentence.rstrip(" .!?")):
            return f"a sentence does not end with a citation: {sentence[:60]!r}"
        bad = [n for n in numbers if not 1 <= n <= n_citations]
        if bad:
            return f"citation [{bad[0]}] does not exist"
    return None


def summarise(settings: Settings, question: str, language: str, citations: Sequence[Citation]) -> SummaryResult:
    """Ask the configured model for a cited summary; never raises for a model or network failure."""
    if not citations:
        return SummaryResult(None, "nothing to summarise")
    try:
        url = check_endpoint(settings.llm_endpoint, settings.llm_allow_remote)
    except ConfigError as exc:
        return SummaryResult(None, redact(f"summary not requested: {exc}", settings))
    passages = "\n".join(f"[{c.rank}] {c.text}" for c in citations)
    body = {
        "model": settings.llm_model or "default",
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM.get(language, SYSTEM["fr"])},
            {"role": "user", "content": f"Question: {question}\n\nPassages:\n{passages}"},
        ],
    }
    url, basic = _credentials(url)
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    elif basic:
        headers["Authorization"] = basic
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")
    try:
        # No proxy, ever: a proxy would carry the question off the machine. No redirect either (see _NoRedirect).
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
        with opener.open(request, timeout=settings.llm_timeout) as response:
            data = json.loads(response.read().decode("utf-8"))
        text = data["choices"][0]["message"]["content"]
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            return SummaryResult(None, f"summary unavailable (the endpoint answered a redirect, HTTP {exc.code}, "
                                       "which is never followed)")
        return SummaryResult(None, f"summary unavailable ({type(exc).__name__})")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        return SummaryResult(None, f"summary unavailable ({type(exc).__name__})")
    if not isinstance(text, str):
        return SummaryResult(None, "summary unavailable (no text)")
    problem = validate(text, len(citations))
    if problem:
        return SummaryResult(None, f"summary rejected: {problem}")
    return SummaryResult(text.strip())
