"""The OpenXR instance: the first handle, and the one place that learns whether a runtime exists.

``probe_runtime`` really asks the OpenXR loader (creating and destroying an instance), so "is VR
available?" is answered by the same call the headset path makes, never by guessing from files. With
no runtime installed the loader fails in about a millisecond, which keeps the desktop fallback cheap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

__all__ = ["XrUnavailable", "RuntimeProbe", "Instance", "probe_runtime", "describe_xr_error", "APP_NAME"]

log = logging.getLogger(__name__)

APP_NAME = "vbranch"
APP_VERSION = 1


class XrUnavailable(RuntimeError):
    """VR can't start here; ``reason`` is one line a learner can read (the CLI falls back or errors)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RuntimeProbe:
    """The outcome of asking the OpenXR loader for a runtime with OpenGL support."""

    available: bool
    reason: str


def describe_xr_error(exc: BaseException) -> str:
    """One line saying why OpenXR failed, in terms of what the user can do about it."""
    try:
        import xr
    except ImportError:  # pragma: no cover - pyopenxr is a declared dependency
        return f"pyopenxr is not installed ({exc})"
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, xr.RuntimeUnavailableError):
        return f"no OpenXR runtime is installed or active (SteamVR, Monado, Oculus): {detail}"
    if isinstance(exc, xr.ExtensionNotPresentError):
        return f"the OpenXR runtime has no OpenGL support ({xr.KHR_OPENGL_ENABLE_EXTENSION_NAME}): {detail}"
    if isinstance(exc, xr.FormFactorUnavailableError):
        return f"no headset is connected to the OpenXR runtime: {detail}"
    return f"OpenXR failed ({type(exc).__name__}): {detail}"


class Instance:
    """An ``XrInstance`` with ``XR_KHR_opengl_enable``; raises ``XrUnavailable`` when that's impossible."""

    def __init__(self, app_name: str = APP_NAME, extensions: tuple[str, ...] | None = None) -> None:
        try:
            import xr
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise XrUnavailable(f"pyopenxr is not installed ({exc})") from exc
        if extensions is None:
            extensions = (xr.KHR_OPENGL_ENABLE_EXTENSION_NAME,)
        info = xr.InstanceCreateInfo(
            application_info=xr.ApplicationInfo(
                application_name=app_name,
                application_version=APP_VERSION,
                engine_name="Panda3D",
                engine_version=0,
                # 1.0: runtimes that predate OpenXR 1.1 refuse a 1.1 request; we use nothing from 1.1.
                api_version=xr.Version(1, 0, 0),
            ),
            enabled_extension_names=list(extensions),
        )
        try:
            self.handle = xr.create_instance(info)
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc
        self.runtime_name = self._runtime_name()
        log.info("OpenXR runtime: %s", self.runtime_name)

    def _runtime_name(self) -> str:
        import xr

        try:
            props = xr.get_instance_properties(self.handle)
        except xr.XrException:
            return "unknown runtime"
        name = props.runtime_name
        name = name.decode() if isinstance(name, bytes) else str(name)
        return f"{name} {xr.Version(props.runtime_version)}"

    def destroy(self) -> None:
        """Destroy the instance (and, per the spec, every handle still created from it)."""
        if self.handle is not None:
            import xr

            try:
                xr.destroy_instance(self.handle)
            finally:
                self.handle = None


def probe_runtime() -> RuntimeProbe:
    """Ask the loader for a runtime by creating (and destroying) a real instance."""
    try:
        instance = Instance()
    except XrUnavailable as exc:
        return RuntimeProbe(False, exc.reason)
    name = instance.runtime_name
    instance.destroy()
    return RuntimeProbe(True, f"OpenXR runtime {name}")
