"""``vbranch run --offscreen``: real renders of every view, checked by their pixels."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.image import imread

SIZE = (640, 360)


def render(tmp_path, view: str, *extra: str, frames: int = 60) -> tuple[np.ndarray, subprocess.CompletedProcess]:
    out = tmp_path / f"{view}.png"
    result = subprocess.run(
        [sys.executable, "-m", "vbranch.world.cli", "run", "--offscreen", "--frames", str(frames), "--view", view,
         "--size", f"{SIZE[0]}x{SIZE[1]}", "--screenshot", str(out), *extra],
        capture_output=True, text=True, timeout=300, env={**os.environ, "DISPLAY": ""})
    assert result.returncode == 0, result.stderr[-2000:]
    image = imread(out)[..., :3]
    assert image.shape[:2] == (SIZE[1], SIZE[0])
    return image, result


def red_green(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return (r > 0.6) & (g < 0.35) & (b < 0.35), (g > 0.55) & (r < 0.4) & (b < 0.5)


@pytest.mark.parametrize("view", ["lobby", "desk", "hall", "classroom"])
def test_every_view_renders_a_room_not_a_blank_frame(tmp_path, view):
    image, result = render(tmp_path, view, frames=5)
    assert image.std() > 0.08  # walls, floor, furniture and text, not one flat colour
    assert len(np.unique((image * 15).astype(int).reshape(-1, 3), axis=0)) > 60
    assert "No definition" not in result.stderr  # every glyph the view shows is in the shipped font


def test_trading_floor_wall_shows_red_and_green_candles_after_a_crash(tmp_path):
    # 600x: a trading day every 0.05 s of frame clock, so 240 frames at 60 Hz run the crash (day 5) and after
    image, result = render(tmp_path, "floor", "--speed", "600", "--seed", "3", frames=240)
    h, w = image.shape[:2]
    wall = image[int(0.2 * h):int(0.62 * h), int(0.2 * w):int(0.8 * w)]
    red, green = red_green(wall)
    assert red.sum() > 150 and green.sum() > 150, (red.sum(), green.sum())
    assert "No definition" not in result.stderr


def test_lobby_sign_is_written_in_chinese_and_in_english(tmp_path):
    zh, _ = render(tmp_path, "lobby", "--lang", "zh", frames=3)
    en, _ = render(tmp_path, "lobby", "--lang", "en", frames=3)
    h, w = zh.shape[:2]
    sign = (slice(int(0.18 * h), int(0.34 * h)), slice(int(0.25 * w), int(0.75 * w)))
    white_zh = (zh[sign].min(axis=-1) > 0.6).sum()
    white_en = (en[sign].min(axis=-1) > 0.6).sum()
    assert white_zh > 300 and white_en > 300  # light text on the red banner in both languages
    assert np.abs(zh[sign] - en[sign]).mean() > 0.01  # and it is different text


def test_elder_mode_draws_larger_hud_text(tmp_path):
    normal, _ = render(tmp_path, "desk", frames=2)
    elder, _ = render(tmp_path, "desk", "--elder", frames=2)
    h = normal.shape[0]
    # the status card at the top-left grows with the 1.5x text: count dark-card rows in the top band
    def card_rows(image):
        band = image[: int(0.2 * h), :200].mean(axis=-1)
        return int(((band < 0.2).sum(axis=1) > 40).sum())
    assert card_rows(elder) >= 1.3 * card_rows(normal) > 0


@pytest.fixture(scope="module")
def xvfb_display():
    """A virtual X display (Xvfb, installed by `make install`), for the windowed desktop mode."""
    import shutil
    import time

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (make install adds it on Debian)")
    display = ":87"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    yield display
    proc.terminate()
    proc.wait(timeout=10)


def test_desktop_mode_opens_a_window_and_says_once_that_vr_is_unavailable(tmp_path, xvfb_display):
    out = tmp_path / "desktop.png"
    result = subprocess.run(
        [sys.executable, "-m", "vbranch.world.cli", "run", "--frames", "20", "--view", "floor", "--lang", "en",
         "--size", "800x450", "--screenshot", str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "DISPLAY": xvfb_display})
    assert result.returncode == 0, result.stderr[-2000:]
    notices = [line for line in result.stderr.splitlines() if "No OpenXR runtime found" in line]
    assert len(notices) == 1 and "desktop" in notices[0]
    assert "OpenXR-Loader" not in result.stderr  # the loader's own noise is replaced by that one line
    image = imread(out)[..., :3]
    assert image.shape[:2] == (450, 800) and image.std() > 0.08


def test_stereo_simulation_renders_two_eyes_with_parallax(tmp_path):
    image, _ = render(tmp_path, "floor", "--stereo-sim", frames=3)
    h, w = image.shape[:2]
    left, right = image[:, : w // 2], image[:, w // 2:]
    assert left.std() > 0.05 and right.std() > 0.05
    # the same room from two eyes 63 mm apart: nearly the same picture, but not identical
    difference = np.abs(left - right).mean()
    assert 0.001 < difference < 0.1
