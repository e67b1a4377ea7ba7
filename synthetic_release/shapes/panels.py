"""The panel family: a screen / board / slab facing -y, on a stand or in a frame."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    XZ_PLANE,
    Rng,
    arc_points,
    chance,
    pick,
    rotation,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder


def _monitor(b: MeshBuilder, mr: Rng, W: float, z0: float = 0.0, x0: float = 0.0) -> None:
    """Flat screen on a neck and foot (shared by tvmonitor and computer)."""
    H = W * pick(mr, (9 / 16, 9 / 16, 3 / 4, 10 / 16))
    d = W * uniform(mr, .03, .06)
    zc = z0 + uniform(mr, .12, .25) * W + H / 2
    if chance(mr, .2):  # old CRT: deep tapered back
        b.loft([(-d, 0, 0, W / 2, H / 2), (W * .6, 0, 0, W * .3, H * .3)], p=8, axis="y", c=(x0, 0, zc))
    else:
        b.rbox((x0, d / 2, zc), (W, d, H), p=12, axis="y")
        b.rbox((x0, d + W * .03, zc), (W * .5, W * .06, H * .5), p=4, axis="y", f=.5)
    b.box((x0, -d * .6, zc), (W * .94, .004 * W, H * .88))
    b.box((x0 + W * .4, -d * .55, zc - H / 2 + .02 * W), (.02 * W, .004 * W, .01 * W))
    if chance(mr, .7):
        b.rbox((x0, d + .02 * W, (z0 + zc) / 2), (W * .08, W * .03, zc - z0), p=4, f=.5)
        b.rbox((x0, d * .5, z0 + .01 * W), (W * .35, W * .22, .02 * W), p=pick(mr, (2.0, 6.0)))
    else:
        for s in (-1, 1):
            b.box((x0 + s * W * .4, 0, (z0 + zc - H / 2) / 2), (.015 * W, .01 * W, zc - H / 2 - z0))
            b.box((x0 + s * W * .4, 0, z0 + .005 * W), (.03 * W, .18 * W, .01 * W))


def tv(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    _monitor(b, mr, uniform(mr, .6, 1.4))


def computer(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W = uniform(mr, .45, .65)
    _monitor(b, mr, W)
    b.rbox((0, -.3, .012), (W * .8, .15, .024), p=6)
    b.box((0, -.3, .026), (W * .74, .12, .006))
    b.sphere((W * .5, -.3, .015), (.03, .05, .018), f=.5)
    if chance(mr, .6):  # tower beside the screen
        side = pick(mr, (-1, 1))
        b.rbox((side * (W * .5 + .2), .05, .22), (.19, .45, .44), p=12)
        b.box((side * (W * .5 + .2), -.18, .35), (.14, .01, .05))
        b.cyl((side * (W * .5 + .2), -.175, .3), (side * (W * .5 + .2), -.19, .3), .01, f=.3)


def laptop(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, t = uniform(mr, .3, .4), uniform(mr, .2, .27), uniform(mr, .012, .025)
    b.rbox((0, 0, t / 2), (W, D, t), p=10)
    b.box((0, D * .12, t + .001), (W * .85, D * .42, .002))
    b.box((0, -D * .3, t + .001), (W * .3, D * .25, .002))
    ang = uniform(mr, 1.6, 2.1)
    R = rotation(ax=-ang)
    hinge = np.array([0, D / 2, t])
    b.rbox(hinge + R @ (0, -D / 2, .005), (W, D, .01), p=10, rot=R)
    b.box(hinge + R @ (0, -D / 2, .0105), (W * .9, D * .85, .002), rot=R)


def blackboard(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, H = uniform(mr, 1.2, 2.4), uniform(mr, .8, 1.2)
    zc = H / 2 + (uniform(mr, .6, .9) if chance(mr, .6) else 0.0)
    b.box((0, 0, zc), (W, .02, H))
    for s in (-1, 1):
        b.box((0, 0, zc + s * H / 2), (W + .06, .04, .03))
        b.box((s * W / 2, 0, zc), (.03, .04, H))
    b.box((0, -.04, zc - H / 2 - .01), (W * .8, .08, .015))
    if zc > H / 2 + .1:  # on an easel / wheeled stand
        for s in (-1, 1):
            b.cyl((s * W * .45, 0, .05), (s * W * .45, 0, zc + H / 2 - .05), .02, f=.4)
            b.box((s * W * .45, 0, .04), (.05, .6, .04))
            for e in (-1, 1):
                b.cyl((s * W * .45, e * .28, .02), (s * W * .45 + .02, e * .28, .02), .02, f=.3)
    if chance(mr, .5):  # chalk or eraser on the tray
        b.box((W * uniform(mr, -.3, .3), -.05, zc - H / 2 + .015), (.12, .05, .03))


def door(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, H, t = uniform(mr, .75, .95), uniform(mr, 1.95, 2.15), uniform(mr, .035, .05)
    side = pick(mr, (-1, 1))
    b.box((0, 0, H / 2), (W, t, H))
    for s in (-1, 1):
        b.box((s * (W / 2 + .04), 0, (H + .05) / 2), (.07, t + .06, H + .05))
    b.box((0, 0, H + .045), (W + .15, t + .06, .09))
    npan = pick(mr, (0, 2, 4, 6))
    rows = max(1, npan // 2)
    for i in range(rows):
        for s in ((-1, 1) if npan > 1 else ()):
            z = .15 + (H - .3) * (i + .5) / rows
            b.box((s * W * .22, -t / 2 - .005, z), (W * .34, .01, (H - .3) / rows * .8))
    if npan == 0 and chance(mr, .5):
        b.box((0, -t / 2 - .003, H * .75), (W * .6, .006, H * .3))
    hx = side * (W / 2 - .07)
    if chance(mr, .5):
        for y in (-t / 2, t / 2):
            sgn = -1 if y < 0 else 1
            b.cyl((hx, y, 1.0), (hx, y + sgn * .05, 1.0), .008, f=.3)
            b.cyl((hx, y + sgn * .05, 1.0), (hx - side * .12, y + sgn * .05, 1.0), .01, f=.3)
    else:
        for y in (-t / 2, t / 2):
            sgn = -1 if y < 0 else 1
            b.cyl((hx, y, 1.0), (hx, y + sgn * .05, 1.0), .02, .01, f=.4)
            b.sphere((hx, y + sgn * .06, 1.0), .028, f=.4)
    for z in (.2, H - .2):
        b.cyl((-side * (W / 2 + .005), -t / 2, z - .05), (-side * (W / 2 + .005), -t / 2, z + .05), .008, f=.3)


def clock(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .1, .18)
    kind = pick(mr, ("wall", "alarm", "mantel"))
    zc = r if kind == "wall" else r + (.04 if kind == "alarm" else .12)
    d = uniform(mr, .03, .06)
    if kind == "mantel":
        poly = np.vstack([[[-r * 1.4, -zc], [r * 1.4, -zc]], arc_points((0, 0, 0), r * 1.3, 0, PI, b.n(.6, 5),
                                                                        "xy")[:, :2]])
        b.extrude(poly, d * 2, c=(0, d, zc), axis="y")
    b.cyl((0, d / 2, zc), (0, -d / 2, zc), r, f=1.0)
    b.torus((0, -d / 2, zc), r, r * .06, axis="y", f=1.0)
    for k in range(12):
        a = TAU * k / 12
        b.box((r * .82 * math.sin(a), -d / 2 - .002, zc + r * .82 * math.cos(a)), (r * .04, .004, r * .12),
              rot=rotation(ay=a))
    hr, mn = uniform(mr, 0, TAU), uniform(mr, 0, TAU)
    for a, ln, w in ((hr, .5, .05), (mn, .75, .03)):
        b.box((r * ln / 2 * math.sin(a), -d / 2 - .006, zc + r * ln / 2 * math.cos(a)), (r * w, .004, r * ln),
              rot=rotation(ay=a))
    if kind == "alarm":
        for s in (-1, 1):
            b.sphere((s * r * .55, 0, zc + r * .95), (r * .35, r * .35, r * .25), rot=rotation(ay=s * .5), f=.6)
            b.cyl((s * r * .5, 0, zc - r * .8), (s * r * .7, 0, 0), r * .06, f=.4)
        b.torus((0, 0, zc + r * 1.15), r * .3, r * .04, rot=XZ_PLANE, arc=(0, PI), f=.5)
