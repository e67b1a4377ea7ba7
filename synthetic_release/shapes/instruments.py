"""The instrument family: upright, the playing face toward -y."""

from __future__ import annotations

import numpy as np

from synthetic_release.shapes.geometry import (
    TAU,
    Arr,
    Rng,
    chance,
    ellipse,
    pick,
    randint,
    rotation,
    rotation_to,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import knob


def _two_circle_outline(c1: float, r1: float, c2: float, r2: float, o: float, n: int) -> Arr:
    """Outline (x, z) of the union of two circles on the z axis, star-shaped about (0, o)."""
    a = TAU * np.arange(n) / n
    d = np.stack([np.sin(a), np.cos(a)], 1)
    best = np.zeros(n)
    for cz, r in ((c1, r1), (c2, r2)):
        dz = cz - o
        proj = d[:, 1] * dz
        disc = np.maximum(proj**2 - (dz * dz - r * r), 0.0)
        best = np.maximum(best, proj + np.sqrt(disc))
    return np.stack([d[:, 0] * best, o + d[:, 1] * best], 1)


def _strings(b: MeshBuilder, x0: float, x1: float, y: float, z0: float, z1: float, k: int, r: float = .0008) -> None:
    for i in range(k):
        x = x0 + (x1 - x0) * (i + .5) / k
        b.cyl((x, y, z0), (x, y, z1), r, f=.15, n=3)


def guitar(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    violin = cat == "violin"
    if violin:
        r1, r2, gap = .1 * uniform(mr, .93, 1.07), .085 * uniform(mr, .9, 1.05), .2 * uniform(mr, .9, 1.1)
        depth, neck = .04 * uniform(mr, .85, 1.2), .25 * uniform(mr, .92, 1.08)
    else:  # body proportions per style: (lower bout, upper/lower ratio, bout spacing, depth)
        style = pick(mr, ("classical", "dreadnought", "parlor", "electric"))
        rb, ratio, spacing, dp = {"classical": (.18, .76, 1.2, .095), "dreadnought": (.2, .86, 1.0, .11),
                                  "parlor": (.15, .72, 1.3, .085), "electric": (.17, .8, .95, .045)}[style]
        r1 = rb * uniform(mr, .95, 1.05)
        r2, gap, depth, neck = r1 * ratio, r1 * spacing * uniform(mr, .95, 1.05), dp * uniform(mr, .9, 1.1), .45
    out = _two_circle_outline(r1, r1, r1 + gap, r2, r1 + gap * .5, b.n(1.4, 10))
    b.extrude(out, depth, axis="y", f=1.4)
    top = r1 + gap + r2
    nw = .05 if not violin else .03
    b.rbox((0, -depth / 2 + .01, top + neck / 2 - .02), (nw, .02, neck), p=4, taper=1.0, f=.5)
    head = top + neck - .02
    if violin:
        b.torus((0, -.0, head + .03), .018, .008, axis="x", f=.5)
        b.box((0, 0, head), (.025, .02, .05))
        for s in (-1, 1):
            b.cyl((-.02, 0, head - .01 + s * .01), (.02, 0, head - .01 + s * .01), .003, f=.2)
            b.box((s * r1 * .45, -depth / 2 - .002, r1 + gap * .5), (.005, .002, .06), rot=rotation(ay=s * .2))
        b.box((0, -depth / 2 - .01, r1 * .9), (.05, .003, .02))
        b.rbox((0, -depth / 2 - .004, r1 * .35), (.035, .006, .09), p=3, taper=.5)
        _strings(b, -.01, .01, -depth / 2 - .012, r1 * .4, head - .03, 4)
        return
    b.rbox((0, .0, head + .09), (.08, .02, .18), p=4, rot=rotation(ax=-.2), f=.5)
    for i in range(3):
        for s in (-1, 1):
            z = head + .04 + i * .05
            b.cyl((s * .04, .005, z), (s * .065, .005, z), .005, f=.25)
    electric = depth < .06
    if electric:
        for z in (r1 * .7, r1 * 1.2):
            b.box((0, -depth / 2 - .004, z), (.08, .008, .02))
        for k in range(3):
            knob(b, r1 * .5 + k * .02, -depth / 2, r1 * .5 - k * .03, .01, .01)
    else:
        b.torus((0, -depth / 2, r1 + gap * .55), .045, .005, axis="y", f=.6)
        if style == "dreadnought":  # pickguard beside the sound hole
            b.extrude(ellipse(.04, .06, b.n(.5, 6)), .002, c=(.06, -depth / 2 - .001, r1 + gap * .4), axis="y")
    b.box((0, -depth / 2 - .005, r1 * .55), (.12, .01, .02))
    _strings(b, -.02, .02, -depth / 2 - .012, r1 * .55, head, 4 if chance(mr, .2) else 6)


def harp(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, W = uniform(mr, 1.2, 1.8), uniform(mr, .6, .9)
    b.loft([(0, 0, 0, .12, .08), (H * .9, 0, 0, .05, .04)], p=4, rot=rotation_to((W * .7, 0, H * .85)),
           c=(W * .3, 0, .05), along=.05)
    b.cyl((-W * .35, 0, 0), (-W * .3, 0, H), .035, f=.5)
    neck = spline([(-W * .32, 0, H), (-W * .05, 0, H * .92), (W * .35, 0, H * 1.0), (W * .95, 0, H * .9)], b.n(.8, 6))
    b.sweep(neck, .035, r2=.02, up=(0, 1, 0))
    b.rbox((0, 0, .03), (W * 1.1, .25, .06), p=4)
    ns = min(randint(mr, 20, 40), b.n(.6, 5))
    for i in range(ns):
        t = (i + .5) / ns
        x = -W * .2 + t * W * 1.05
        z0 = .05 + (x - W * .3) / (W * .7) * H * .85 * .9 + .05 if x > W * .3 else .1
        z1 = float(np.interp(x, neck[:, 0], neck[:, 2])) - .02
        if z1 > z0 + .02:
            b.cyl((x, 0, z0), (x, 0, z1), .0015, f=.15, n=3)


def sax(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .6, .8)
    path = spline([(.0, 0, H), (-.04, 0, H * .95), (-.06, 0, H * .85), (-.05, 0, H * .2), (0, 0, .04),
                   (.07, 0, .08), (.1, 0, .3)], b.n(1.0, 8))
    rr = np.linspace(.008, .035, len(path))
    b.sweep(path, rr, up=(0, 1, 0), f=1.2)
    b.revolve([(.035, 0), (.05, .06), (.075, .12)], c=(.1, 0, .3), cap0=False, cap1=False, f=1.2,
              rot=rotation_to((.1, 0, 1)))
    b.cyl((0, 0, H), (.015, 0, H + .04), .006, .008, f=.4)
    nk = min(8, b.n(.3, 3))
    for i in range(nk):
        z = H * .25 + H * .55 * i / max(nk - 1, 1)
        b.cyl((-.05, -.025, z), (-.05, -.04, z), .008, f=.3)


def horn(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R = uniform(mr, .12, .16)
    turns = 2.5
    t = np.linspace(0, turns * TAU, b.n(3.0, 20))
    path = np.stack([R * np.cos(t) * (1 - .03 * t / TAU), -.015 * t / TAU, R * np.sin(t) * (1 - .03 * t / TAU) + R], 1)
    b.sweep(path, np.linspace(.006, .014, len(path)), up=(0, 1, 0), f=.8)
    end = path[-1]
    tang = path[-1] - path[-2]
    b.revolve([(.014, 0), (.03, .12), (.07, .2), (.11, .24)], c=end, rot=rotation_to(tang), cap0=False, cap1=False,
              f=1.2)
    for k in range(3):
        b.cyl((-R * .3 + k * .03, -.02, R * 1.0), (-R * .3 + k * .03, .04, R * 1.0), .012, f=.4)
    b.cyl((R * .6, 0, R * 1.7), (R * 1.2, 0, R * 2.0), .004, .006, f=.3)
