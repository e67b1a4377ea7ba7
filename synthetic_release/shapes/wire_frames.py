"""The wire frame family: thin bent tubes (glasses, headphones, bow, scissors, watch)."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    Rng,
    arc_points,
    chance,
    ellipse,
    pick,
    resample,
    rotation,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder


def glasses(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    a, c = uniform(mr, .022, .03), uniform(mr, .016, .024)
    p = pick(mr, (2.0, 3.0, 5.0))
    sep = a + uniform(mr, .008, .012)
    for s in (-1, 1):
        b.torus((s * sep, 0, 0), a, .0018, Ry=c, p=p, axis="y", f=1.0)
        b.extrude(ellipse(a * .97, c * .97, b.n(.8, 8), p), .001, c=(s * sep, 0, 0), axis="y", f=.8)
    b.sweep(arc_points((0, 0, c * .2), sep - a, .2, PI - .2, b.n(.3, 4), "xz"), .0015, up=(0, 1, 0))
    folded = chance(mr, .3)
    for s in (-1, 1):
        hinge = np.array([s * (sep + a), .002, c * .4])
        if folded:
            path = np.array([hinge, hinge + (-s * .005, .008, 0), hinge + (-s * (sep + a) * 1.6, .012, -.002)])
        else:
            path = np.array([hinge, hinge + (s * .004, .02, 0), hinge + (s * .006, .11, 0), hinge + (s * .006, .14,
                                                                                                     -.025)])
        b.sweep(resample(path, b.n(.3, 3), False), .0016, r2=.0025, up=(1, 0, 0), p=3)
        b.sphere((s * (sep - a * .75), .006, -c * .3), (.002, .004, .005), f=.3)


def headphone(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R = uniform(mr, .08, .1)
    cup = uniform(mr, .03, .05)
    b.sweep(arc_points((0, 0, 0), R, .0, PI, b.n(.8, 6), "xz"), .005, r2=.014, up=(0, 1, 0), p=4)
    for s in (-1, 1):
        x = s * (R + .005)
        b.cyl((x, 0, .01), (x, 0, -.03), .004, f=.3)
        c = np.array([x, 0, -.03 - cup])
        b.cyl(c + (s * .022, 0, 0), c, cup, cup * .9, f=.8)
        b.torus(c - (s * .005, 0, 0), cup * .8, .008, axis="x", f=.7)
    side = pick(mr, (-1, 1))
    if chance(mr, .6):
        cable = spline([(side * (R + .03), 0, -.03 - cup * 1.8), (side * (R + .02), -.02, -.15), (side * R * .5, .01,
                                                                                                  -.25)],
                       b.n(.5, 4))
        b.sweep(cable, .0015, up=(0, 1, 0))
    if chance(mr, .3):
        b.cyl((side * (R + .03), 0, -.03 - cup), (side * .03, -.05, -.03 - cup * 1.5), .003, f=.3)


def bow(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, 1.2, 1.7)
    depth = L * uniform(mr, .12, .2)
    recurve = chance(mr, .5)
    k = b.n(1.0, 8)
    t = np.linspace(-1, 1, k)
    x = -depth * (1 - t**2)
    if recurve:
        x = x + depth * .5 * np.clip(np.abs(t) - .75, 0, None) / .25 * np.abs(t)
    path = np.stack([x, np.zeros(k), t * L / 2], 1)
    b.sweep(path, .012 * (1.3 - .6 * np.abs(t)), r2=.02 * (1.3 - .6 * np.abs(t)), up=(0, 1, 0), p=3)
    b.cyl(path[0], path[-1], .0015, f=.15, n=3)
    b.rbox((-depth - .01, 0, 0), (.04, .035, .14), p=3, f=.5)
    if chance(mr, .4):
        b.cyl((-depth - .03, 0, .05), (-depth - .03, -.15, .05), .004, f=.2)


def scissors(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lb, open_ = uniform(mr, .08, .12), uniform(mr, .05, .5)
    for s in (-1, 1):
        R = rotation(az=s * open_ / 2)
        blade = np.array([(0, -.006), (Lb, -.001), (Lb * .98, .003), (0, .008)])
        b.extrude(blade * (1, s), .002, c=(0, 0, .002 + (s + 1) * .001), rot=R)
        rr = .012 if s > 0 else uniform(mr, .012, .02)
        hc = R @ np.array([-.045, s * .012, 0]) + (0, 0, .002 + (s + 1) * .001)
        b.torus(hc, rr, .003, Ry=rr * .8, f=.7)
        b.cyl(R @ np.array([-.002, 0, 0]) + (0, 0, .003), hc + R @ np.array([rr * .9, 0, 0]), .003, f=.3)
    b.cyl((0, 0, 0), (0, 0, .007), .003, f=.3)


def watch(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .016, .022)
    p = pick(mr, (2.0, 2.0, 6.0))
    zc = .032
    b.loft([(-.005, 0, 0, r, r), (.005, 0, 0, r, r)], p=p, axis="y", c=(0, -.005, zc), f=1.0)
    b.torus((0, -.01, zc), r, .0015, p=p, axis="y", f=1.0)
    ha, ma = uniform(mr, 0, TAU), uniform(mr, 0, TAU)
    for ang, ln in ((ha, .5), (ma, .8)):
        b.box((r * ln / 2 * math.sin(ang), -.0112, zc + r * ln / 2 * math.cos(ang)), (.0012, .0006, r * ln),
              rot=rotation(ay=ang))
    b.cyl((r, -.005, zc), (r + .004, -.005, zc), .0018, f=.3)  # crown on the right
    # strap: an open loop behind the case (around a wrist), band wide in x, thin radially
    k = b.n(1.0, 8)
    rw = .03  # wrist radius: the loop starts at the case lugs and goes round the back
    a = np.linspace(.55, TAU - .55, k)
    strap = np.stack([np.zeros(k), rw - rw * np.cos(a), zc + rw * np.sin(a)], 1)
    b.sweep(strap, .0015, r2=r * .9, up=(1, 0, 0), p=4)
    if chance(mr, .5):  # buckle
        b.rbox((0, 2 * rw + .002, zc), (r * 2.2, .004, .006), p=4, f=.4)
