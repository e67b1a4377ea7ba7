"""The cabinet family: box appliances / furniture with front features (front face at -y)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from synthetic_release.shapes.geometry import (
    FACE_FRONT,
    PI,
    XZ_PLANE,
    Rng,
    chance,
    jitter,
    pick,
    randint,
    rotation,
    shell_profile,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import Builder, MeshBuilder
from synthetic_release.shapes.parts import button_grid, knob


def _bar_handle(b: MeshBuilder, x: float, y0: float, z: float, length: float, vertical: bool = True,
                r: float = .01) -> None:
    """Bar handle standing off a front face at y0."""
    d = np.array([0, 0, length / 2]) if vertical else np.array([length / 2, 0, 0])
    c = np.array([x, y0 - .035, z])
    b.cyl(c - d, c + d, r, f=.35)
    for e in (-.8, .8):
        b.cyl(c + e * d + (0, .035, 0), c + e * d, r * .7, f=.3)


def fridge(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .03), (W, D, H - .06), p=16)
    y0 = -D / 2 - .012
    layout = pick(mr, ("top", "bottom", "side", "single"))
    if layout == "side":
        doors = [(-W / 4, H / 2, W / 2, H - .08, 1), (W / 4, H / 2, W / 2, H - .08, -1)]
    elif layout == "single":
        doors = [(0, H / 2, W, H - .08, -1)]
    else:
        hf = H * uniform(mr, .25, .35)
        zf = H - hf / 2 - .04 if layout == "top" else hf / 2 + .04
        zm = (H - hf) / 2 if layout == "top" else hf + (H - hf) / 2
        doors = [(0, zf, W, hf, -1), (0, zm, W, H - hf - .08, -1)]
    for cx, cz, w, h, hs in doors:
        b.rbox((cx, y0, cz), (w - .012, .025, h - .012), p=10, axis="y", f=.8)
        _bar_handle(b, cx + hs * (w / 2 - .07), y0 - .012, cz, min(h * .6, .5))
    if chance(mr, .35):
        b.box((-W / 4 if layout == "side" else -W * .25, y0 - .02, H * .6), (.18, .02, .28))
    b.box((0, -D / 2 + .02, .03), (W * .9, .04, .05))


def microwave(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .01), (W, D, H), p=10)
    y0 = -D / 2
    dw = W * uniform(mr, .65, .75)
    b.rbox((-W / 2 + dw / 2, y0 - .006, H / 2 + .01), (dw - .01, .012, H - .02), p=10, axis="y")
    b.box((-W / 2 + dw / 2 - .02, y0 - .014, H / 2 + .01), (dw * .7, .006, H * .6))
    cx = -W / 2 + dw + (W - dw) / 2
    if chance(mr, .5):
        button_grid(b, cx, y0, H * .45, 4, 3, (W - dw) * .7, H * .5, .02)
        b.box((cx, y0 - .005, H * .85), ((W - dw) * .7, .01, H * .1))
    else:
        for z in (H * .7, H * .35):
            knob(b, cx, y0, z, .022)
    if chance(mr, .5):
        _bar_handle(b, -W / 2 + dw - .03, y0 - .012, H / 2, H * .6)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * (W / 2 - .04), sy * (D / 2 - .04), 0), (sx * (W / 2 - .04), sy * (D / 2 - .04), .012),
                  .015, f=.3)


def dishwasher(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=14)
    y0 = -D / 2
    b.rbox((0, y0 - .01, H * .47), (W - .01, .02, H * .82), p=10, axis="y")
    b.box((0, y0 - .008, H * .94), (W - .01, .016, H * .1))
    button_grid(b, W * .15, y0 - .016, H * .94, 1, randint(mr, 3, 6), W * .5, H * .05, .025)
    _bar_handle(b, 0, y0 - .02, H * .82, W * .6, vertical=False)
    b.box((0, y0 + .03, .04), (W - .02, .02, .08))


def washer(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=14)
    y0 = -D / 2
    if chance(mr, .7):  # front loader: porthole door
        zc = H * .45
        b.torus((0, y0 - .025, zc), W * .28, .035, axis="y", f=.9)
        b.cyl((0, y0, zc), (0, y0 - .03, zc), W * .26, f=.8)
        b.box((-W * .28, y0 - .01, H * .9), (W * .32, .02, H * .09))
        knob(b, W * .3, y0, H * .9, .035, .03)
        b.box((W * .05, y0 - .006, H * .9), (W * .2, .012, H * .06))
    else:  # top loader: lid + rear control console
        b.rbox((0, -D * .08, H + .01), (W * .9, D * .75, .02), p=8)
        b.rbox((0, D / 2 - .06, H + .1), (W, .1, .2), p=6)
        for x in (-W * .3, 0, W * .3):
            knob(b, x, D / 2 - .11, H + .1, .025)


def vending(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=16)
    y0 = -D / 2
    gw = W * .66
    b.box((-W / 2 + gw / 2 + .03, y0 - .01, H * .58), (gw, .02, H * .7))
    for i in range(5):
        b.box((-W / 2 + gw / 2 + .03, y0 + .05, H * .28 + H * .14 * i), (gw * .95, .25, .01))
    cx = -W / 2 + gw + (W - gw) / 2 + .02
    button_grid(b, cx, y0, H * .6, 6, 2, (W - gw) * .5, H * .3, .035)
    b.box((cx, y0 - .01, H * .35), (.06, .02, .1))
    b.box((-W / 2 + gw / 2, y0 - .02, H * .12), (gw * .7, .04, H * .1))
    b.box((0, y0 - .01, H - .08), (W, .02, .12))


def door_cabinet(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    base = .1 if chance(mr, .6) else 0.0
    if base:
        b.box((0, .01, base / 2), (W - .04, D - .04, base))
    else:
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.cyl((sx * (W / 2 - .04), sy * (D / 2 - .04), 0), (sx * (W / 2 - .04), sy * (D / 2 - .04), .12),
                      .02, .03, f=.4)
        base = .12
    b.box((0, 0, base + (H - base) / 2), (W, D, H - base))
    b.rbox((0, -.01, H + .015), (W + .04, D + .03, .03), p=10)
    y0 = -D / 2
    ncol = randint(mr, 1, 3)
    drawer = chance(mr, .5)
    top = H - (H - base) * .22 if drawer else H
    for i in range(ncol):
        w = W / ncol
        x = -W / 2 + w * (i + .5)
        b.box((x, y0 - .01, (base + top) / 2), (w - .01, .02, top - base - .02))
        hs = -1 if (i % 2 == 0 and ncol > 1) else 1
        knob(b, x + (-hs if ncol > 1 else 1) * (w / 2 - .05), y0 - .02, (base + top) / 2 + .1, .015)
        if drawer:
            b.box((x, y0 - .01, (top + H) / 2), (w - .01, .02, H - top - .02))
            _bar_handle(b, x, y0 - .02, (top + H) / 2, w * .4, vertical=False, r=.007)


def drawers(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.box((0, 0, H / 2), (W, D, H))
    y0 = -D / 2
    nd = randint(mr, 2, 5)
    hd = (H - .04) / nd
    for i in range(nd):
        z = .02 + hd * (i + .5)
        b.box((0, y0 - .01, z), (W - .02, .02, hd - .015))
        _bar_handle(b, 0, y0 - .02, z + hd * .15, W * .4, vertical=False, r=.008)
        b.box((0, y0 - .022, z - hd * .2), (W * .2, .004, hd * .12))
    if chance(mr, .4):
        b.cyl((W * .3, y0, H - .04), (W * .3, y0 - .01, H - .04), .012, f=.3)


def shelves(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    th = .02
    for s in (-1, 1):
        b.box((s * (W / 2 - th / 2), 0, H / 2), (th, D, H))
    for z in (th / 2, H - th / 2):
        b.box((0, 0, z), (W - 2 * th, D, th))
    b.box((0, D / 2 - .005, H / 2), (W - 2 * th, .01, H - 2 * th))
    ns = randint(mr, 3, 6)
    gap = (H - th) / ns
    widths = mr.uniform(.02, .05, size=(ns, 30))
    heights = mr.uniform(.6, .9, size=(ns, 30))
    fill = mr.uniform(.3, 1.0, size=ns)
    lean = mr.uniform(-.2, .2, size=ns)
    kmax = b.n(.5, 2)
    for i in range(ns):
        z0 = th + gap * i
        if i > 0:
            b.box((0, 0, z0 - th / 2), (W - 2 * th, D - .01, th))
        x = -W / 2 + th + .005
        for k in range(min(30, kmax)):
            w = widths[i, k]
            if x + w > -W / 2 + th + (W - 2 * th) * fill[i]:
                break
            h = heights[i, k] * (gap - th)
            b.box((x + w / 2, -.02, z0 + h / 2), (w * .95, D * .75, h))
            x += w
        if fill[i] < .8:  # a leaning book at the end of a partial row
            b.box((x + .06, -.02, z0 + (gap - th) * .35), (.025, D * .7, (gap - th) * .7),
                  rot=rotation(ay=lean[i] + .3))


def printer(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2), (W, D, H), p=8)
    b.rbox((0, .02, H + .01), (W * .96, D * .9, .02), p=8, f=.7)
    b.box((0, D / 2 - .02, H + .08), (W * .6, .01, .2), rot=rotation(ax=-.45))
    b.box((0, -D / 2 - .1, H * .3), (W * .6, .22, .01))
    b.rbox((W * .3, -D / 2 + .06, H + .03), (W * .3, .1, .025), p=4, rot=rotation(ax=.3), f=.6)
    button_grid(b, W * .3, -D / 2 + .02, H + .05, 1, 4, W * .22, .02, .012)


def toaster(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .01), (W, D, H), p=uniform(mr, 2.5, 6), along=.1)
    ns = pick(mr, (1, 2, 2))
    for i in range(ns):
        y = (i + .5 - ns / 2) * D * .4
        b.rbox((0, y, H + .012), (W * .7, .03, .008), p=6, f=.6)
    b.box((W / 2 + .01, 0, H * .7), (.02, .03, .02))
    knob(b, W * .3, -D / 2, H * .3, .012)
    for sx in (-1, 1):
        b.box((sx * W * .35, 0, .005), (.03, D * .8, .01))


def stove(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.box((0, 0, H / 2), (W, D, H))
    b.rbox((0, 0, H + .01), (W + .01, D + .01, .02), p=10)
    nb = pick(mr, (2, 4, 4, 5))
    pts = [(-1, -1), (1, -1), (-1, 1), (1, 1), (0, 0)][:nb] if nb != 2 else [(-1, 0), (1, 0)]
    for px, py in pts:
        c = (px * W * .25, py * D * .22, H + .02)
        r = .07 if (px + py) % 2 else .095
        b.cyl(c, (c[0], c[1], c[2] + .015), r, f=.5)
        b.torus((c[0], c[1], c[2] + .03), r * 1.1, .006, f=.5)
    y0 = -D / 2
    for i in range(nb):
        knob(b, -W * .4 + W * .8 * i / max(nb - 1, 1), y0, H - .05, .018, .025)
    b.box((0, y0 - .01, H * .45), (W - .04, .02, H * .6))
    b.box((0, y0 - .022, H * .47), (W * .6, .005, H * .3))
    _bar_handle(b, 0, y0 - .02, H * .72, W * .7, vertical=False)
    if chance(mr, .6):
        b.box((0, D / 2 - .02, H + .18), (W, .04, .34))


def coffee(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, .02), (W, D, .04), p=6)
    b.rbox((0, D / 2 - D * .2, H / 2), (W, D * .4, H), p=uniform(mr, 4, 10))
    b.rbox((0, -.0, H - .05), (W, D, .1), p=6)
    yc = -D * .15
    outer = spline([(.045, 0), (.06, .05), (.055, .11), (.04, .14)], b.n(.3, 4))
    b.revolve(shell_profile(outer, .003), c=(0, yc, .04), along=None, f=.8)
    b.torus((.07, yc, .11), .035, .006, rot=XZ_PLANE, arc=(-1.7, 1.7), f=.5)
    b.rbox((W / 2 + .04, D * .2, H * .45), (.08, D * .35, H * .7), p=8, f=.6)
    button_grid(b, 0, -D / 2, H - .05, 1, 3, W * .5, .04, .015)


def radiator(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    nf = randint(mr, 6, 16)
    fw = W / nf
    for i in range(nf):
        b.rbox((-W / 2 + fw * (i + .5), 0, .1 + H / 2), (fw * .75, D, H), p=4, f=.6)
    for z in (.14, H + .06):
        b.cyl((-W / 2 - .02, 0, z), (W / 2 + .02, 0, z), .018, f=.5)
    b.cyl((W / 2 + .02, 0, H + .06), (W / 2 + .06, 0, H + .06), .02, f=.5)
    knob(b, W / 2 + .08, .02, H + .1, .02, .03)
    for s in (-1, 1):
        b.box((s * W * .4, 0, .05), (.04, D * 1.8, .1))


def speaker(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = 0.0
    if chance(mr, .3):  # on a stand
        z0 = .6
        b.cyl((0, 0, .02), (0, 0, z0), .03)
        b.rbox((0, 0, .01), (W * 1.2, D * 1.2, .02), p=6)
    b.rbox((0, 0, z0 + H / 2), (W, D, H), p=12)
    y0 = -D / 2
    nw = pick(mr, (1, 1, 2))
    rw = W * .35
    for i in range(nw):
        z = z0 + H * .3 + i * H * .32
        b.torus((0, y0 - .01, z), rw, .012, axis="y", f=.7)
        outer = [(rw * .25, 0), (rw * .95, .04)]
        b.revolve(outer, c=(0, y0 + .03, z), rot=FACE_FRONT, cap1=False, f=.7)
    b.sphere((0, y0, z0 + H * .86), (.025, .012, .025), f=.5)
    b.torus((W * .25, y0 - .005, z0 + H * .1), .02, .006, axis="y", f=.4)


def tank(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = 0.0
    if chance(mr, .5):
        z0 = .7
        b.box((0, 0, .35), (W + .04, D + .04, .7))
        knob(b, 0, -D / 2 - .02, .5, .015)
    t = .008
    b.box((0, 0, z0 + t / 2), (W, D, t))
    for s in (-1, 1):
        b.box((0, s * (D / 2 - t / 2), z0 + H / 2), (W, t, H))
        b.box((s * (W / 2 - t / 2), 0, z0 + H / 2), (t, D - 2 * t, H))
    b.rbox((0, 0, z0 + H + .03), (W + .02, D + .02, .06), p=8)
    b.box((0, 0, z0 + .03), (W - .02, D - .02, .05))
    hp = mr.uniform(.3, .8, size=5)
    xp = mr.uniform(-.4, .4, size=5)
    for k in range(5):
        b.cyl((xp[k] * W, D * .2, z0 + .05), (xp[k] * W + .02, D * .2, z0 + H * hp[k]), .012, .002, f=.3)
    b.sphere((W * .2, 0, z0 + .08), (.08, .05, .05), f=.5)


def suitcase(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = .05
    b.rbox((0, 0, z0 + H / 2), (W, D, H), p=uniform(mr, 4, 10), along=.08)
    for x in (-W * .25, W * .25):
        b.rbox((x, -D / 2, z0 + H / 2), (.04, .01, H * .95), p=4, f=.4)
    b.torus((0, 0, z0 + H), .06, .008, rot=XZ_PLANE, arc=(0, PI), f=.5)
    for s in (-1, 1):
        for y in ((D / 2 - .04,) if chance(mr, .5) else (-D / 2 + .04, D / 2 - .04)):
            b.cyl((s * (W / 2 - .05) - .012, y, .035), (s * (W / 2 - .05) + .012, y, .035), .035, f=.4)
    if chance(mr, .5):
        ext = uniform(mr, .1, .45)
        for s in (-1, 1):
            b.cyl((s * W * .3, D / 2 + .01, z0 + H * .6), (s * W * .3, D / 2 + .01, z0 + H + ext), .008, f=.3)
        b.rbox((0, D / 2 + .01, z0 + H + ext), (W * .65, .03, .03), p=3, f=.4)


def projector(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, H / 2 + .01), (W, D, H), p=uniform(mr, 3, 8))
    side = pick(mr, (-1, 1))
    x = side * W * uniform(mr, .1, .3)
    y0 = -D / 2
    b.cyl((x, y0 + .01, H / 2 + .01), (x, y0 - .025, H / 2 + .01), H * .32, f=.6)
    b.torus((x, y0 - .025, H / 2 + .01), H * .28, .004, axis="y", f=.5)
    button_grid(b, -x, -D * .1, H + .012, 2, 3, W * .25, D * .2, .012)
    for k in range(4):
        b.box((-side * W / 2, D * (k - 1.5) * .15, H / 2), (.004, .02, H * .5))
    for sx in (-1, 1):
        b.cyl((sx * W * .35, -D * .35, 0), (sx * W * .35, -D * .35, .012), .012, f=.3)
    b.cyl((0, D * .35, 0), (0, D * .35, .012), .012, f=.3)


def sewing(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    b.rbox((0, 0, .03), (W, D, .06), p=6)
    b.rbox((W * .3, 0, H / 2), (W * .22, D * .8, H), p=5)
    b.rbox((-W * .05, 0, H - .04), (W * .8, D * .6, .08), p=4)
    b.rbox((-W * .4, 0, H - .07), (W * .14, D * .7, .14), p=5)
    b.cyl((-W * .42, -D * .1, H - .14), (-W * .42, -D * .1, .09), .004, f=.3)
    b.box((-W * .42, -D * .1, .085), (.02, .03, .01))
    b.cyl((W * .41, 0, H * .7), (W * .45, 0, H * .7), .055, f=.6)
    b.cyl((W * .1, 0, H), (W * .1, 0, H + .06), .004, f=.3)
    b.cyl((W * .1, 0, H + .005), (W * .1, 0, H + .04), .012, f=.4)


def piano(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    kz = .72
    if chance(mr, .65):  # upright
        b.box((0, .1, H / 2), (W, D * .55, H))
        b.box((0, -D * .25, kz - .04), (W, D * .4, .08))
        b.box((0, -D * .25, kz + .015), (W * .9, D * .32, .02))
        kmax = min(36, b.n(.8, 5))
        for i in range(kmax):
            b.box((-W * .44 + W * .88 * (i + .5) / kmax, -D * .2, kz + .035), (W * .88 / kmax * .5, D * .2, .02))
        for s in (-1, 1):
            b.cyl((s * (W / 2 - .05), -D * .38, 0), (s * (W / 2 - .05), -D * .38, kz - .08), .03, f=.4)
        b.box((0, D * .1 - D * .25, kz + .2), (W * .5, .02, .2), rot=rotation(ax=-.2))
        for k in range(3):
            b.box(((k - 1) * .06, -D * .1, .05), (.03, .1, .015))
    else:  # grand: curved case, raised lid, three legs
        L = W * 1.2
        t = np.linspace(0, 1, b.n(.6, 5))
        curve = np.stack([W / 2 - (W * .6) * t**1.5, -L / 2 + .3 + (L - .3) * np.sin(t * PI / 2)], 1)
        poly = np.vstack([[-W / 2, -L / 2], [W / 2, -L / 2], curve, [-W / 2, L / 2]])
        b.extrude(poly, .3, c=(0, 0, kz + .1), f=1.2)
        b.extrude(poly, .02, c=(-W / 2, 0, kz + .26), rot=rotation(ay=-.6), f=1.2)
        b.cyl((W * .3, 0, kz + .25), (W * .25, 0, kz + .9), .01, f=.3)
        b.box((0, -L / 2 - .12, kz), (W * .95, .25, .06))
        for x, y in ((-W / 2 + .1, -L / 2 + .1), (W / 2 - .1, -L / 2 + .1), (-W * .1, L * .3)):
            b.cyl((x, y, 0), (x, y, kz - .05), .04, .05, f=.4)
        b.box((0, -L * .2, .25), (.12, .04, .5))
    if chance(mr, .4):  # bench
        b.rbox((0, -D - .35, .48), (W * .5, .35, .05), p=6)
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.box((sx * W * .22, -D - .35 + sy * .14, .23), (.04, .04, .46))


def payphone(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    z0 = 0.0
    if chance(mr, .5):
        z0 = .9
        b.rbox((0, 0, z0 / 2), (.12, .12, z0), p=4, f=.5)
    b.rbox((0, 0, z0 + H / 2), (W, D, H), p=8)
    b.rbox((0, -.05, z0 + H + .03), (W + .08, D + .12, .04), p=6)
    y0 = -D / 2
    button_grid(b, W * .1, y0, z0 + H * .45, 4, 3, W * .35, H * .25, .02)
    b.box((W * .1, y0 - .005, z0 + H * .75), (W * .4, .01, H * .1))
    b.box((W * .35, y0 - .005, z0 + H * .75), (.02, .01, .05))
    hx = -W / 2 - .03
    b.rbox((hx, -D * .1, z0 + H * .5), (.04, .045, H * .55), p=4, f=.5)
    for e in (-1, 1):
        b.rbox((hx - .01, -D * .1, z0 + H * .5 + e * H * .27), (.05, .06, .07), p=3, f=.5)
    path = spline([(hx, -D * .1, z0 + H * .22), (hx - .05, -D * .2, z0 + H * .1), (-W / 2, -D * .3, z0 + H * .15)],
                  b.n(.4, 4))
    b.sweep(path, .006, f=.4, up=(0, 1, 0))


def sink(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    if chance(mr, .65):  # vanity cabinet + counter
        b.box((0, .01, (H - .04) / 2), (W, D - .02, H - .04))
        for s in (-1, 1):
            b.box((s * W / 4, -D / 2, H * .45), (W / 2 - .01, .02, H * .75))
            knob(b, s * .04, -D / 2 - .01, H * .65, .012)
        b.rbox((0, 0, H - .02), (W + .04, D + .02, .04), p=10)
        rb, zb = min(W, D) * .33, H
    else:  # pedestal
        b.revolve([(.1, 0), (.07, .2), (.06, H * .6), (.1, H - .1)], f=.6)
        rb, zb = .22, H - .12
    outer = spline([(rb * .45, 0), (rb * .85, .05), (rb, .14)], b.n(.3, 3))
    b.revolve(shell_profile(outer, .012), c=(0, -.02, zb), sx=1.25, along=None)
    gn = spline([(0, D * .3, zb), (0, D * .3, zb + .3), (0, D * .1, zb + .34), (0, -.02, zb + .24)], b.n(.5, 5))
    b.sweep(gn, .012, up=(1, 0, 0))
    b.cyl((0, D * .3, zb), (0, D * .3, zb + .05), .025, f=.5)
    b.box((.06, D * .3, zb + .1), (.06, .012, .012))


CabinetStyle = Callable[[MeshBuilder, Rng, float, float, float], None]


def sized(style: CabinetStyle, width: float, depth: float, height: float) -> Builder:
    """The builder of a cabinet-family category: ``style`` at about this width, depth and
    height (metres), each jittered per model."""
    def build(b: MeshBuilder, category: str, category_rng: Rng, model_rng: Rng) -> None:
        style(b, model_rng, jitter(model_rng, width), jitter(model_rng, depth), jitter(model_rng, height))
    return build
