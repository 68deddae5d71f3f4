"""The join code as a QR code (SVG), drawn on the server so the dashboard page needs no QR library.

Why server-side with ``segno``: it is pure Python and well kept, the page stays vanilla JS under a strict
Content-Security-Policy (no third-party script), and the SVG scales sharply on a classroom projector.
The text is validated first (length and charset): the endpoint is reachable without a token, so it must
not become a free QR renderer for anything, nor a way to burn CPU with long inputs.
"""

from __future__ import annotations

import io
import logging
import re

__all__ = ["QR_TEXT_MAX_CHARS", "QrUnavailable", "valid_qr_text", "qr_svg"]

log = logging.getLogger(__name__)

QR_TEXT_MAX_CHARS = 64  # a join code is 7; room for a short join URL later
_QR_TEXT = re.compile(r"[A-Za-z0-9._:/?=&-]+")


class QrUnavailable(RuntimeError):
    """``segno`` is not installed (the dashboard then shows the code as text only)."""


def valid_qr_text(text: str) -> bool:
    """True if ``text`` may be drawn: 1–64 characters of letters, digits and ``. _ : / ? = & -``."""
    return 0 < len(text) <= QR_TEXT_MAX_CHARS and _QR_TEXT.fullmatch(text) is not None


def qr_svg(text: str, scale: int = 8, border_modules: int = 2) -> bytes:
    """A standalone SVG document of ``text`` (error correction M).

    Raises:
        ValueError: ``text`` fails ``valid_qr_text``.
        QrUnavailable: ``segno`` is missing.
    """
    if not valid_qr_text(text):
        raise ValueError("QR text must be 1-64 characters of A-Z a-z 0-9 . _ : / ? = & -")
    try:
        import segno
    except ImportError as exc:
        raise QrUnavailable("segno is not installed") from exc
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=scale, border=border_modules,
                                                  xmldecl=False, svgclass="qr", lineclass=None, light="#fff")
    return out.getvalue()
