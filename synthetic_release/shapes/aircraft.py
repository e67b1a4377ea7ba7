"""The aircraft family: fuselage + wings + tail, nose at -y."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from synthetic_release.shapes.geometry import (
    AXIS_MAPS,
    PI,
    TAU,
    Rng,
    chance,
    pick,
    rotation,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import vehicle_body


def _wing(b: MeshBuilder, root: Sequence[float], span: float, c0: float, c1: float, sweep: float, t: float,
          side: int, dihedral: float = 0.0, vertical: bool = False) -> None:
    """Trapezoid planform (x = span, y = chord) extruded by thickness t."""
    poly = np.array([(0, -c0 / 2), (span, -c0 / 2 + sweep), (span, -c0 / 2 + sweep + c1), (0, c0 / 2)])
    if vertical:  # fin: span along +z, thickness along x
        pg = np.stack([poly[:, 1], poly[:, 0]], 1)
        b.extrude(pg, t, c=root, axis="x")
        return
    poly[:, 0] *= side
    R = rotation(ay=-side * dihedral)
    b.extrude(poly, t, c=root, rot=R)


def plane(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    glider = cat == "glider"
    kind = "glider" if glider else pick(mr, ("airliner", "airliner", "prop", "fighter"))
    rf = {"airliner": uniform(mr, .045, .06), "prop": .05, "fighter": .04, "glider": .03}[kind]
    vehicle_body(b, [(-.5, -rf * .1, rf * .1, rf * .1), (-.47, 0, rf * .6, rf * .6), (-.38, 0, rf, rf), (.22, 0, rf,
                                                                                                         rf),
                     (.5, rf * .55, rf * .2, rf * .25)], p=2, f=1.0, along=.1)
    if kind == "fighter":
        _wing(b, (0, .1, 0), .28, .5, .06, .38, .012, 1)
        _wing(b, (0, .1, 0), .28, .5, .06, .38, .012, -1)
        for s in (-1, 1) if chance(mr, .5) else (0,):
            b.extrude(np.array([(.2, rf), (.48, rf), (.5, rf + .13), (.42, rf + .13)]), .008,
                      c=(s * rf * .6, 0, 0), axis="x", rot=rotation(ay=s * .3))
        b.sphere((0, -.28, rf * .8), (rf * .6, .1, rf * .5), f=.5)
        return
    span = {"airliner": uniform(mr, .45, .55), "prop": uniform(mr, .45, .6), "glider": uniform(mr, .9, 1.2)}[kind]
    c0 = {"airliner": .2, "prop": .13, "glider": .09}[kind]
    sw = {"airliner": uniform(mr, .1, .2), "prop": 0.0, "glider": .02}[kind]
    zw = -rf * .5 if (kind == "airliner" or chance(mr, .5)) else rf * .9
    yw = uniform(mr, -.08, .05)
    for s in (-1, 1):
        _wing(b, (0, yw, zw), span, c0, c0 * uniform(mr, .3, .5), sw, .012, s, dihedral=.08)
    ttail = kind == "glider" or chance(mr, .2)
    fin_h = uniform(mr, .12, .18)
    _wing(b, (0, .42, rf * .6), fin_h, .14, .07, .08, .008, 1, vertical=True)
    zt = rf * .6 + fin_h if ttail else rf * .4
    for s in (-1, 1):
        _wing(b, (0, .46 + (.06 if ttail else 0), zt), .15, .09, .05, .05, .007, s)
    if kind == "airliner":
        ne = pick(mr, (2, 2, 4))
        for k in range(ne // 2):
            for s in (-1, 1):
                x = s * span * (.35 + .3 * k)
                yc = yw - c0 / 2 + sw * (x * s) / span - .04
                b.cyl((x, yc - .06, zw - .04), (x, yc + .06, zw - .04), .025, .02, f=.5)
    elif kind == "prop":
        b.revolve([(0, -.55), (.015, -.53), (.02, -.5)], f=.4, axis="y")
        for k in range(pick(mr, (2, 3))):
            a = TAU * k / 3 + uniform(mr, 0, 1)
            b.box((math.cos(a) * .07, -.5, math.sin(a) * .07), (.14, .005, .02), rot=rotation(ay=-a))
        for s in (-1, 1):
            b.cyl((s * .08, -.25, -rf), (s * .1, -.25, -rf * 2.5), .006, f=.3)
            b.cyl((s * .1 - .01, -.25, -rf * 2.5), (s * .1 + .01, -.25, -rf * 2.5), .02, f=.4)
    else:
        b.sphere((0, -.3, rf * .7), (rf * .7, .08, rf * .6), f=.5)


def airship(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R = uniform(mr, .1, .16)  # envelope radius; length is 1
    b.revolve(spline([(0, -.5), (R * .6, -.47), (R, -.2), (R * .95, .1), (R * .4, .42), (0, .5)], 12),
              along=.5, smooth=True, axis="y", f=1.0)
    for k in range(4):
        a = k * PI / 2 + PI / 4
        R2 = rotation(ay=a)
        b.extrude(np.array([(.25, 0), (.45, 0), (.48, .18), (.4, .18)]), .008,
                  c=R2 @ (0, 0, R * .5), rot=R2 @ AXIS_MAPS["x"])
    b.rbox((0, -.1, -R - .02), (R * .4, .2, .05), p=4)
    for s in (-1, 1):
        b.cyl((s * R * .5, .05, -R * .8), (s * R * .5, .12, -R * .8), .015, f=.4)
