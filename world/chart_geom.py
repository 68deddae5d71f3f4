"""Pure geometry for live charts: candles, polylines and the red/green colour conventions.

Why pure functions: the market wall and the portfolio hologram rewrite their quads from numpy every
frame, and the numbers (a rising candle is the "up" colour, prices scale into their cell, a flat series
never divides by zero) are easiest to trust when tests can check them without a renderer.
Coordinates are in the chart's XZ plane (Panda's Z up); every quad faces -Y, counter-clockwise.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["RED", "GREEN", "colors_for", "convention_of", "price_decimals", "window_range", "candle_geometry",
           "polyline_quads"]

RED, GREEN = (0.92, 0.22, 0.20, 1.0), (0.12, 0.74, 0.36, 1.0)


def colors_for(convention: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(up, down) RGBA: China ("CN…", or lang "zh") paints rises red, the US ("US", "en") green."""
    return (RED, GREEN) if convention.upper().startswith(("CN", "ZH")) else (GREEN, RED)


def convention_of(market) -> str:
    """"CN" or "US" for a market: its exchange rules decide, else its universe's currency."""
    name = str(getattr(getattr(market, "rules", None), "market", "") or "")
    if name:
        return "CN" if name.upper().startswith("CN") else "US"
    return "CN" if market.universe.currency == "CNY" else "US"


def price_decimals(tick_size: float) -> int:
    """Decimals that show a price to its tick (0.01 -> 2, 0.001 -> 3)."""
    return max(0, int(math.ceil(-math.log10(tick_size) - 1e-9))) if tick_size > 0 else 2


def window_range(ohlc: np.ndarray, valid: np.ndarray, pad_frac: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Per-instrument (low, high) of the valid candles, padded by ``pad_frac`` of the span on each side.

    A flat or empty window gets a small non-zero span around its price, so scaling never divides by zero.
    """
    lows = np.where(valid, ohlc[..., 2], np.inf).min(axis=1)
    highs = np.where(valid, ohlc[..., 1], -np.inf).max(axis=1)
    empty = ~valid.any(axis=1)
    lows[empty], highs[empty] = 0.0, 0.0
    span = highs - lows
    floor = np.maximum(np.abs(highs) * 1e-3, 1e-9)
    half = np.where(span > floor, span * pad_frac, floor)
    return lows - half, highs + half


def candle_geometry(ohlc: np.ndarray, valid: np.ndarray, chart_xz: np.ndarray, chart_wh: np.ndarray,
                    lo: np.ndarray | None = None, hi: np.ndarray | None = None, up=RED, down=GREEN,
                    slot_count: int | None = None, first_slot: int = 0, body_frac: float = 0.7,
                    wick_frac: float = 0.14, y_m: float = -0.004) -> tuple[np.ndarray, np.ndarray]:
    """Quads for candles: two per candle (body, then wick), instrument-major, slot-minor.

    Args:
        ohlc: (n, s, 4) open/high/low/close for s consecutive slots of n instruments.
        valid: (n, s) bool; invalid candles become zero-size quads at their chart's corner.
        chart_xz: (n, 2) lower-left corner of each chart; chart_wh: (n, 2) its width and height in metres.
        lo, hi: (n,) the prices at the chart's bottom and top (default: the window's own range).
        up, down: RGBA of a candle closing at/above its open, and below it.
        slot_count: slots across a chart (default s); ``first_slot`` is the slot of ohlc[:, 0].
        body_frac, wick_frac: body and wick widths as fractions of a slot.
        y_m: depth of the wicks; bodies sit 2 mm nearer the viewer (-Y).

    Returns:
        corners (n*s*2, 4, 3) counter-clockwise seen from -Y, and colors (n*s*2, 4).
    """
    n, s = ohlc.shape[:2]
    slot_count = s if slot_count is None else slot_count
    if lo is None or hi is None:
        lo, hi = window_range(ohlc, valid)
    x0, z0 = chart_xz[:, 0, None], chart_xz[:, 1, None]
    w, h = chart_wh[:, 0, None], chart_wh[:, 1, None]
    scale = h / np.maximum(hi - lo, 1e-12)[:, None]
    zs = np.clip(z0[..., None] + (ohlc - lo[:, None, None]) * scale[..., None], z0[..., None], (z0 + h)[..., None])
    zo, zh, zl, zc = zs[..., 0], zs[..., 1], zs[..., 2], zs[..., 3]
    slot_w = w / slot_count
    xc = x0 + (first_slot + np.arange(s) + 0.5) * slot_w
    min_body = 0.012 * h
    body_lo = np.minimum(zo, zc)
    body_hi = np.maximum(np.maximum(zo, zc), body_lo + min_body)
    body_lo = np.minimum(body_lo, body_hi - min_body)
    half_body, half_wick = body_frac * slot_w / 2, np.maximum(wick_frac * slot_w / 2, 0.0005)
    corners = np.empty((n, s, 2, 4, 3), np.float32)
    for q, (half, bottom, top, y) in enumerate(((half_body, body_lo, body_hi, y_m - 0.002),
                                                (half_wick, zl, zh, y_m))):
        left, right = xc - half, xc + half
        corners[:, :, q, :, 1] = y
        corners[:, :, q, 0, 0], corners[:, :, q, 0, 2] = left, bottom
        corners[:, :, q, 1, 0], corners[:, :, q, 1, 2] = right, bottom
        corners[:, :, q, 2, 0], corners[:, :, q, 2, 2] = right, top
        corners[:, :, q, 3, 0], corners[:, :, q, 3, 2] = left, top
    corners[~valid, :, :, 0] = x0.repeat(s, 1)[~valid, None, None]
    corners[~valid, :, :, 2] = z0.repeat(s, 1)[~valid, None, None]
    rising = ohlc[..., 3] >= ohlc[..., 0]
    colors = np.where(rising[..., None], np.asarray(up, np.float32), np.asarray(down, np.float32))
    colors = np.repeat(colors[:, :, None, :], 2, axis=2)
    return corners.reshape(-1, 4, 3), colors.reshape(-1, 4).astype(np.float32)


def polyline_quads(points_xz: np.ndarray, thickness_m: float, y_m: float = -0.004) -> np.ndarray:
    """A line through (m, 2) points in the XZ plane as m-1 thin quads facing -Y."""
    p, q = points_xz[:-1], points_xz[1:]
    d = q - p
    length = np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
    off = np.stack([-d[:, 1], d[:, 0]], axis=1) / length * (thickness_m / 2)
    xz = np.stack([p - off, q - off, q + off, p + off], axis=1)
    corners = np.empty((len(p), 4, 3), np.float32)
    corners[..., 0], corners[..., 1], corners[..., 2] = xz[..., 0], y_m, xz[..., 1]
    return corners
