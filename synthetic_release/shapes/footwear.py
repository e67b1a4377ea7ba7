"""The footwear family: sole + upper lofted along y, toe at -y."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    Arr,
    Rng,
    chance,
    pick,
    rotation,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder


def _sole_outline(L: float, W: float, n: int, skew: float) -> Arr:
    """Foot-shaped outline: wide ball, narrow waist and heel, slight left/right skew."""
    t = np.linspace(0, 1, n)
    w = W / 2 * (.55 + .45 * np.sin(np.pi * np.clip(t * 1.4, 0, 1)) - .15 * np.exp(-((t - .65) / .12) ** 2))
    w = np.maximum(w, W * .05)
    y = -L / 2 + L * t
    x_off = skew * W * (1 - t) ** 2
    right = np.stack([x_off + w, y], 1)
    left = np.stack([x_off - w, y], 1)[::-1]
    return np.vstack([right, left])


def _upper(b: MeshBuilder, L: float, W: float, hs: Sequence[float], z0: float, skew: float, f: float = 1.2) -> None:
    k = len(hs)
    t = np.linspace(.02, .98, k)
    y = -L / 2 + L * t
    hw = W / 2 * (.55 + .4 * np.sin(np.pi * np.clip(t * 1.4, 0, 1))) * .95
    hw = np.maximum(hw, np.minimum(np.asarray(hs, float) * .45, W * .42))  # tall shafts need a wide ankle
    h = np.asarray(hs, float)
    secs = np.stack([y, skew * W * (1 - t) ** 2, z0 + h / 2, hw, h / 2], 1)
    b.loft(secs, p=2.8, axis="y", f=f, along=.04)


def shoe(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, .25, .3), uniform(mr, .09, .11)
    skew = pick(mr, (-.12, .12))
    kind = pick(mr, ("sneaker", "boot", "heel", "dress"))
    n = b.n(.6, 6)
    heel = kind == "heel"
    st = .012 if heel else uniform(mr, .015, .03)
    b.extrude(_sole_outline(L, W, n, skew), st, c=(0, 0, st / 2), f=1.0)
    if heel:
        b.cyl((0, L * .42, 0), (0, L * .42, .08), .012, .006, f=.5)
        b.rbox((0, L * .05, .04), (W * .4, L * .3, .008), p=4, rot=rotation(ax=-.25), f=.4)
        _upper(b, L, W, [.01, .03, .045, .05, .06, .06], st, skew)
        return
    hs = {"sneaker": [.02, .045, .07, .085, .1, .095], "dress": [.015, .035, .055, .07, .075, .075],
          "boot": [.02, .045, .08, .12, .2, .22]}[kind]
    _upper(b, L, W, hs, st, skew)
    if kind != "boot":
        b.torus((skew * W * .1, L * .3, st + hs[-1]), W * .32, .008, Ry=L * .12, f=.6)
    for i in range(min(5, b.n(.2, 2))):
        y = -L * .1 + i * L * .07
        b.cyl((-W * .25, y, st + hs[2] + .006 + i * .006), (W * .25, y, st + hs[2] + .006 + i * .006), .002, f=.15, n=3)


def slipper(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, .25, .29), uniform(mr, .09, .11)
    skew = pick(mr, (-.1, .1))
    st = uniform(mr, .015, .025)
    b.extrude(_sole_outline(L, W, b.n(.6, 6), skew), st, c=(0, 0, st / 2), f=1.0)
    if chance(mr, .3):  # flip-flop straps
        for s in (-1, 1):
            strap = spline([(skew * W * .6, -L * .3, st), (s * W * .3, -L * .05, st + .025), (s * W * .45, L * .1, st)],
                           b.n(.3, 4))
            b.sweep(strap, .004, r2=.002, up=(0, 0, 1))
        return
    k = b.n(.25, 4)
    t = np.linspace(.02, .55, k)
    y = -L / 2 + L * t
    hw = W / 2 * (.55 + .4 * np.sin(np.pi * np.clip(t * 1.4, 0, 1)))
    h = .02 + .04 * np.sin(np.pi * np.clip(t * 1.6, 0, 1) / 2)
    b.loft(np.stack([y, skew * W * (1 - t) ** 2, st + h / 2, hw, h / 2], 1), p=2.5, axis="y", f=1.2)
    if chance(mr, .4):
        b.sphere((skew * W, -L * .2, st + .06), .02, f=.5)


def skate(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, .27, .31), uniform(mr, .1, .12)
    skew = pick(mr, (-.1, .1))
    z0 = .08
    b.extrude(_sole_outline(L, W, b.n(.6, 6), skew), .02, c=(0, 0, z0 + .01))
    _upper(b, L, W, [.03, .06, .1, .16, .24, .25], z0 + .02, skew)
    if chance(mr, .5):  # ice blade: (y, z) outline with a rounded nose, extruded thinly in x
        a = np.linspace(PI / 2, 1.5 * PI, b.n(.4, 4))
        nose = np.stack([-L * .45 + .03 * np.cos(a), .03 + .03 * np.sin(a)], 1)
        poly = np.vstack([nose, [(L * .46, 0.0), (L * .46, z0), (-L * .45, z0)]])
        b.extrude(poly, .004, axis="x")
        for y in (-L * .3, L * .3):
            b.cyl((0, y, .03), (0, y, z0), .012, f=.3)
    elif chance(mr, .5):  # inline wheels
        for i in range(4):
            b.cyl((-.012, -L * .36 + i * L * .24, .035), (.012, -L * .36 + i * L * .24, .035), .035, f=.5)
        b.box((0, 0, .06), (.03, L * .85, .03))
    else:  # quad wheels
        for y in (-L * .3, L * .3):
            for s in (-1, 1):
                b.cyl((s * W * .35, y, .03), (s * W * .6, y, .03), .03, f=.5)
            b.box((0, y, .05), (W * .6, .04, .03))
