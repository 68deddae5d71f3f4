"""Procedural geometry: static meshes built once, and dynamic quad meshes rewritten in place.

Rooms, desks and the avatar placeholder are boxes and cylinders baked into one ``GeomNode`` each,
so the scene graph stays small (draw calls dominate on software GL). Things that move every frame —
candles on the market wall, the allocation ring, the equity curve — are ``DynamicQuads``: a
fixed-capacity mesh whose vertex array is overwritten from numpy, never rebuilt, so a frame costs a
memcpy rather than thousands of Python calls.

Vertices are interleaved float32: position (3), normal (3), colour RGBA (4) — ten floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from panda3d.core import (
    Geom,
    GeomNode,
    GeomTriangles,
    GeomVertexArrayFormat,
    GeomVertexData,
    GeomVertexFormat,
)

__all__ = ["VERTEX_FLOATS", "vertex_format", "MeshBuilder", "DynamicQuads", "quad_normals"]

VERTEX_FLOATS = 10
Color = Sequence[float]


def vertex_format() -> GeomVertexFormat:
    """The registered position/normal/colour float32 format every vbranch mesh uses."""
    global _FORMAT
    if _FORMAT is None:
        array = GeomVertexArrayFormat()
        array.add_column("vertex", 3, Geom.NT_float32, Geom.C_point)
        array.add_column("normal", 3, Geom.NT_float32, Geom.C_normal)
        array.add_column("color", 4, Geom.NT_float32, Geom.C_color)
        _FORMAT = GeomVertexFormat.register_format(GeomVertexFormat(array))
    return _FORMAT


_FORMAT: GeomVertexFormat | None = None


def _rgba(color: Color) -> tuple[float, float, float, float]:
    c = tuple(float(x) for x in color)
    if len(c) == 3:
        return (*c, 1.0)
    if len(c) != 4:
        raise ValueError(f"colour needs 3 or 4 components, got {color!r}")
    return c  # type: ignore[return-value]


def _writable(array_data, dtype) -> np.ndarray:
    """A numpy view straight onto a Panda3D vertex/index array (no copy)."""
    return np.frombuffer(memoryview(array_data), np.uint8).view(dtype)


def _make_node(name: str, vertices: np.ndarray, indices: np.ndarray, usage: int) -> tuple[GeomNode, GeomVertexData]:
    vdata = GeomVertexData(name, vertex_format(), usage)
    vdata.unclean_set_num_rows(len(vertices))
    _writable(vdata.modify_array(0), np.float32)[:] = vertices.astype(np.float32).ravel()
    prim = GeomTriangles(usage)
    prim.set_index_type(Geom.NT_uint32)
    handle = prim.modify_vertices()
    handle.unclean_set_num_rows(indices.size)
    _writable(handle, np.uint32)[:] = indices.astype(np.uint32).ravel()
    geom = Geom(vdata)
    geom.add_primitive(prim)
    node = GeomNode(name)
    node.add_geom(geom)
    return node, vdata


class MeshBuilder:
    """Accumulates flat-shaded primitives into one static mesh."""

    def __init__(self) -> None:
        self._verts: list[np.ndarray] = []
        self._tris: list[np.ndarray] = []
        self._count = 0

    @property
    def vertex_count(self) -> int:
        return self._count

    def add_triangles(self, positions: np.ndarray, normals: np.ndarray, color: Color, tris: np.ndarray) -> None:
        """Raw entry: ``positions``/``normals`` (n, 3), ``tris`` (m, 3) indices into them."""
        n = len(positions)
        block = np.empty((n, VERTEX_FLOATS), np.float32)
        block[:, 0:3] = positions
        block[:, 3:6] = normals
        block[:, 6:10] = _rgba(color)
        self._verts.append(block)
        self._tris.append(np.asarray(tris, np.uint32) + self._count)
        self._count += n

    def add_quad(self, corners: Sequence[Sequence[float]], color: Color) -> None:
        """A flat quad from four corners in counter-clockwise order seen from its front."""
        p = np.asarray(corners, np.float32)
        normal = np.cross(p[1] - p[0], p[2] - p[0])
        length = float(np.linalg.norm(normal)) or 1.0
        self.add_triangles(p, np.tile(normal / length, (4, 1)), color, np.array([[0, 1, 2], [0, 2, 3]]))

    def add_box(self, center: Sequence[float], size: Sequence[float], color: Color) -> None:
        """An axis-aligned box (Panda's Z-up axes) with outward normals on all six faces."""
        c = np.asarray(center, np.float32)
        h = np.asarray(size, np.float32) / 2
        x0, y0, z0 = c - h
        x1, y1, z1 = c + h
        faces = (
            ((x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)),  # top
            ((x0, y1, z0), (x1, y1, z0), (x1, y0, z0), (x0, y0, z0)),  # bottom
            ((x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)),  # front (-y)
            ((x1, y1, z0), (x0, y1, z0), (x0, y1, z1), (x1, y1, z1)),  # back (+y)
            ((x0, y1, z0), (x0, y0, z0), (x0, y0, z1), (x0, y1, z1)),  # left (-x)
            ((x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)),  # right (+x)
        )
        for face in faces:
            self.add_quad(face, color)

    def add_cylinder(
        self, base: Sequence[float], radius: float, height: float, color: Color, segments: int = 16, caps: bool = True
    ) -> None:
        """An upright (Z) cylinder standing on ``base``; smooth side normals."""
        bx, by, bz = (float(v) for v in base)
        angles = np.linspace(0, 2 * math.pi, segments + 1)[:-1]
        cos, sin = np.cos(angles), np.sin(angles)
        ring = np.stack([bx + radius * cos, by + radius * sin, np.full(segments, bz)], axis=1)
        top = ring + (0, 0, height)
        normals = np.stack([cos, sin, np.zeros(segments)], axis=1)
        i = np.arange(segments)
        j = (i + 1) % segments
        side = np.concatenate([np.stack([i, j, segments + j], 1), np.stack([i, segments + j, segments + i], 1)])
        self.add_triangles(np.concatenate([ring, top]), np.concatenate([normals, normals]), color, side)
        if caps:
            for z, up in ((bz + height, 1.0), (bz, -1.0)):
                centre = np.array([[bx, by, z]])
                rim = ring.copy()
                rim[:, 2] = z
                tris = np.stack([np.zeros(segments, int), 1 + (i if up > 0 else j), 1 + (j if up > 0 else i)], 1)
                self.add_triangles(np.concatenate([centre, rim]), np.tile((0, 0, up), (segments + 1, 1)), color, tris)

    def add_sphere(self, center: Sequence[float], radius: float, color: Color, rings: int = 8, segments: int = 12,
                   scale: Sequence[float] = (1.0, 1.0, 1.0)) -> None:
        """A UV sphere (optionally scaled into an ellipsoid) with smooth normals."""
        theta = np.linspace(0, math.pi, rings + 1)
        phi = np.linspace(0, 2 * math.pi, segments + 1)
        t, p = np.meshgrid(theta, phi, indexing="ij")
        unit = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1).reshape(-1, 3)
        s = np.asarray(scale, np.float32)
        positions = np.asarray(center, np.float32) + unit * radius * s
        normals = unit / s
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-9)
        cols = segments + 1
        r, c = np.meshgrid(np.arange(rings), np.arange(segments), indexing="ij")
        a = (r * cols + c).ravel()
        b = a + cols
        tris = np.concatenate([np.stack([a, b, b + 1], 1), np.stack([a, b + 1, a + 1], 1)])
        self.add_triangles(positions, normals, color, tris)

    def node(self, name: str) -> GeomNode:
        if not self._verts:
            return GeomNode(name)
        node, _ = _make_node(name, np.concatenate(self._verts), np.concatenate(self._tris), Geom.UH_static)
        return node


def quad_normals(corners: np.ndarray) -> np.ndarray:
    """Unit normals (n, 3) of quads given as (n, 4, 3) corner arrays (counter-clockwise from the front)."""
    n = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)


class DynamicQuads:
    """Up to ``capacity`` quads whose corners and colours are rewritten every frame from numpy.

    ``update`` writes the first ``n`` quads and collapses the rest to a point, so the index buffer
    never changes and Panda3D only re-uploads one vertex array.
    """

    def __init__(self, name: str, capacity: int, normal: Sequence[float] | None = (0.0, -1.0, 0.0)) -> None:
        if capacity <= 0:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self.capacity = capacity
        self._fixed_normal = None if normal is None else np.asarray(normal, np.float32)
        base = np.arange(capacity, dtype=np.uint32)[:, None] * 4
        indices = (base + np.array([0, 1, 2, 0, 2, 3], np.uint32)).reshape(-1, 3)
        vertices = np.zeros((capacity * 4, VERTEX_FLOATS), np.float32)
        self.node, self._vdata = _make_node(name, vertices, indices, Geom.UH_dynamic)
        self._buffer = np.zeros((capacity, 4, VERTEX_FLOATS), np.float32)
        if self._fixed_normal is not None:
            self._buffer[:, :, 3:6] = self._fixed_normal
        self.count = 0

    def update(self, corners: np.ndarray, colors: np.ndarray) -> None:
        """Write quads: ``corners`` (n, 4, 3), ``colors`` (n, 4) or (n, 4, 4) RGBA per quad or per corner."""
        n = len(corners)
        if n > self.capacity:
            raise ValueError(f"{n} quads exceed capacity {self.capacity}")
        buf = self._buffer
        buf[:n, :, 0:3] = corners
        if self._fixed_normal is None and n:
            buf[:n, :, 3:6] = quad_normals(corners)[:, None, :]
        buf[:n, :, 6:10] = colors[:, None, :] if colors.ndim == 2 else colors
        if n < self.count:
            buf[n:self.count, :, 0:3] = 0.0
        self.count = n
        _writable(self._vdata.modify_array(0), np.float32)[:] = buf.ravel()

    def write(self, index: np.ndarray, corners: np.ndarray, colors: np.ndarray) -> None:
        """Overwrite only the quads at ``index`` (the rest keep their last values).

        The market wall uses this every frame for today's candles, and ``update`` only when a day closes.
        """
        index = np.asarray(index, np.intp)
        if len(index) and (index.min() < 0 or index.max() >= self.capacity):
            raise ValueError("quad index out of range")
        buf = self._buffer
        buf[index, :, 0:3] = corners
        if self._fixed_normal is None and len(index):
            buf[index, :, 3:6] = quad_normals(corners)[:, None, :]
        buf[index, :, 6:10] = colors[:, None, :] if colors.ndim == 2 else colors
        self.count = max(self.count, int(index.max()) + 1 if len(index) else 0)
        view = _writable(self._vdata.modify_array(0), np.float32).reshape(self.capacity, 4, VERTEX_FLOATS)
        view[index] = buf[index]
