"""The preview server's web layer (Starlette): routes, the safety guard, server-sent events
and the file watcher.

Routes (every other path is 404, every other method 405):

    GET  /                              the index: every brief x language x layout
    GET  /<lang>/<brief>/[?layout=...]  the preview (the HTML the PDF is made from)
    GET  /<lang>/<brief>.pdf            the current PDF (.docx: Word; <brief>.leave-behind.pdf ...)
    GET  /<lang>/<brief>/<file>         an image, font or stylesheet of the brief's template set
    GET  /assets/<file>                 an image or font under the project's assets/
    GET  /_briefing/<file>              the server's own script and stylesheet
    GET  /events                        server-sent events: document versions, on every change
    POST /api/translation               the one write: a translation into a .po (token required)
"""
from __future__ import annotations

import asyncio
import hmac
import json
import mimetypes
import secrets
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response, \
    StreamingResponse
from starlette.routing import Route

from ..cache import WATCHED
from ..compose import LAYOUTS
from ..errors import BriefError
from .pages import index_page, preview_page, template_folder
from .state import Previews

RESOURCE_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".woff", ".woff2", ".ttf", ".otf"}
TOOL_FILES = {"preview.js": "text/javascript", "preview.css": "text/css"}
MAX_BODY = 200_000
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin")]
LOCAL_NAMES = {"127.0.0.1", "localhost", "::1"}


def host_name(value: str) -> str:
    """'127.0.0.1:8000' -> '127.0.0.1'; '[::1]:8000' -> '::1'; lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """Refuses requests whose Host is not this server's address (DNS rebinding), and sets
    the security headers (a strict Content-Security-Policy, no framing, no sniffing) on
    every response. No CORS header is ever sent."""

    def __init__(self, app, allowed: set[str]):
        self.app = app
        self.allowed = {a.lower() for a in allowed}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if host_name(host) not in self.allowed:
            response = PlainTextResponse("refused: this server answers only at its own local address\n", 403)
            return await response(scope, receive, self._secure(send))
        return await self.app(scope, receive, self._secure(send))

    @staticmethod
    def _secure(send):
        async def wrapped(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-")]
                message = {**message, "headers": headers + SECURITY_HEADERS}
            await send(message)
        return wrapped


class Hub:
    """Open event streams, each a queue; `publish` may be called from any thread."""

    def __init__(self):
        self.queues: set[asyncio.Queue] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def publish(self, payload: dict) -> None:
        for q in list(self.queues):
            q.put_nowait(payload)

    def publish_threadsafe(self, payload: dict) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.publish, payload)


def create_app(previews: Previews, *, host: str = "127.0.0.1", port: int | None = None, token: str | None = None,
               watch: bool = True, on_ready=None) -> Starlette:
    token = token or secrets.token_urlsafe(32)
    hub = Hub()
    project = previews.project
    allowed_hosts = LOCAL_NAMES | {host_name(host)}
    if host in ("0.0.0.0", "::"):   # every address of this machine, by name or number
        allowed_hosts = (allowed_hosts - {host}) | _machine_names()
    origins = {f"http://{h if ':' not in h else '[' + h + ']'}" + (f":{port}" if port else "") for h in allowed_hosts}

    # --- pages ----------------------------------------------------------------------------
    def index(request: Request) -> Response:
        if not previews.docs:
            previews.refresh()
        return _html(index_page(previews, token))

    def preview(request: Request) -> Response:
        lang, brief = request.path_params["lang"], request.path_params["brief"]
        layout = request.query_params.get("layout", "brief")
        st = previews.get(brief, lang, layout) if layout in LAYOUTS else None
        if st is None:
            return _not_found()
        return _html(preview_page(previews, st, token))

    def output(request: Request) -> Response:
        lang, name = request.path_params["lang"], request.path_params["name"]
        stem, dot, fmt = name.rpartition(".")
        if not dot:
            if previews.has(name, lang):
                return RedirectResponse(f"/{lang}/{name}/", 308)
            return _not_found()
        if fmt not in ("pdf", "docx"):
            return _not_found()
        brief, layout = stem, "brief"
        for candidate in LAYOUTS[1:]:
            if stem.endswith("." + candidate):
                brief, layout = stem[: -len(candidate) - 1], candidate
        if previews.get(brief, lang, layout) is None:
            return _not_found()
        try:
            data = previews.output(brief, lang, layout, fmt)
        except BriefError as exc:
            text = "\n".join(p.format() for p in exc.problems)
            return PlainTextResponse(f"this {fmt.upper()} cannot be made:\n{text}\n", 422)
        media = "application/pdf" if fmt == "pdf" else \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return Response(data, media_type=media, headers={
            "content-disposition": f'inline; filename="{name}"' if fmt == "pdf" else f'attachment; filename="{name}"',
            "cache-control": "no-store"})

    def template_resource(request: Request) -> Response:
        lang, brief = request.path_params["lang"], request.path_params["brief"]
        if not previews.has(brief, lang):
            return _not_found()
        folder = template_folder(previews, brief)
        return _confined(folder, request.path_params["path"], project.root)

    def asset(request: Request) -> Response:
        # a symlinked assets/ that leads out of the project is not served (as the PDF renderer's roots)
        return _confined(project.assets_dir.resolve(), request.path_params["path"], project.root)

    def tool(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in TOOL_FILES:
            return _not_found()
        data = resources.files("briefing.serve").joinpath("static", name).read_bytes()
        return Response(data, media_type=TOOL_FILES[name], headers={"cache-control": "no-cache"})

    # --- the one write -------------------------------------------------------------------------
    async def save(request: Request) -> Response:
        sent = request.headers.get("x-briefing-token", "")
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return JSONResponse({"ok": False, "problems": [{"message": "missing or wrong session token: reload the "
                                                                       "page"}]}, 403)
        origin = request.headers.get("origin")
        if origin is not None and origin.lower() not in origins:
            return JSONResponse({"ok": False, "problems": [{"message": "refused: the request comes from another "
                                                                       "site"}]}, 403)
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return JSONResponse({"ok": False, "problems": [{"message": "refused: cross-site request"}]}, 403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"ok": False, "problems": [{"message": "send JSON"}]}, 415)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"ok": False, "problems": [{"message": "request too large"}]}, 413)
        try:
            data = json.loads(body)
            fields = {k: data[k] for k in ("lang", "brief", "ctx", "msgid", "msgstr")}
            if not all(isinstance(v, str) for v in fields.values()):
                raise TypeError
            expected = data.get("expected")
            if expected is not None and not isinstance(expected, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"ok": False, "problems": [{"message": "malformed request"}]}, 400)
        try:
            info = await anyio.to_thread.run_sync(lambda: previews.save_translation(
                fields["brief"], fields["lang"], fields["ctx"], fields["msgid"], fields["msgstr"],
                clear_fuzzy=bool(data.get("clear_fuzzy", True)), expected=expected))
        except BriefError as exc:
            conflict = any("changed" in p.message or "no longer" in p.message for p in exc.problems)
            return JSONResponse({"ok": False, "problems": [_problem_json(p) for p in exc.problems]},
                                409 if conflict else 422)
        hub.publish(previews.versions())
        return JSONResponse({"ok": True, "text": info, "versions": previews.versions()})

    # --- events --------------------------------------------------------------------------------
    async def events(request: Request) -> Response:
        queue: asyncio.Queue = asyncio.Queue()
        hub.queues.add(queue)

        async def stream():
            try:
                yield "retry: 1000\n\n"
                yield _event(previews.versions())
                while True:
                    try:
                        payload = await asyncio.wait_for(queue.get(), timeout=15)
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if payload is None:
                        return
                    yield _event(payload)
            finally:
                hub.queues.discard(queue)
        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    # --- life: compose everything, watch the files ------------------------------------------------
    @asynccontextmanager
    async def lifespan(app):
        hub.loop = asyncio.get_running_loop()
        previews.on_change = hub.publish_threadsafe
        if not previews.docs:
            await anyio.to_thread.run_sync(previews.refresh)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_watch(previews, hub, stop))] if watch else []
        if on_ready:
            on_ready()
        try:
            yield
        finally:
            stop.set()
            previews.stop()
            hub.publish(None)
            for task in tasks:
                task.cancel()
            previews.on_change = None

    routes = [
        Route("/", index),
        Route("/events", events),
        Route("/api/translation", save, methods=["POST"]),
        Route("/_briefing/{name}", tool),
        Route("/assets/{path:path}", asset),
        Route("/{lang}/{brief}/", preview),
        Route("/{lang}/{brief}/{path:path}", template_resource),
        Route("/{lang}/{name}", output),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(Guard, allowed=allowed_hosts)
    app.state.token = token
    app.state.previews = previews
    app.state.hub = hub
    return app


async def _watch(previews: Previews, hub: Hub, stop: asyncio.Event) -> None:
    """Recompose what a changed file feeds, then tell open pages."""
    from watchfiles import awatch

    from ..watch import _relevant
    project = previews.project
    out_dir = project.output_dir()
    folders = [str(project.root / name) for name in WATCHED if (project.root / name).is_dir()]

    async def run(paths, recursive, keep):
        async for batch in awatch(*paths, watch_filter=keep, debounce=60, step=20, stop_event=stop,
                                  recursive=recursive, rust_timeout=500, yield_on_timeout=False):
            changed = sorted({project.rel(Path(p)) for _, p in batch})
            try:
                keys = await anyio.to_thread.run_sync(lambda: previews.refresh(changed, dedupe=True))
            except Exception as exc:  # noqa: BLE001 - a bug must not stop the watcher
                previews.log(f"internal error while recomposing: {type(exc).__name__}: {exc}")
                continue
            if keys:
                hub.publish(previews.versions())

    watchers = [run(folders, True, lambda change, path: _relevant(path, out_dir))] if folders else []
    watchers.append(run([str(project.root)], False, lambda change, path: Path(path).name == "briefing.toml"))
    await asyncio.gather(*watchers)


def _machine_names() -> set[str]:
    import socket
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    try:
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return names


def _event(payload: dict) -> str:
    return f"event: versions\ndata: {json.dumps(payload)}\n\n"


def _problem_json(p) -> dict:
    return {"where": str(p.location) if p.location else None, "message": p.message, "hint": p.hint,
            "severity": p.severity}


def _html(text: str) -> HTMLResponse:
    return HTMLResponse(text, headers={"cache-control": "no-store"})


def _not_found() -> Response:
    return PlainTextResponse("not found\n", 404)


def _confined(folder: Path | None, rel: str, root: Path) -> Response:
    """A file under `folder` (resolved, no symlink out, no hidden names), of a resource type,
    read through the project's safe reader (inside the project or the installed templates)."""
    from ..safefs import Refused, read_project_file
    if folder is None or not rel or "\x00" in rel or "\\" in rel:
        return _not_found()
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return _not_found()
    path = folder.joinpath(*parts)
    if path.suffix.lower() not in RESOURCE_SUFFIXES:
        return _not_found()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return _not_found()
    if folder not in real.parents or not real.is_file():
        return _not_found()
    try:
        data = read_project_file(root, real, rel)
    except Refused:
        return _not_found()
    media = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
    return Response(data, media_type=media, headers={"cache-control": "no-cache"})
