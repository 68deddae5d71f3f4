"""HTTP routing, security headers and the websocket origin rule, without a socket (``WebRoutes`` is Sans-I/O)."""

import json
import re
from importlib import resources

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request

from vbranch.scenes.catalogue import keys
from vbranch.server.web import DASHBOARD_CSP, WebRoutes, host_allowed, origin_allowed

UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade"}


def get(routes: WebRoutes, path: str, host: str = "127.0.0.1:8765", **headers: str):
    return routes.handle(path, Headers({"Host": host, **headers}))


@pytest.mark.parametrize(("origin", "host", "ok"), [
    (None, "127.0.0.1:8765", True),  # a non-browser client (VR app, ClassroomClient)
    (None, None, True),
    ("http://127.0.0.1:8765", "127.0.0.1:8765", True),
    ("http://LOCALHOST:8765", "localhost:8765", True),
    ("http://192.168.1.20:8765", "192.168.1.20:8765", True),  # a classroom LAN address
    ("http://[::1]:8765", "[::1]:8765", True),
    ("http://127.0.0.1", "127.0.0.1:80", True),  # default port spelled out or not
    ("https://127.0.0.1", "127.0.0.1:443", True),
    ("http://evil.example:8765", "127.0.0.1:8765", False),  # another site
    ("http://127.0.0.1:9999", "127.0.0.1:8765", False),  # same machine, another port = another origin
    ("https://127.0.0.1:8765", "127.0.0.1:8765", True),  # behind a TLS proxy the scheme differs, not host:port
    ("http://evil.example:8765", "evil.example:8765", False),  # DNS rebinding: same origin, untrusted name
    ("null", "127.0.0.1:8765", False),  # sandboxed frame or file://
    ("file://", "127.0.0.1:8765", False),
    ("http://127.0.0.1:8765", None, False),
    ("http://127.0.0.1:notaport", "127.0.0.1:8765", False),
    ("http://user@127.0.0.1:8765", "127.0.0.1:8765", True),  # userinfo is not part of an origin's host:port
    ("http://127.0.0.1:8765", "127.0.0.1:8765/x", False),
])
def test_origin_rule(origin, host, ok):
    assert origin_allowed(origin, host) is ok


def test_named_hosts_need_listing():
    assert not host_allowed("classroom.school.example")
    assert host_allowed("Classroom.School.example", ["classroom.school.example"])
    assert host_allowed("dash.localhost") and host_allowed("10.0.0.5")
    assert origin_allowed("http://classroom.school.example:8765", "classroom.school.example:8765",
                          ["classroom.school.example"])


def test_websocket_upgrades_pass_or_get_403():
    routes = WebRoutes()
    assert get(routes, "/", **UPGRADE) is None
    assert get(routes, "/", Origin="http://127.0.0.1:8765", **UPGRADE) is None
    refused = get(routes, "/", Origin="http://evil.example", **UPGRADE)
    assert refused.status == 403 and b"origin" in refused.body


def test_dashboard_page_has_security_headers():
    reply = get(WebRoutes(), "/")
    assert reply.status == 200 and reply.content_type.startswith("text/html")
    assert reply.header("Content-Security-Policy") == DASHBOARD_CSP
    assert "'unsafe-inline'" not in DASHBOARD_CSP and "unsafe-eval" not in DASHBOARD_CSP
    assert reply.header("X-Content-Type-Options") == "nosniff" and reply.header("Cache-Control") == "no-store"
    assert b"<script>" not in reply.body and b" style=" not in reply.body  # nothing inline for CSP to block


@pytest.mark.parametrize(("path", "status", "type_prefix"), [
    ("/dashboard", 200, "text/html"), ("/dashboard.js", 200, "text/javascript"),
    ("/dashboard.css", 200, "text/css"), ("/catalogue.json", 200, "application/json"),
    ("/favicon.ico", 204, "text/plain"), ("/dashboard/../app.py", 404, "text/plain"), ("/missing", 404, "text/plain"),
    ("/?x=1", 200, "text/html"),
])
def test_routes(path, status, type_prefix):
    reply = get(WebRoutes(), path)
    assert reply.status == status and reply.content_type.startswith(type_prefix)


def test_unknown_host_name_is_refused_for_plain_gets():
    assert get(WebRoutes(), "/", host="evil.example:8765").status == 403
    assert get(WebRoutes(["evil.example"]), "/", host="evil.example:8765").status == 200
    assert WebRoutes().handle("/", Headers()).status == 403  # no Host at all


@pytest.mark.parametrize(("query", "status"), [
    ("text=ABCD123", 200), ("text=", 400), ("", 400), ("text=a&text=b", 400),
    ("text=%3Cscript%3E", 400), ("text=" + "A" * 65, 400), ("text=%E4%B8%AD", 400),
])
def test_qr_route_validates_its_text(query, status):
    reply = get(WebRoutes(), "/qr?" + query)
    assert reply.status == status
    if status == 200:
        assert reply.content_type == "image/svg+xml" and reply.body.startswith(b"<svg")
        assert reply.header("Content-Security-Policy").startswith("default-src 'none'")


def test_catalogue_has_both_languages_and_the_scenarios():
    data = json.loads(get(WebRoutes(), "/catalogue.json").body)
    assert data["strings"]["title"] == {"zh": "vbranch 教师控制台", "en": "vbranch teacher dashboard"}
    assert "crash" in {s["id"] for s in data["scenarios"]}


def test_every_string_the_page_uses_is_in_the_catalogue():
    files = resources.files("vbranch.server").joinpath("dashboard")
    html, js = files.joinpath("index.html").read_text(), files.joinpath("dashboard.js").read_text()
    used = set(re.findall(r'data-i18n="([^"]+)"', html)) | set(re.findall(r'\bt\("([a-z_.]+)"', js))
    used |= set(re.findall(r'addLog\("([a-z_.]+)"', js)) | set(re.findall(r'\["(log\.[a-z_]+)"', js))
    # keys the script builds from protocol values
    used |= {f"state.{s}" for s in ("created", "running", "paused", "ended")}
    used |= {f"conn.{s}" for s in ("connecting", "online", "offline", "closed")}
    used |= {f"ev.{e}" for e in ("crash_started", "limit_hit", "halt", "resumed")} | {"inject_crash", "inject_rally"}
    used = {k for k in used if not k.endswith(".")}  # prefixes of the built keys above
    missing = {k for k in used if f"dashboard.{k}" not in keys()}
    assert not missing and len(used) > 40


def test_process_request_builds_a_websockets_response():
    routes = WebRoutes()
    response = routes.process_request(None, Request("/", Headers({"Host": "127.0.0.1:8765"})))
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(response.body))
    assert response.headers["Content-Security-Policy"] == DASHBOARD_CSP
    upgrade = Request("/", Headers({"Host": "127.0.0.1:8765", **UPGRADE}))
    assert routes.process_request(None, upgrade) is None


@pytest.mark.parametrize(("page", "own_script"), [("index.html", "dashboard.js"), ("parent.html", "parent.js")])
def test_both_pages_load_the_shared_connection_script_before_their_own(page, own_script):
    files = resources.files("vbranch.server").joinpath("dashboard")
    html = files.joinpath(page).read_text()
    assert html.index('src="/live.js"') < html.index(f'src="/{own_script}"')
    own = files.joinpath(own_script).read_text()
    assert "new WebSocket" not in own and "connectLive(" in own  # one connection routine, in live.js
    assert get(WebRoutes(), "/live.js").content_type.startswith("text/javascript")
