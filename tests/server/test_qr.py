"""The join-code QR: what text may be drawn, and the SVG it gives."""

import sys

import pytest

from vbranch.server.qr import QR_TEXT_MAX_CHARS, QrUnavailable, qr_svg, valid_qr_text


@pytest.mark.parametrize(("text", "ok"), [
    ("ABCD123", True), ("vbranch://join?code=ABCD123", True), ("A" * QR_TEXT_MAX_CHARS, True),
    ("", False), ("A" * (QR_TEXT_MAX_CHARS + 1), False), ("<svg>", False), ("a b", False), ("中文", False),
    ("x\n", False),
])
def test_valid_text(text, ok):
    assert valid_qr_text(text) is ok


def test_svg_is_a_standalone_document_with_a_light_background():
    svg = qr_svg("ABCD123")
    assert svg.startswith(b"<svg") and svg.rstrip().endswith(b"</svg>") and b'fill="#fff"' in svg
    assert b"<script" not in svg


def test_bad_text_raises():
    with pytest.raises(ValueError):
        qr_svg("<script>")


def test_missing_segno_is_reported(monkeypatch):
    monkeypatch.setitem(sys.modules, "segno", None)
    with pytest.raises(QrUnavailable):
        qr_svg("ABCD123")
