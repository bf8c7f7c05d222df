"""`briefing serve`: a local preview server with a translator's in-context view.

    briefing serve [--port N] [--host H] [--open]

It composes every document once, serves the index, the previews (the HTML the PDF is made
from, right-to-left for Hebrew) and the current PDF and Word files, watches the project's
files and recomposes only what a change affects; open pages reload by themselves. The one
thing a page may write is a translation, into its .po file, with the session's token.
"""
from __future__ import annotations

import socket
import threading
import webbrowser
from pathlib import Path

from ..errors import BriefError


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        hint = "choose another port with --port N (0: any free port)" if exc.errno == 98 else \
            "use --host 127.0.0.1 (the default), or an address of this machine"
        raise BriefError(f"cannot listen on {host}:{port}: {exc.strerror}", None, hint) from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(root: Path | str, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          log=print) -> int:
    import uvicorn

    from .app import create_app
    from .state import Previews
    previews = Previews(root, log=log)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"

    def ready() -> None:
        docs = previews.docs.values()
        failing = sum(not st.ok for st in docs)
        log(f"serving {url} ({len(docs)} documents, {failing} failing); Ctrl-C stops")
        if host not in ("127.0.0.1", "localhost", "::1"):
            log(f"note: --host {host} makes the preview reachable from other machines")
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    app = create_app(previews, host=host, port=port, on_ready=ready)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=1,
                            server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:   # uvicorn stops gracefully on Ctrl-C, then passes the signal on
        pass
    finally:
        previews.stop()
        sock.close()
    log("stopped")
    return 0
