"""With no OpenXR runtime (this machine, most classrooms) VR fails fast with a readable reason."""

from __future__ import annotations

import time

import pytest

from vbranch.world.xr import XrMode, XrUnavailable, probe_runtime
from vbranch.world.xr.session import glx_graphics_binding


@pytest.fixture(scope="module")
def probe():
    result = probe_runtime()
    if result.available:
        pytest.skip(f"an OpenXR runtime is installed here ({result.reason})")
    return result


def test_probe_reports_no_runtime_with_a_one_line_reason(probe):
    assert probe.available is False
    assert probe.reason and "\n" not in probe.reason
    assert "runtime" in probe.reason.lower()


def test_xr_mode_raises_xr_unavailable_quickly_and_leaves_nothing_behind(base, scene, probe):
    tasks_before = len(base.taskMgr.getAllTasks())
    start = time.perf_counter()
    with pytest.raises(XrUnavailable) as info:
        XrMode(base, scene)
    assert time.perf_counter() - start < 0.5
    assert isinstance(info.value, RuntimeError)
    assert info.value.reason == probe.reason
    assert len(base.taskMgr.getAllTasks()) == tasks_before
    assert scene.get_num_children() == 0


def test_the_headless_egl_renderer_has_no_glx_context_for_openxr(base):
    with pytest.raises(XrUnavailable, match="GLX"):
        glx_graphics_binding()
