"""The REST API v1 (JSON over HTTP, mounted at ``/api/v1`` by ``ui/server.py``) for intranet pages and chat bots.

Routes: ``POST /ask`` (the same JSON as ``pns ask --json``), ``GET /objectives/{id}``, ``GET /objectives?theme=B5``,
``GET /themes``, ``GET /actors``, ``GET /actors/{name}``, ``POST /feedback``, ``GET /healthz``, ``GET /readyz``;
the schema at ``/api/v1/openapi.json``. There are no interactive docs: FastAPI's load their assets from a CDN.

Answers are computed outside Gradio's queue, on the live assistant's answering threads (``answer_workers``, see
``ui/live.py``). When a login or ``api_token`` is set, every route but the health
checks needs HTTP Basic (the app's user and password) or ``Authorization: Bearer <api_token>``; wrong credentials
count towards the login throttle. Bad input gets 422 (types) or 400 (values) with one clear message.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from assistant import text as safe_text
from pns.errors import CorpusError, LimitError, PNSError, UsageError
from ui import render
from ui.security import LoginThrottle, client_of, retry_after

log = logging.getLogger(__name__)

MAX_CONVERSATIONS = 10_000  # conversations kept for follow-ups, the least recently used dropped first


# -- models ------------------------------------------------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(Strict):
    question: str = Field(description="The question, in French, Dutch or English.", examples=["Qu'est-ce que BEPAD ?"])
    language: Literal["fr", "nl", "en"] | None = Field(None, description="Answer language; default: detected.")
    conversation_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="An id of the caller's choosing: questions sent with the same id are one conversation "
                    "(follow-ups such as 'et pour la drogue ?' refer to the previous answer).")


class Translation(BaseModel):
    language: str
    text: str


class Citation(BaseModel):
    rank: int
    passage_id: str
    objective_id: str | None
    path: list[str]
    document: str
    document_title: str
    location: str
    text: str
    score: float
    url: str | None
    scores: dict[str, Any]
    highlights: list[tuple[int, int]]
    translation: Translation | None = None


class Scope(BaseModel):
    p_out: float
    threshold: float


class AnswerModel(BaseModel):
    """An answer, exactly as ``pns ask --json`` prints it."""

    question: str
    language: str
    intent: str
    answer: str
    theme: str | None
    group: str | None
    citations: list[Citation]
    notices: list[str]
    suggestions: list[str]
    summary: str | None
    scope: Scope | None
    elapsed_ms: float


class ObjectiveModel(BaseModel):
    """An objective, as ``pns objectives --json`` prints it."""

    id: str
    document: str
    path: list[str]
    theme: str
    theme_title: str
    group: str | None
    group_key: str
    number: int
    text: str
    location: str
    url: str
    corrected: str | None
    actors: list[str]


class GroupMember(BaseModel):
    id: str
    number: int
    text: str
    url: str


class GroupModel(BaseModel):
    key: str
    title: str
    objectives: list[GroupMember]


class NamedActor(BaseModel):
    id: str
    name: str
    category: str
    spans: list[tuple[int, int]]


class ObjectivePayload(BaseModel):
    """One objective, its group's objectives and the actors its text names (with character spans)."""

    objective: ObjectiveModel
    group: GroupModel
    actors: list[NamedActor]


class SubGroup(BaseModel):
    key: str
    title: str
    objectives: int


class ThemeModel(BaseModel):
    code: str
    title: str
    goal: str
    objectives: int
    groups: list[SubGroup]


class ActorSummary(BaseModel):
    """An actor of the index, as ``pns actors --json`` lists it."""

    id: str
    name: str
    category: str
    aliases: list[str]
    objectives: list[str]
    passages: list[str]


class ActorTheme(BaseModel):
    theme: str
    title: str
    objectives: list[ObjectiveModel]


class ProsePassage(BaseModel):
    id: str
    path: list[str]
    text: str
    location: str


class ActorDetail(BaseModel):
    id: str
    name: str
    category: str
    aliases: list[str]
    themes: list[ActorTheme]
    passages: list[ProsePassage]


class ActorLookup(BaseModel):
    """The actors matching a name or acronym, with the objectives (by theme) and passages naming them."""

    query: str
    actors: list[ActorDetail]


class FeedbackRequest(Strict):
    answer: AnswerModel | str = Field(description="The answer as returned by /ask (preferred), or its text.")
    question: str = Field("", description="The question; default: the answer's own.")
    rating: Literal["up", "down", "withdrawn"] | None = Field(None, description="Thumbs up or down, or withdrawn.")
    comment: str = Field("", description="Free text; optional when there is a rating.")
    answer_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{0,64}$")] = Field(
        "", description="An id shared by the events about one answer.")


class FeedbackResponse(BaseModel):
    ok: bool
    id: int


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    ready: bool
    index_version: str
    loaded_at: float = Field(description="When the served index was loaded (Unix time).")
    reloads: int = Field(description="Live reloads since the server started.")
    last_reload_error: str | None = Field(description="Why the latest new index could not be served, if so.")


class ErrorModel(BaseModel):
    error: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel, "description": text} for code, text in (
        (400, "Bad input value"), (401, "Login required"), (404, "Not found"), (413, "Too large"),
        (422, "Wrong JSON type or shape"), (429, "Too many requests"), (503, "Not available now"))}


# -- the application ------------------------------------------------------------------------------------------------------
class ApiError(Exception):
    """An HTTP error with one message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            position = error.get("loc", ("body", "?"))[-1]
            reason = (error.get("ctx") or {}).get("error", "JSON decode error")
            parts.append(f"the body is not valid JSON (character {position}): {reason}")
            continue
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",)) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(dict.fromkeys(parts))


class Conversations:
    """The conversations of API callers by id, bounded (least recently used dropped)."""

    def __init__(self, factory: Any, limit: int = MAX_CONVERSATIONS) -> None:
        self.factory, self.limit = factory, limit
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str | None) -> Any:
        if key is None:
            return self.factory()
        with self._lock:
            item = self._items.pop(key, None) or self.factory()
            self._items[key] = item
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            return item


async def error_response(_: Request, exc: Exception) -> JSONResponse:
    """An ApiError as ``{"error": message}`` with its status and headers."""
    assert isinstance(exc, ApiError)
    return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)


class Login:
    """The API's login check (a FastAPI dependency): HTTP Basic with the app's user and password, or a bearer
    token (``api_token``); nothing to check when neither is set. Wrong credentials feed the login throttle."""

    def __init__(self, settings: Any, throttle: LoginThrottle) -> None:
        from ui.app import auth_from_settings

        self.user_password = auth_from_settings(settings)
        self.token = settings.api_token
        self.throttle = throttle

    def _valid(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and self.token:
            return secrets.compare_digest(value.strip().encode(), self.token.encode())
        if scheme.lower() == "basic" and self.user_password:
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected_user, expected_password = self.user_password
            return (secrets.compare_digest(user.encode(), expected_user.encode())
                    & secrets.compare_digest(password.encode(), expected_password.encode()))
        return False

    def __call__(self, request: Request) -> None:
        if not self.user_password and not self.token:
            return
        client = client_of(request.scope)
        wait = self.throttle.wait(client)
        if wait > 0:
            raise ApiError(429, f"too many wrong logins; try again in {retry_after(wait)} s",
                           {"Retry-After": retry_after(wait)})
        header = request.headers.get("authorization", "")
        if self._valid(header):
            self.throttle.succeeded(client)
            return
        if header:
            self.throttle.failed(client)
        challenge = 'Basic realm="pns", charset="UTF-8"' if self.user_password else 'Bearer realm="pns"'
        raise ApiError(401, "login required: HTTP Basic with the app's user and password"
                       + (", or Authorization: Bearer <api_token>" if self.token else ""),
                       {"WWW-Authenticate": challenge})


def create_api(live: Any, settings: Any, *, feedback: Any, login: Login, metrics: Any | None = None,
               conversation_factory: Any | None = None) -> FastAPI:
    """The API as a FastAPI application, to mount at ``/api/v1`` (its schema at ``/openapi.json`` there).

    ``feedback`` has the store's ``add_answer``; ``metrics`` counts refused and failed questions.
    """
    if conversation_factory is None:
        from assistant.service import Conversation

        conversation_factory = Conversation
    conversations = Conversations(conversation_factory)
    api = FastAPI(title="PNS Assistant API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", responses=ERRORS,
                  description="Cited answers from the Plan national de sécurité 2016-2019, and the plan's "
                              "objectives, themes and actors.")
    api.add_exception_handler(ApiError, error_response)

    @api.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(exc)}, 422)

    guarded = [Depends(login)]

    def corpus() -> Any:
        return live.corpus


    @api.post("/ask", response_model=AnswerModel, dependencies=guarded, summary="Answer a question, cited",
              description="The answer's JSON is that of `pns ask --json`; the X-PNS-Index header names the index "
                          "version that answered.")
    async def ask(body: AskRequest, response: Response) -> Any:
        conversation = conversations.get(body.conversation_id)
        pinned = live.pinned()  # the one assistant (one index version) of this whole answer
        response.headers["X-PNS-Index"] = pinned.version

        def answer() -> dict[str, Any]:
            return safe_text.ask(pinned, body.question, body.language, conversation).to_dict()

        try:
            return await asyncio.wrap_future(live.submit(answer))
        except UsageError as exc:
            if metrics is not None:
                metrics.errors.labels("refused").inc()
            raise ApiError(400, str(exc)) from None
        except PNSError as exc:
            if metrics is not None:
                metrics.errors.labels("failed").inc()
            raise ApiError(503, str(exc)) from None
        except Exception:
            log.exception("the assistant failed on an API question")
            if metrics is not None:
                metrics.errors.labels("failed").inc()
            raise ApiError(500, "the assistant failed on this question (a bug; see the server log)") from None

    @api.get("/objectives/{objective_id}", response_model=ObjectivePayload, dependencies=guarded,
             summary="One objective by id")
    def objective(objective_id: str) -> Any:
        try:
            return render.objective_payload(corpus(), objective_id)
        except CorpusError as exc:
            raise ApiError(404, str(exc)) from None

    @api.get("/objectives", response_model=list[ObjectiveModel], dependencies=guarded,
             summary="Every objective, or a theme's or sub-group's")
    def objectives(theme: Annotated[str | None, Query(max_length=12, description="B5, A3, B4.2…")] = None) -> Any:
        c = corpus()
        try:
            found = c.group_objectives(c.group_key(theme)) if theme else list(c.objectives.values())
        except UsageError as exc:
            raise ApiError(404, str(exc)) from None
        return [c.objective_dict(o) for o in found]

    @api.get("/themes", response_model=list[ThemeModel], dependencies=guarded, summary="The plan's themes")
    def themes() -> Any:
        c = corpus()
        return [{"code": t.code, "title": t.title, "goal": t.goal, "objectives": len(c.group_objectives(t.code)),
                 "groups": [{"key": g.key, "title": g.title, "objectives": len(c.group_objectives(g.key))}
                            for g in t.groups]}
                for t in c.themes.values()]

    @api.get("/actors", response_model=list[ActorSummary], dependencies=guarded, summary="The actor index")
    def actors() -> Any:
        c = corpus()
        index = c.actor_index
        return [{"id": a.id, "name": a.name, "category": a.category, "aliases": list(a.aliases),
                 "objectives": [p for p in index.get(a.id, []) if p in c.objectives],
                 "passages": list(index.get(a.id, []))} for a in c.actors]

    @api.get("/actors/{name}", response_model=ActorLookup, dependencies=guarded,
             summary="Actors matching a name or acronym")
    def actor(name: str) -> Any:
        found = render.actor_payload(corpus(), name)
        if not found["actors"]:
            raise ApiError(404, f"no actor matches {name!r}; GET /api/v1/actors lists them")
        return found

    @api.post("/feedback", response_model=FeedbackResponse, dependencies=guarded, summary="Rate an answer")
    async def give_feedback(body: FeedbackRequest, request: Request) -> Any:
        data = body.answer.model_dump() if isinstance(body.answer, AnswerModel) else {"answer": body.answer}
        if body.question:
            data["question"] = body.question

        def record() -> int:
            return feedback.add_answer(data, rating=body.rating, comment=body.comment, answer_id=body.answer_id,
                                       source="api", client=safe_text.client_of(request))

        try:
            row = await run_in_threadpool(record)
        except LimitError as exc:  # too large (413), too frequent (429), the store full (503)
            wait = {"Retry-After": retry_after(exc.retry_after)} if exc.retry_after else None
            raise ApiError(exc.http_status, str(exc), wait) from None
        except PNSError as exc:
            raise ApiError(400, str(exc)) from None
        return {"ok": True, "id": row}

    @api.get("/healthz", response_model=Health, summary="Liveness: the process answers")
    def healthz() -> Any:
        return {"status": "ok"}

    @api.get("/readyz", response_model=Ready, summary="Readiness: an index is loaded, and which",
             responses={503: {"model": Ready, "description": "No index served"}})
    def readyz() -> Any:
        live.current()  # a load balancer polls this: it is also when a new index is noticed
        version = live.version
        data = {"ready": bool(version), "index_version": version, "loaded_at": live.loaded_at,
                "reloads": live.reloads, "last_reload_error": live.last_error}
        return data if version else JSONResponse(data, 503)

    return api
