"""The boat family: hull along y (bow at -y) + superstructure."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    Rng,
    chance,
    pick,
    randint,
    rotation,
    superellipse,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder


def _hull(b: MeshBuilder, L: float, W: float, depth: float, sheer: float = .1, f: float = 1.0) -> None:
    """Hull: rings with a rounded V bottom and a flat deck, bow narrowing to a point."""
    k = b.n(.25 * f, 4)
    t = np.linspace(0.0, 1.0, k)
    y = -L / 2 + L * t
    hw = W / 2 * np.clip(np.sin(np.minimum(t * 3.0, 1.0) * PI / 2), .02, 1.0) * (1 - .12 * t)
    dz = depth * (.35 + .65 * np.minimum(t * 2.5, 1.0))
    deck = sheer * (1 - t) ** 2
    n = b.n(f, 6)
    u = superellipse(n, 2.6)
    rings = np.empty((k, n, 3))
    rings[..., 0] = hw[:, None] * u[:, 0]
    zz = np.where(u[:, 1] < 0, -(np.abs(u[:, 1]) ** 1.3), .02 * u[:, 1])
    rings[..., 2] = deck[:, None] + dz[:, None] * zz
    rings[..., 1] = y[:, None]
    b.tube(rings)


def boat(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("motor", "sail", "row", "ship"))
    L = {"motor": 8.0, "sail": 10.0, "row": 4.0, "ship": 40.0}[kind] * uniform(mr, .85, 1.15)
    W = L * {"motor": .33, "sail": .3, "row": .35, "ship": .16}[kind]
    dp = W * .4
    _hull(b, L, W, dp, sheer=W * .15)
    if kind == "motor":
        b.rbox((0, L * .05, W * .25), (W * .6, L * .35, W * .45), p=4, taper=.85)
        b.box((0, -L * .13, W * .42), (W * .55, .02, W * .3), rot=rotation(ax=-.6))
        b.box((0, L / 2 + .15, -.1), (.3, .35, .6))
        b.cyl((0, L / 2 + .2, -.4), (0, L / 2 + .2, -.9), .07, f=.4)
    elif kind == "sail":
        mh = L * uniform(mr, 1.0, 1.4)
        b.cyl((0, -L * .1, 0), (0, -L * .1, mh), .08, .05, f=.4)
        b.cyl((0, -L * .1, 1.2), (0, L * .35, 1.2), .05, f=.3)
        b.extrude(np.array([(-L * .1 + .1, 1.3), (L * .33, 1.3), (-L * .1 + .1, mh * .95)]), .02, axis="x")
        b.extrude(np.array([(-L * .45, .4), (-L * .12, .6), (-L * .12, mh * .85)]), .02, axis="x")
        b.rbox((0, L * .15, W * .12), (W * .5, L * .25, W * .2), p=4)
    elif kind == "row":
        for yy in (-L * .15, L * .15):
            b.box((0, yy, -dp * .1), (W * .85, .25, .04))
        for s in (-1, 1):
            b.cyl((s * W * .45, -L * .05, .05), (s * W * 1.3, L * .1, -.2), .025, f=.3)
            b.box((s * W * 1.4, L * .12, -.25), (.12, .4, .02), rot=rotation(az=s * .6))
    else:
        b.rbox((0, L * .35, W * .5), (W * .8, L * .12, W * 1.1), p=8)
        b.box((0, L * .29, W * .8), (W * .85, .1, W * .2))
        b.cyl((0, L * .42, W * 1.0), (0, L * .42, W * 1.5), W * .1, f=.5)
        rows = randint(mr, 2, 5)
        for i in range(rows):
            for s in (-1, 0, 1):
                b.box((s * W * .28, -L * .3 + i * L * .13, W * .18), (W * .26, L * .11, W * .3))


def frigate(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, 110, 140)
    W = L * uniform(mr, .11, .15)
    _hull(b, L, W, W * .5, sheer=W * .25)
    b.rbox((0, -L * .05, W * .4), (W * .75, L * .3, W * .8), p=8, taper=.9)
    b.rbox((0, -L * .08, W * 1.0), (W * .5, L * .12, W * .5), p=8)
    b.rbox((0, L * .2, W * .35), (W * .7, L * .15, W * .6), p=6)
    mast = W * uniform(mr, 2.0, 2.8)
    b.cyl((0, -L * .08, W * 1.2), (0, -L * .06, mast), W * .06, W * .03, f=.4)
    b.box((0, -L * .065, mast * .83), (W * .6, W * .05, W * .05))
    b.sphere((0, -L * .065, mast + W * .1), W * .12, f=.5)
    b.rbox((0, L * .08, W * .9), (W * .3, W * .5, W * .6), p=6, taper=.8)
    b.revolve([(W * .15, 0), (W * .12, W * .12), (W * .05, W * .17)], c=(0, -L * .3, W * .22))
    b.cyl((0, -L * .3, W * .3), (0, -L * .3 - W * .8, W * .33), W * .025, f=.3)
    b.box((0, L * .4, W * .25), (W * .8, L * .15, .3))
    if chance(mr, .5):
        b.sphere((W * .3, L * .1, W * .75), W * .1, f=.4)


def hover(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, 8, 12), uniform(mr, 4, 6)
    b.torus((0, 0, .6), W / 2 - .5, .6, Ry=L / 2 - .5, p=3.0, f=1.2)
    b.rbox((0, 0, 1.0), (W - .8, L - .8, .4), p=4)
    b.rbox((0, -L * .12, 1.9), (W * .6, L * .45, 1.4), p=5, taper=.9)
    b.box((0, -L * .12 - L * .225, 2.0), (W * .5, .02, .7), rot=rotation(ax=-.5))
    nf = pick(mr, (1, 2))
    for i in range(nf):
        x = 0 if nf == 1 else (i - .5) * W * .5
        rr = W * (.3 if nf == 1 else .2)
        b.torus((x, L / 2 - .6, 1.3 + rr), rr, .12, axis="y", f=.8)
        b.cyl((x, L / 2 - .7, 1.3 + rr), (x, L / 2 - .4, 1.3 + rr), .2, f=.4)
        for k in range(3):
            a = TAU * k / 3 + .3
            b.box((x + math.cos(a) * rr * .45, L / 2 - .55, 1.3 + rr + math.sin(a) * rr * .45), (rr * .9, .05, .15),
                  rot=rotation(ay=-a))
        b.box((x, L / 2 - .1, 1.3 + rr), (.05, .3, rr * 1.8))
