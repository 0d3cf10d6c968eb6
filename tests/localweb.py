"""A local HTTP server for the fetch and feed tests: 127.0.0.1 only, never the internet.

    web = LocalWeb(); web.start()
    web.route("/page", body=b"...", content_type="text/html; charset=utf-8")
    web.route("/slow", handler=lambda req: ...)   # a function writing its own response
    web.url("/page")  -> "http://127.0.0.1:PORT/page"
    web.requests      -> [(path, headers)] in arrival order

Use the ``web`` fixture of tests/ingest/test_fetch.py (imported by the other test files).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    handler: Handler | None = None


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        web = self.server.web
        path = self.path.split("?", 1)[0]
        with web.lock:
            web.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = web.routes.get(path)
        if route is None:
            self._respond(Route(status=404, body=b"not found", content_type="text/plain"))
        elif route.handler is not None:
            route.handler(self)
        else:
            self._respond(route)

    def _respond(self, route: Route) -> None:
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web: LocalWeb


class LocalWeb:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.scheme = "https" if tls is not None else "http"
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.web = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, **kwargs: object) -> None:
        with self.lock:
            self.routes[path] = Route(**kwargs)  # type: ignore[arg-type]

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.requests]

    def start(self) -> LocalWeb:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
