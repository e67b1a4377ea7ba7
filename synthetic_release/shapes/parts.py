"""Parts several shape families share: knobs and buttons, road wheels and bodies, turned solids."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synthetic_release.shapes.geometry import shell_profile, spline
from synthetic_release.shapes.mesh_builder import MeshBuilder


def knob(b: MeshBuilder, x: float, y0: float, z: float, r: float, depth: float = .02) -> None:
    b.cyl((x, y0, z), (x, y0 - depth, z), r, f=.4)


def button_grid(b: MeshBuilder, cx: float, y0: float, cz: float, rows: int, cols: int, w: float, h: float,
                size: float) -> None:
    for i in range(rows):
        for j in range(cols):
            x = cx - w / 2 + w * (j + .5) / cols
            z = cz + h / 2 - h * (i + .5) / rows
            b.box((x, y0 - .004, z), (size, .008, size * .8))


def road_wheel(b: MeshBuilder, c: Sequence[float], r: float, w: float, f: float = .8) -> None:
    """Tyre (torus around x) with a hub disc."""
    rt = min(w / 2, r * .35)
    b.torus(c, r - rt, rt, axis="x", f=f)
    c = np.asarray(c, float)
    b.cyl(c - (w * .35, 0, 0), c + (w * .35, 0, 0), r - rt, f=f * .8)


def vehicle_body(b: MeshBuilder, secs: Sequence, p: float = 4.0, f: float = 1.0, x: float = 0.0,
                 along: float = .08) -> None:
    """Loft of rounded sections (y, z_centre, half_width, half_height) along world y."""
    s = [(y, x, z, hw, hh) for y, z, hw, hh in secs]
    b.loft(s, f=f, p=p, axis="y", along=along)


def turned_solid(b: MeshBuilder, ctrl: Sequence, c: Sequence[float] = (0, 0, 0), f: float = 1.0, along: float = .4,
                 sx: float = 1.0, sy: float = 1.0, **kw) -> None:
    """Closed surface of revolution through smooth control points (ends at the axis become poles)."""
    pts = np.asarray(ctrl, float)
    body = spline(pts[1:-1], b.n(along, 4)) if len(pts) > 3 else pts[1:-1]
    prof = np.vstack([pts[:1], body, pts[-1:]])
    b.revolve(prof, c=c, along=None, f=f, sx=sx, sy=sy, **kw)


def turned_vessel(b: MeshBuilder, outer_ctrl: Sequence, t: float, c: Sequence[float] = (0, 0, 0), f: float = 1.0,
                  sx: float = 1.0, sy: float = 1.0, p: float = 2.0) -> None:
    outer = spline(outer_ctrl, b.n(.35, 4))
    b.revolve(shell_profile(outer, t), c=c, along=None, f=f, sx=sx, sy=sy, p=p)
