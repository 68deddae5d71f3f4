"""Starting Panda3D the way this machine and a learner's machine both need it.

Panda3D reads its configuration once, before ``ShowBase`` exists, so every choice (offscreen EGL vs a
window, window size, audio) is made here from a plain ``EngineConfig``. The recipe for no display is
the one verified in ../shared/STACK.md: ``p3headlessgl`` with an offscreen window on Mesa llvmpipe.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

__all__ = ["EngineConfig", "has_display", "configure_panda", "start_showbase", "gl_renderer", "is_software_gl",
           "gl_finish"]

log = logging.getLogger(__name__)

SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swiftshader", "software rasterizer", "swr")


@dataclass(frozen=True)
class EngineConfig:
    """How to open Panda3D: ``offscreen`` renders into an EGL buffer with no display at all."""

    offscreen: bool = False
    width: int = 1280
    height: int = 720
    title: str = "vbranch"
    audio: bool = True
    fullscreen: bool = False

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16:
            raise ValueError(f"window size {self.width}x{self.height} is too small")


def has_display() -> bool:
    """True when a desktop window could open (an X11 or Wayland display is set)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prc_lines(config: EngineConfig) -> str:
    """The Panda3D config lines for ``config`` (pure, so it is tested without starting an engine)."""
    lines = [
        f"win-size {config.width} {config.height}",
        f"window-title {config.title}",
        "sync-video false",
        "notify-level-glgsg error",
        "notify-level-display error",
        "notify-level-device error",
        "default-model-extension .bam",
        "text-encoding utf8",
    ]
    if config.offscreen:
        lines += ["load-display p3headlessgl", "window-type offscreen", "framebuffer-multisample 0"]
    else:
        lines += ["framebuffer-multisample 1", "multisamples 4"]
        if config.fullscreen:
            lines.append("fullscreen true")
    if config.offscreen or not config.audio:
        lines.append("audio-library-name null")
    return "\n".join(lines)


def configure_panda(config: EngineConfig) -> None:
    from panda3d.core import loadPrcFileData

    loadPrcFileData("vbranch", prc_lines(config))


def start_showbase(config: EngineConfig):
    """Configure and start the one ``ShowBase`` of this process."""
    configure_panda(config)
    from direct.showbase.ShowBase import ShowBase

    base = ShowBase()
    if base.win is None:
        raise OSError("Panda3D could not open a graphics window or offscreen buffer")
    base.disableMouse()
    log.info("graphics: %s (%s)", gl_renderer(base), "offscreen" if config.offscreen else "window")
    return base


def gl_renderer(base) -> str:
    gsg = base.win.get_gsg()
    return f"{gsg.get_driver_vendor()} {gsg.get_driver_renderer()}".strip()


def is_software_gl(renderer: str) -> bool:
    """Mesa llvmpipe and friends: plain shading, no simplepbr shadows (they crash its shader compiler)."""
    low = renderer.lower()
    return any(name in low for name in SOFTWARE_RENDERERS)


def gl_finish() -> None:
    """Wait for the GL to finish, so software GL can't hide its work from a timer."""
    from OpenGL import GL

    GL.glFinish()
