"""Plain HTTP beside the websockets: the teacher dashboard's files, its strings, the join-code QR, the origin check.

Why in the websockets process (no web framework): the dashboard is three static files and two small
JSON/SVG answers, and it talks to the classroom over the same websocket protocol as any teacher client.
websockets' ``process_request`` hook sees every request before the handshake: a request that asks to
upgrade goes on to the websocket handler (after the origin check), any other GET is answered here.

Why ``WebRoutes.handle`` is Sans-I/O (python-websockets' model): it takes a path and headers and
returns an ``HttpReply``; ``process_request`` only converts that into a websockets ``Response``. So
routing, the origin rule and the security headers are tested without a socket.

Security rules:
- A browser's websocket must come from this server's own page: its ``Origin`` must name the same
  host:port as its ``Host`` (else 403). Clients that send no ``Origin`` (the VR app, ``ClassroomClient``,
  tests) are not browsers and pass: the origin check exists to stop other web sites from driving a
  teacher's browser, which always sends ``Origin``.
- DNS rebinding (a foreign name resolving to this server) would pass a same-origin check, so browser
  requests must also use an IP address, ``localhost``, or a host name listed in ``allowed_hosts``.
- The HTML carries a strict Content-Security-Policy (own scripts and styles only, no inline code, no
  framing); every reply has ``nosniff`` and ``no-referrer``; nothing is cached (the page is tiny).
- Answers about one room need its secret in an ``Authorization: Bearer`` header, never in the URL
  (URLs end up in logs and browser history): ``/report/<room>.csv|.html`` the teacher token,
  ``/parent/standing.json`` a learner's parent token. No header is 401; a wrong token and an unknown
  room are the same 403, so the answer does not tell which rooms exist.
"""

from __future__ import annotations

import http
import ipaddress
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from vbranch.server import auth
from vbranch.server.parent_view import find_parent_seat, parent_standing
from vbranch.server.qr import QrUnavailable, qr_svg
from vbranch.server.report import contest_result, report_csv
from vbranch.server.report_html import contest_report_html, report_filename

if TYPE_CHECKING:
    from vbranch.server.lobby import Lobby

__all__ = ["DASHBOARD_FILES", "DASHBOARD_CSP", "REPORT_CSP", "HttpReply", "WebRoutes", "host_allowed",
           "origin_allowed", "bearer_token", "dashboard_catalogue", "text_reply", "json_reply", "to_response"]

log = logging.getLogger(__name__)

# URL path -> (file in server/dashboard/, content type)
DASHBOARD_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/dashboard": ("index.html", "text/html; charset=utf-8"),
    "/live.js": ("live.js", "text/javascript; charset=utf-8"),
    "/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
    "/parent": ("parent.html", "text/html; charset=utf-8"),
    "/parent.js": ("parent.js", "text/javascript; charset=utf-8"),
    "/parent.css": ("parent.css", "text/css; charset=utf-8"),
}
# 'self' in connect-src covers ws:/wss: to the same host:port (CSP level 3, every current browser)
DASHBOARD_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                 "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
# the downloaded report: its own inline styles and SVG, nothing fetched, no script
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_REPORT_PATH = re.compile(r"/report/([0-9A-Za-z]{1,16})\.(csv|html)")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_COMMON_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                   ("Cache-Control", "no-store"))


@dataclass(frozen=True)
class HttpReply:
    """One plain HTTP answer (the shell turns it into a websockets ``Response``)."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def text_reply(status: int, message: str) -> HttpReply:
    return HttpReply(status, (message + "\n").encode(), headers=_COMMON_HEADERS)


def _lang(query: str) -> str:
    """``?lang=zh`` or ``en`` (anything else, or a malformed query, is English)."""
    try:
        lang = parse_qs(query, max_num_fields=4).get("lang", ["en"])[0]
    except ValueError:
        return "en"
    return lang if lang in ("zh", "en") else "en"


def _unauthorised(what: str) -> HttpReply:
    reply = text_reply(401, f"Unauthorised: send {what} as 'Authorization: Bearer <token>'")
    return HttpReply(reply.status, reply.body, reply.content_type, reply.headers + (("WWW-Authenticate", "Bearer"),))


def json_reply(status: int, payload: dict) -> HttpReply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpReply(status, body, "application/json", _COMMON_HEADERS)


def bearer_token(headers: Mapping[str, str] | Headers) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, None without one."""
    scheme, _, token = headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _split_host(authority: str, default_port: int) -> tuple[str, int] | None:
    """``host[:port]`` -> (lower-case host, port), None if malformed."""
    try:
        parts = urlsplit("//" + authority)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or parts.username is not None or parts.path or parts.query:
        return None
    return host.lower(), port if port is not None else default_port


def host_allowed(host: str, allowed_hosts: Iterable[str] = ()) -> bool:
    """A host a browser may reach us by: an IP address, ``localhost``, or a name the operator listed."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost") or host in {h.lower() for h in allowed_hosts}:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def origin_allowed(origin: str | None, host_header: str | None, allowed_hosts: Iterable[str] = ()) -> bool:
    """The websocket origin rule (see the module docstring): no Origin, or same host:port as ``Host``."""
    if origin is None:
        return True
    if not host_header:
        return False
    try:
        parts = urlsplit(origin)
        origin_port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return False
    default_port = _DEFAULT_PORTS[parts.scheme]
    mine = _split_host(host_header, default_port)
    theirs = (parts.hostname.lower(), origin_port if origin_port is not None else default_port)
    return mine is not None and mine == theirs and host_allowed(mine[0], allowed_hosts)


@cache
def _dashboard_file(name: str) -> bytes:
    return resources.files("vbranch.server").joinpath("dashboard", name).read_bytes()


@cache
def dashboard_catalogue() -> bytes:
    """``/catalogue.json``: every ``dashboard.*`` string in zh and en, and the scenarios to choose from."""
    from vbranch.scenes.catalogue import LANGS, keys, text
    from vbranch.scenes.scenario import list_scenarios

    strings = {k.removeprefix("dashboard."): {lang: text(k, lang) for lang in LANGS}
               for k in keys() if k.startswith("dashboard.")}
    scenarios = [{"id": s.id, "title": s.title} for s in list_scenarios()]
    return json.dumps({"langs": list(LANGS), "strings": strings, "scenarios": scenarios},
                      ensure_ascii=False, separators=(",", ":")).encode()


class WebRoutes:
    """Routes plain GETs and vets websocket upgrades. ``allowed_hosts``: extra host names for browsers."""

    def __init__(self, allowed_hosts: Iterable[str] = (), lobby: Lobby | None = None) -> None:
        self.allowed_hosts = tuple(h.lower() for h in allowed_hosts)
        self.lobby = lobby  # the rooms behind the token-authorised answers (none without a lobby)
        self._qr_missing_logged = False

    def handle(self, path: str, headers: Mapping[str, str] | Headers) -> HttpReply | None:
        """The reply for one request, or None to go on with the websocket handshake."""
        if "websocket" in headers.get("Upgrade", "").lower():
            origin, host = headers.get("Origin"), headers.get("Host")
            if origin_allowed(origin, host, self.allowed_hosts):
                return None
            log.warning("refused a websocket from origin %r (host %r)", origin, host)
            return text_reply(403, "Forbidden: websocket origin not allowed")
        host = _split_host(headers.get("Host", ""), 80)
        if host is None or not host_allowed(host[0], self.allowed_hosts):
            return text_reply(403, "Forbidden: unknown host name; reach the dashboard by IP address or add the "
                                   "name to the server's allowed hosts")
        url = urlsplit(path)
        if url.path in DASHBOARD_FILES:
            name, content_type = DASHBOARD_FILES[url.path]
            extra = (("Content-Security-Policy", DASHBOARD_CSP), ("X-Frame-Options", "DENY")) \
                if name.endswith(".html") else ()
            return HttpReply(200, _dashboard_file(name), content_type, _COMMON_HEADERS + extra)
        if url.path == "/catalogue.json":
            return HttpReply(200, dashboard_catalogue(), "application/json", _COMMON_HEADERS)
        if url.path == "/qr":
            return self._qr(url.query)
        report = _REPORT_PATH.fullmatch(url.path)
        if report is not None:
            return self._report(report.group(1), report.group(2), url.query, headers)
        if url.path == "/parent/standing.json":
            return self._parent_standing(headers)
        if url.path == "/favicon.ico":  # browsers ask for it; an empty answer keeps their consoles clean
            return HttpReply(204, b"", headers=_COMMON_HEADERS)
        return text_reply(404, "Not found")

    def _qr(self, query: str) -> HttpReply:
        values = parse_qs(query, max_num_fields=4).get("text", [])
        if len(values) != 1:
            return text_reply(400, "Bad request: give one text parameter")
        try:
            svg = qr_svg(values[0])
        except ValueError as exc:
            return text_reply(400, f"Bad request: {exc}")
        except QrUnavailable:
            if not self._qr_missing_logged:
                log.warning("segno is not installed: the dashboard shows the join code without a QR code")
                self._qr_missing_logged = True
            return text_reply(503, "QR codes are unavailable on this server")
        return HttpReply(200, svg, "image/svg+xml", _COMMON_HEADERS + (("Content-Security-Policy", _SVG_CSP),))

    def _report(self, room_id: str, extension: str, query: str, headers: Mapping[str, str] | Headers) -> HttpReply:
        """The contest report of ``room_id`` as a download, for the holder of its teacher token."""
        token = bearer_token(headers)
        if token is None:
            return _unauthorised("the teacher token")
        room = self.lobby.rooms.get(room_id) if self.lobby is not None else None
        if room is None or not auth.same_secret(token, room.teacher_token):
            return text_reply(403, "Forbidden: not this room's teacher token")
        result = contest_result(room)
        if result is None:
            return text_reply(404, "Not found: this room has no contest yet")
        if extension == "csv":  # a byte-order mark, so spreadsheets read the Chinese names as UTF-8
            body = ("\ufeff" + report_csv(result.board, result.benchmark_return_pct)).encode()
            content_type, extra = "text/csv; charset=utf-8", ()
        else:
            body = contest_report_html(result, _lang(query)).encode()
            content_type, extra = "text/html; charset=utf-8", (("Content-Security-Policy", REPORT_CSP),)
        disposition = f'attachment; filename="{report_filename(result, extension)}"'
        log.info("room %s: %s report downloaded", room_id, extension)
        return HttpReply(200, body, content_type, _COMMON_HEADERS + (("Content-Disposition", disposition),) + extra)

    def _parent_standing(self, headers: Mapping[str, str] | Headers) -> HttpReply:
        """A learner's live standing, for the holder of their parent token (the parent page asks)."""
        token = bearer_token(headers)
        if token is None:
            return _unauthorised("a parent token")
        found = find_parent_seat(self.lobby.rooms.values(), token) if self.lobby is not None else None
        if found is None:
            return text_reply(403, "Forbidden: unknown parent token")
        return json_reply(200, parent_standing(*found))

    def process_request(self, connection: object, request: Request) -> Response | None:
        """websockets' ``process_request`` hook: ``handle`` turned into a ``Response``."""
        reply = self.handle(request.path, request.headers)
        return None if reply is None else to_response(reply)


def to_response(reply: HttpReply) -> Response:
    """The websockets ``Response`` for ``reply`` (the connection closes after it)."""
    headers = Headers([("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body))),
                       ("Connection", "close"), *reply.headers])
    return Response(reply.status, http.HTTPStatus(reply.status).phrase, headers, reply.body)
