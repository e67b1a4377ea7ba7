"""The soft round family: ball-ish, balloon-ish, soft goods."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    AXIS_MAPS,
    PI,
    TAU,
    XZ_PLANE,
    Rng,
    arc_points,
    chance,
    ellipse,
    pick,
    rotation,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import turned_solid


def balloon(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R = uniform(mr, 7, 9)
    H = R * uniform(mr, 2.2, 2.6)
    z0 = 4.0
    ctrl = [(R * .25, z0), (R * .55, z0 + H * .2), (R, z0 + H * .55), (R * .85, z0 + H * .85), (R * .3, z0 + H),
            (0, z0 + H * 1.01)]
    prof = np.vstack([spline(ctrl[:-1], b.n(.6, 5)), ctrl[-1:]])
    b.revolve(prof, along=None, f=1.2, cap0=False, wobble=(pick(mr, (12, 16, 24)), .02))
    bw, bd = uniform(mr, 1.2, 1.6), uniform(mr, 1.0, 1.2)
    b.rbox((0, 0, .5), (bw, bd * 1.2, 1.0), p=6)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * bw / 2 * .9, sy * bd * .55, 1.0), (sx * R * .2, sy * R * .2, z0 + .1), .03, f=.2, n=3)
    b.cyl((0, 0, 1.6), (0, 0, 2.2), .25, f=.5)
    b.torus((0, 0, z0 + H * .55), R * 1.005, .06, f=1.2)


def pillow(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    if chance(mr, .25):  # bolster
        L, r = uniform(mr, .4, .6), uniform(mr, .08, .12)
        turned_solid(b, [(0, 0), (r * .6, 0), (r, .03), (r, L - .03), (r * .6, L), (0, L)], axis="x", along=.4)
        return
    W, D, t = uniform(mr, .4, .7), uniform(mr, .3, .5), uniform(mr, .1, .18)
    p = uniform(mr, 2.5, 4.5)
    secs = [(z, 0, 0, W / 2 * s, D / 2 * s) for z, s in ((-t / 2, .78), (-t / 4, .95), (0, 1.0), (t / 4, .95), (t / 2,
                                                                                                                .78))]
    b.loft(secs, p=p, f=1.3, along=.05)
    if chance(mr, .4):
        b.cyl((0, 0, t / 2 - .01), (0, 0, t / 2 + .005), .015, f=.3)


def helmet(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .11, .13)
    kind = pick(mr, ("bike", "moto", "hard"))
    a = np.linspace(-.2 if kind != "bike" else .05, PI / 2, b.n(.4, 4))
    outer = np.stack([r * np.cos(a), r * np.sin(a) * uniform(mr, .9, 1.15)], 1)
    outer[-1, 0] = 0.0
    prof = np.vstack([outer[:-1], [(0, outer[-1, 1])]])
    b.revolve(prof, sy=uniform(mr, 1.1, 1.3), along=None, cap0=True, f=1.2)
    if kind == "bike":
        for k in range(3):
            b.rbox(((k - 1) * r * .35, 0, r * 1.02), (r * .12, r * 1.6, .02), p=3, f=.5)
        b.extrude(ellipse(r * .8, r * .25, b.n(.6, 6)), .005, c=(0, -r * 1.2, r * .25), rot=rotation(ax=.3))
    elif kind == "moto":
        b.torus((0, -r * .55, -r * .1), r * .85, r * .12, Ry=r * .7, rot=rotation(ax=-1.1), arc=(-PI - .3, .3), f=.8)
        b.box((0, -r * 1.1, r * .3), (r * 1.2, .005, r * .5), rot=rotation(ax=-.2))
    else:
        b.revolve([(r * 1.25, 0), (r * 1.25, .006)], sy=1.25, f=1.0)
        b.rbox((0, 0, r * 1.03), (r * .2, r * 2.0, .02), p=3, f=.5)
        b.extrude(ellipse(r * .7, r * .35, b.n(.6, 6)), .006, c=(0, -r * 1.25, .01), rot=rotation(ax=.1))


def cap(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .09, .1)
    h = r * uniform(mr, .75, 1.0)
    a = np.linspace(0, PI / 2, b.n(.4, 4))
    prof = np.vstack([np.stack([r * np.cos(a[:-1]), h * np.sin(a[:-1])], 1), [(0, h)]])
    b.revolve(np.vstack([[(0, 0)], prof]), sy=1.15, along=None, f=1.2)
    bl = r * uniform(mr, .7, 1.0)
    k = b.n(.6, 6)
    brim = np.vstack([arc_points((0, 0, 0), r * .95, PI, TAU, k, "xy", r2=bl + r * 1.1)[:, :2]])
    b.extrude(brim, .004, c=(0, 0, .005), rot=rotation(ax=-.12))
    b.sphere((0, 0, h), (.008, .008, .004), f=.3)
    if chance(mr, .5):
        b.rbox((0, r * 1.1, .02), (r * .8, .005, .02), p=3, f=.4)


def sombrero(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R, rc, hc = uniform(mr, .3, .4), uniform(mr, .09, .11), uniform(mr, .15, .22)
    prof = [(0, hc), (rc * .6, hc * .97), (rc, hc * .5), (rc * 1.1, .01), (R * .8, 0), (R, .04), (R * 1.01, .05),
            (R * .79, .012), (rc * 1.05, .02), (rc * .9, hc * .5), (rc * .55, hc * .92), (0, hc * .94)]
    b.revolve(prof, along=.8, f=1.4, sy=uniform(mr, 1.0, 1.1))
    b.torus((0, 0, .04), rc * 1.05, .008, f=1.0)
    if chance(mr, .5):
        b.sweep(spline([(-rc, 0, .03), (-rc * .6, -.02, -.1), (rc * .6, -.02, -.1), (rc, 0, .03)], b.n(.4, 4)),
                .002, up=(0, 1, 0))


def punching(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = uniform(mr, .8, 1.2), uniform(mr, .15, .2)
    z0 = .4
    turned_solid(b, [(0, z0), (r * .7, z0), (r, z0 + .05), (r, z0 + H - .02), (r * .8, z0 + H), (0, z0 + H)], along=.4)
    b.cyl((0, 0, z0 + H), (0, 0, z0 + H + .03), r * .82, f=1.0)
    top = z0 + H + .45
    for k in range(3):
        a = TAU * k / 3
        b.cyl((r * .7 * math.cos(a), r * .7 * math.sin(a), z0 + H + .03), (0, 0, top), .006, f=.2, n=4)
    b.torus((0, 0, top + .03), .03, .006, axis="y", f=.4)
    b.torus((0, 0, top + .09), .03, .006, axis="x", f=.4)
    if chance(mr, .4):
        b.torus((0, 0, z0 - .02), .03, .005, axis="y", f=.4)


def backpack(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = uniform(mr, .28, .35), uniform(mr, .14, .2), uniform(mr, .4, .5)
    b.loft([(0, 0, 0, W / 2 * .95, D / 2 * .9), (H * .15, 0, 0, W / 2, D / 2), (H * .85, 0, 0, W / 2 * .95, D / 2),
            (H, 0, 0, W / 2 * .7, D / 2 * .6)], p=3, along=.05, f=1.0)
    b.rbox((0, -D / 2 - .03, H * .3), (W * .75, .07, H * .4), p=3)
    if chance(mr, .6):
        b.rbox((0, -D / 2 - .01, H * .7), (W * .6, .03, H * .25), p=3)
    for s in (-1, 1):
        strap = spline([(s * W * .25, D / 2, H * .9), (s * W * .28, D / 2 + .05, H * .6), (s * W * .32, D / 2 + .02,
                                                                                           H * .1)],
                       b.n(.4, 4))
        b.sweep(strap, .004, r2=.025, up=(0, 1, 0), p=4)
        if chance(mr, .5):
            b.rbox((s * (W / 2 + .02), 0, H * .25), (.04, D * .7, H * .3), p=3, f=.5)
    b.torus((0, D * .2, H), .04, .006, rot=XZ_PLANE, arc=(0, PI), f=.4)


def glove(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .09, .11)
    b.cyl((0, 0, 0), (0, 0, r * 1.1), r * .6, r * .7, f=1.0)
    b.torus((0, 0, r * .6), r * .7, r * .08, f=.8)
    b.sphere((0, -r * .1, r * 1.7), (r * .9, r * .8, r * 1.0), f=1.2)
    side = pick(mr, (-1, 1))
    b.sphere((side * r * .75, -r * .3, r * 1.4), (r * .35, r * .35, r * .55), rot=rotation(ay=side * .5), f=.6)


def buoy(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R, r = uniform(mr, .28, .33), uniform(mr, .07, .09)
    b.torus((0, 0, 0), R, r, axis="y", f=1.4)
    for k in range(4):
        a = TAU * k / 4 + PI / 4
        b.torus((R * math.cos(a), 0, R * math.sin(a)), r * 1.03, .012, rot=rotation(ay=-a) @ AXIS_MAPS["x"], f=.6)
    if chance(mr, .7):
        rope = spline([(R + r, 0, 0), (R + r + .08, -.02, -R * .7), (0, 0, -R - r - .15), (-R - r - .08, .02, -R * .7),
                       (-R - r, 0, 0)], b.n(.8, 6))
        b.sweep(rope, .008, up=(0, 1, 0))


def blob(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    rx, ry, rz = cr.uniform(.1, .3, size=3) * uniform(mr, .8, 1.2)
    b.sphere((0, 0, 0), (rx, ry, rz), f=1.4)
    b.sphere((rx * .7, -ry * .3, rz * .4), (rx * .4, ry * .4, rz * .4), f=.6)
