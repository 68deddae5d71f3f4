"""Reference and action spaces: where poses are measured from.

The app space is STAGE (floor-level origin in the middle of the play area) when the runtime has one,
else LOCAL (origin at the head's start pose, floor unknown), so the virtual branch's floor lines up
with the real one whenever the runtime knows where the floor is.
"""

from __future__ import annotations

import logging

from vbranch.world.xr.instance import XrUnavailable, describe_xr_error

__all__ = ["Pose", "ReferenceSpace", "ActionSpace", "locate"]

log = logging.getLogger(__name__)

# (position xyz, orientation xyzw) in OpenXR conventions, exactly as XrPosef stores them.
Pose = tuple[tuple[float, float, float], tuple[float, float, float, float]]


def _pose_of(xr_pose) -> Pose:
    p, q = xr_pose.position, xr_pose.orientation
    return (float(p.x), float(p.y), float(p.z)), (float(q.x), float(q.y), float(q.z), float(q.w))


def locate(space, base_space, time: int) -> Pose | None:
    """``space``'s pose in ``base_space`` at ``time``, or None when the runtime isn't tracking it."""
    import xr

    location = xr.locate_space(space, base_space, time)
    flags = location.location_flags
    valid = xr.SpaceLocationFlags.POSITION_VALID_BIT | xr.SpaceLocationFlags.ORIENTATION_VALID_BIT
    if (flags & valid) != valid:
        return None
    return _pose_of(location.pose)


class ReferenceSpace:
    """A STAGE (preferred) or LOCAL reference space, or VIEW for the head itself."""

    def __init__(self, session, preferred: tuple[str, ...] = ("STAGE", "LOCAL")) -> None:
        import xr

        try:
            offered = set(xr.enumerate_reference_spaces(session.handle))
            kind = next((xr.ReferenceSpaceType[name] for name in preferred if xr.ReferenceSpaceType[name] in offered),
                        None)
            if kind is None:
                raise XrUnavailable(f"the runtime offers none of the reference spaces {', '.join(preferred)}")
            self.handle = xr.create_reference_space(session.handle, xr.ReferenceSpaceCreateInfo(
                reference_space_type=kind, pose_in_reference_space=xr.Posef()))
        except xr.XrException as exc:
            raise XrUnavailable(describe_xr_error(exc)) from exc
        self.kind = kind.name
        log.info("OpenXR reference space: %s", self.kind)

    def destroy(self) -> None:
        if self.handle is not None:
            import xr

            try:
                xr.destroy_space(self.handle)
            finally:
                self.handle = None


class ActionSpace:
    """The pose of a pose action (grip or aim) for one hand, locatable like any space."""

    def __init__(self, session, action, subaction_path: int) -> None:
        import xr

        self.handle = xr.create_action_space(session.handle, xr.ActionSpaceCreateInfo(
            action=action, subaction_path=subaction_path, pose_in_action_space=xr.Posef()))

    def destroy(self) -> None:
        if self.handle is not None:
            import xr

            try:
                xr.destroy_space(self.handle)
            finally:
                self.handle = None
