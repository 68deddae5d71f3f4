"""The dashboard's HTTP side on a real server process: pages, headers, and the websocket origin check."""

import asyncio
import urllib.error
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from vbranch.server.client import ClassroomClient


def get(url: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_dashboard_pages_and_origin_check_on_a_real_server(server):
    ws_url, _, _ = server
    http_url = ws_url.replace("ws://", "http://")
    port = http_url.rsplit(":", 1)[1]

    status, headers, body = get(http_url + "/")
    assert status == 200 and b'src="/dashboard.js"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert get(http_url + "/dashboard.js")[0] == 200
    status, headers, body = get(http_url + "/qr?text=ABCD123")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml" and body.startswith(b"<svg")
    assert get(http_url + "/qr?text=%3Cscript%3E")[0] == 400
    assert get(http_url + "/nope")[0] == 404
    assert get(http_url + "/", host=f"evil.example:{port}")[0] == 403  # DNS rebinding

    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            await connect(ws_url, origin=f"http://evil.example:{port}")
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus):
            await connect(ws_url, origin="http://127.0.0.1:1")  # same host, other port: another site
        async with connect(ws_url, origin=f"http://127.0.0.1:{port}") as ws:  # the dashboard's own page
            await ws.send('{"type":"ping","t":1}')
            assert '"not_joined"' in await ws.recv()
        teacher = ClassroomClient(ws_url, "Teacher", role="teacher")  # no Origin: not a browser, allowed
        welcome = await teacher.connect()
        await teacher.close()
        return welcome

    assert asyncio.run(scenario())["role"] == "teacher"
