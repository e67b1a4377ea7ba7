"""The wheeled family: bikes, carts and other things built around exposed wheels."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    Rng,
    chance,
    pick,
    randint,
    resample,
    rotation,
    shell_profile,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import road_wheel


def _spoked(b: MeshBuilder, c: Sequence[float], r: float, tyre: float = .018, axis: str = "x", spokes: int = 16,
            hub: float = .02) -> None:
    """Bicycle-style wheel: tyre torus, rim, hub and thin spokes (count drops at low res)."""
    c = np.asarray(c, float)
    b.torus(c, r, tyre, axis=axis, f=1.0)
    b.torus(c, r - tyre * 1.2, tyre * .4, axis=axis, f=.8)
    e = {"x": np.array([1.0, 0, 0]), "y": np.array([0, 1.0, 0])}[axis]
    b.cyl(c - e * hub * 2, c + e * hub * 2, hub, f=.4)
    u = np.array([0, 1.0, 0]) if axis == "x" else np.array([1.0, 0, 0])
    v = np.cross(e, u)
    k = min(spokes, b.n(.3, 0))
    for i in range(k):
        a = TAU * i / k
        d = u * math.cos(a) + v * math.sin(a)
        side = e * hub * (1.5 if i % 2 else -1.5)
        b.cyl(c + side + d * hub, c + d * (r - tyre * 1.3), .0025 * r / .34, f=.15, n=3)


def bicycle(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    tandem = cat == "bicycle_built_for_two"
    style = pick(mr, ("road", "city", "mtb"))
    r = {"road": .34, "city": .33, "mtb": .3}[style] * uniform(mr, .95, 1.05)
    tyre = {"road": .014, "city": .02, "mtb": .03}[style]
    wb = uniform(mr, .95, 1.1) + (.7 if tandem else 0)
    yf, yr = -wb / 2, wb / 2
    for y in (yf, yr):
        _spoked(b, (0, y, r), r, tyre=tyre)
    if style == "city":  # mudguards
        for y in (yf, yr):
            b.torus((0, y, r), r + tyre * 2, .004, r2=tyre * 1.6, axis="x", arc=(.3 if y < 0 else .9,
                                                                                 2.2 if y < 0 else 2.9),
                    f=.6)
    bb = np.array([0, yr - .42, .28])
    head_t = np.array([0, yf + .22, r + .42])
    head_b = np.array([0, yf + .18, r + .28])
    seats = [np.array([0, bb[1] + .12, r + .5])]
    if tandem:
        bb2 = np.array([0, bb[1] - .7, .28])
        seats.append(np.array([0, bb2[1] + .12, r + .5]))
        b.cyl(bb, bb2, .017, f=.3)
        b.cyl(seats[0], seats[1] + (0, 0, -.05), .015, f=.3)
        b.cyl(bb2, seats[1], .017, f=.3)
        b.cyl(seats[1] + (0, 0, -.05), head_t, .016, f=.3)
        b.cyl(bb2, head_b, .019, f=.3)
        b.cyl(bb2 - (.07, 0, 0), bb2 + (.07, 0, 0), .012, f=.3)
    elif style == "city" and not tandem:  # step-through frame: low curved tube instead of a top tube
        low = spline([head_t - (0, 0, .04), head_b + (0, .12, -.12), bb + (0, -.12, .1), bb + (0, 0, .02)], b.n(.5, 5))
        b.sweep(low, .017, up=(1, 0, 0))
        b.cyl(bb, head_b, .019, f=.3)
    else:
        drop_tt = .1 if style == "mtb" else .0  # sloping top tube
        b.cyl(seats[0] - (0, 0, .04 + drop_tt), head_t, .016, f=.3)
        b.cyl(bb, head_b, .019, f=.3)
    axle_r = np.array([0, yr, r])
    b.cyl(bb, seats[0], .017, f=.3)
    for s in (-1, 1):
        b.cyl(bb + (s * .02, 0, 0), axle_r + (s * .05, 0, 0), .009, f=.25)
        b.cyl(seats[0] + (s * .01, 0, -.05), axle_r + (s * .05, 0, 0), .008, f=.25)
        b.cyl(head_b + (s * .02, 0, 0), np.array([s * .05, yf, r]), .01, f=.25)
    b.cyl(head_b, head_t + (0, .02, .12), .017, f=.3)
    bars = [head_t + (0, .02, .12)]
    if tandem:
        bars.append(seats[0] + (0, -.12, .08))
        b.cyl(seats[0] + (0, 0, .02), bars[1], .01, f=.25)
    drop = style == "road"
    for hb in bars:
        if drop:
            for s in (-1, 1):
                b.sweep(spline([hb + (s * .2, 0, 0), hb + (s * .2, -.08, -.02), hb + (s * .2, -.02, -.12)], b.n(.3, 4)),
                        .011, up=(1, 0, 0))
            b.cyl(hb - (.2, 0, 0), hb + (.2, 0, 0), .012, f=.3)
        else:
            b.cyl(hb - (.28, -.04, 0), hb + (.28, .04, 0), .011, f=.3)
    for sp in seats:
        b.loft([(0, 0, 0, .08, .03), (.25, 0, 0, .03, .02)], p=2.5, axis="y", c=sp + (0, -.16, .03), f=.5)
    for bbp in ([bb, bb2] if tandem else [bb]):
        b.torus(bbp + (.06, 0, 0), .09, .005, axis="x", f=.6)
        for s in (-1, 1):
            crank = bbp + (s * .08, s * .12, -s * .08)
            b.cyl(bbp + (s * .07, 0, 0), crank, .008, f=.2)
            b.box(crank + (s * .04, 0, 0), (.09, .06, .015))
    if style == "city" and chance(mr, .6):  # rear rack or front basket
        if chance(mr, .5):
            b.box((0, yr + .05, r + .42), (.14, .35, .01))
        else:
            b.rbox(bars[0] + (0, -.15, -.12), (.3, .22, .2), p=4, f=.6)


def tricycle(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    rf, rr = uniform(mr, .2, .3), uniform(mr, .12, .18)
    L = uniform(mr, .6, .8)
    _spoked(b, (0, -L / 2, rf), rf, tyre=.02, spokes=10)
    for s in (-1, 1):
        _spoked(b, (s * .25, L / 2, rr), rr, tyre=.016, spokes=8)
    b.cyl((-.27, L / 2, rr), (.27, L / 2, rr), .012, f=.3)
    b.cyl((0, -L / 2 + .08, rf + .3), (0, L / 2, rr + .02), .022, f=.4)
    b.cyl((0, -L / 2 + .08, rf + .3), (0, -L / 2, rf), .018, f=.3)
    b.cyl((0, -L / 2 + .08, rf + .3), (0, -L / 2 + .06, rf + .45), .016, f=.3)
    b.cyl((-.2, -L / 2 + .06, rf + .45), (.2, -L / 2 + .06, rf + .45), .012, f=.3)
    b.rbox((0, L * .1, rf + .2), (.2, .2, .03), p=3)
    b.rbox((0, L * .2, rf + .32), (.2, .03, .2), p=3)
    for s in (-1, 1):
        b.cyl((0, -L / 2, rf), (s * .08, -L / 2, rf), .008, f=.2)
        b.box((s * .1, -L / 2, rf), (.06, .04, .012))


def unicycle(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .25, .33)
    _spoked(b, (0, 0, r), r, tyre=.025)
    H = r + uniform(mr, .35, .5)
    for s in (-1, 1):
        b.cyl((s * .05, 0, r), (s * .04, 0, r + .25), .012, f=.3)
        crank = np.array([s * .08, s * .1, r - s * .05])
        b.cyl((s * .06, 0, r), crank, .008, f=.2)
        b.box(crank + (s * .04, 0, 0), (.08, .05, .015))
    b.box((0, 0, r + .26), (.1, .03, .03))
    b.cyl((0, 0, r + .26), (0, 0, H), .014, f=.3)
    b.loft([(0, 0, 0, .08, .04), (.26, 0, 0, .06, .03)], p=2.5, axis="y", c=(0, -.13, H + .02), f=.5)


def motorbike(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .28, .34)
    wb = uniform(mr, 1.3, 1.5)
    for y in (-wb / 2, wb / 2):
        road_wheel(b, (0, y, r), r, .16, f=.9)
    fork_top = np.array([0, -wb / 2 + .25, r + .55])
    for s in (-1, 1):
        b.cyl((s * .08, -wb / 2, r), fork_top + (s * .08, 0, 0), .02, f=.3)
        b.cyl((s * .06, wb / 2, r), (s * .06, wb * .1, r + .1), .02, f=.3)
    b.rbox((0, -wb * .05, r + .1), (.3, .45, .35), p=4)
    b.sphere((0, -wb * .12, r + .45), (.15, .28, .13), f=.7)
    b.loft([(0, 0, 0, .14, .05), (.55, 0, .03, .12, .05)], p=3, axis="y", c=(0, wb * .05, r + .45), f=.6)
    b.cyl(fork_top + (-.35, .05, .08), fork_top + (.35, .05, .08), .012, f=.3)
    b.sphere(fork_top + (0, -.12, -.05), (.09, .06, .09), f=.5)
    side = pick(mr, (-1, 1))
    b.cyl((side * .18, -wb * .05, r - .05), (side * .2, wb / 2 + .15, r + .1), .04, f=.5)
    for y in (-wb / 2, wb / 2):
        b.torus((0, y, r), r + .05, .02, r2=.08, axis="x", arc=(.2 if y < 0 else .6, 1.6 if y < 0 else 2.4), f=.6)
    if chance(mr, .5):
        b.box((0, -wb / 2 + .1, r + .8), (.35, .02, .25), rot=rotation(ax=-.5))


def segway(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .2, .25)
    for s in (-1, 1):
        road_wheel(b, (s * .3, 0, r), r, .1, f=.9)
        b.torus((s * .3, 0, r), r + .03, .015, r2=.05, axis="x", arc=(.3, PI - .3), f=.5)
    b.rbox((0, 0, r), (.48, .3, .1), p=4)
    H = uniform(mr, 1.0, 1.2)
    b.cyl((0, .05, r), (0, -.1, H), .025, f=.4)
    b.cyl((-.28, -.1, H), (.28, -.1, H), .018, f=.3)
    b.rbox((0, -.09, H - .1), (.12, .06, .15), p=4, f=.5)


def wheelchair(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, r = uniform(mr, .45, .55), uniform(mr, .28, .33)
    H = .5
    b.box((0, 0, H), (W, .45, .03))
    R = rotation(ax=-.15)
    b.box(np.array([0, .24, H]) + R @ (0, 0, .22), (W, .02, .4), rot=R)
    for s in (-1, 1):
        x = s * (W / 2 + .05)
        _spoked(b, (x, .1, r), r, tyre=.014, spokes=12)
        b.torus((x + s * .03, .1, r), r - .03, .006, axis="x", f=.7)
        b.cyl((s * W / 2, .24, H), (s * W / 2, .3, H + .5), .012, f=.3)
        b.cyl((s * W / 2, .3, H + .5), (s * W / 2, .42, H + .5), .015, f=.3)
        b.cyl((s * W / 2, -.2, H), (s * W / 2, -.22, .08), .012, f=.3)
        road_wheel(b, (s * W / 2, -.25, .065), .065, .03, f=.5)
        b.cyl((s * W / 2, -.2, H - .05), (s * W * .3, -.38, .12), .012, f=.3)
        b.box((s * W * .25, -.42, .11), (.12, .1, .015))
        b.box((s * W / 2, 0, H + .2), (.04, .32, .03))
        b.cyl((s * W / 2, -.12, H), (s * W / 2, -.12, H + .2), .01, f=.3)
    b.cyl((-W / 2 - .05, .1, r), (W / 2 + .05, .1, r), .012, f=.3)


def ferris(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R = uniform(mr, 10, 14)
    c = np.array([0, 0, R + 2.0])
    for y in (-.8, .8):
        b.torus(c + (0, y, 0), R, .12, axis="y", f=1.4)
        b.torus(c + (0, y, 0), R * .6, .08, axis="y", f=1.0)
    b.cyl(c - (0, 1.5, 0), c + (0, 1.5, 0), .4, f=.6)
    ng = randint(mr, 12, 20)
    k = min(ng, b.n(.5, 6))
    for i in range(k):
        a = TAU * i / k
        d = np.array([math.cos(a), 0, math.sin(a)])
        for y in (-.8, .8):
            b.cyl(c + (0, y, 0), c + d * R + (0, y, 0), .06, f=.2, n=3)
        g = c + d * R - (0, 0, 1.1)
        b.rbox(g, (1.2, 1.2, 1.3), p=3, f=.4)
        b.cyl(g + (0, 0, .65), c + d * R, .05, f=.2, n=3)
    for s in (-1, 1):
        for y in (-2.5, 2.5):
            b.cyl((s * R * .45, y, 0), c + (0, y * .5, 0), .3, f=.4)
    b.box((0, 0, .4), (R * 1.3, 7, .8))
    b.box((0, -4.5, 1.5), (5, 2, 3))


def millwheel(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R, W = uniform(mr, 1.5, 2.5), uniform(mr, .5, .9)
    c = np.array([0, 0, R + .2])
    for x in (-W / 2, W / 2):
        b.torus(c + (x, 0, 0), R, .06, axis="x", f=1.2)
    b.cyl(c - (W, 0, 0), c + (W * 1.5, 0, 0), .12, f=.5)
    np_ = min(randint(mr, 12, 24), b.n(.5, 6))
    for i in range(np_):
        a = TAU * i / np_
        d = np.array([0, math.cos(a), math.sin(a)])
        b.box(c + d * R * .95, (W, .05, R * .25), rot=rotation(ax=a + PI / 2))
        if i % 3 == 0:
            for x in (-W / 2, W / 2):
                b.cyl(c + (x, 0, 0), c + d * R + (x, 0, 0), .04, f=.2, n=4)
    b.box((W * 1.5 + .8, 0, (R + .2) * .9), (1.4, 2 * R * 1.2, (R + .2) * 1.8))
    b.box((0, -R * .6, 2 * R + .45), (W * 1.2, R * 1.2, .15))
    b.box((0, 0, .1), (W * 3, 2 * R * 1.3, .2))


def barrow(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    if chance(mr, .3):  # two-person hand barrow: flat bed with four handles
        L, W = uniform(mr, 1.6, 2.0), uniform(mr, .5, .7)
        b.box((0, 0, .4), (W, L * .5, .04))
        for s in (-1, 1):
            b.cyl((s * W / 2, -L / 2, .4), (s * W / 2, L / 2, .4), .02, f=.4)
            for y in (-L * .2, L * .2):
                b.cyl((s * W / 2, y, .4), (s * W / 2, y, 0), .02, f=.3)
        return
    r = uniform(mr, .17, .22)
    road_wheel(b, (0, -.55, r), r, .08)
    b.cyl((-.06, -.55, r), (.06, -.55, r), .012, f=.3)
    b.loft([(.3, 0, -.05, .18, .25), (.6, 0, 0, .32, .42)], p=4, c=(0, .0, 0), f=1.0)
    for s in (-1, 1):
        b.cyl((s * .05, -.55, r), (s * .28, .75, .55), .018, f=.4)
        b.cyl((s * .2, .35, .3), (s * .2, .38, 0), .015, f=.3)
        b.cyl((s * .27, .65, .54), (s * .285, .8, .57), .022, f=.3)


def handmower(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = uniform(mr, .45, .55), uniform(mr, .5, .6)
    b.rbox((0, 0, .15), (W, L, .12), p=uniform(mr, 3, 8))
    b.cyl((0, -.03, .2), (0, -.03, .33), .1, .08, f=.8)
    b.cyl((0, -.03, .33), (0, -.03, .36), .05, f=.5)
    for sx in (-1, 1):
        for sy in (-1, 1):
            road_wheel(b, (sx * (W / 2 + .03), sy * (L / 2 - .06), .09), .09, .04, f=.6)
    hh = uniform(mr, .9, 1.05)
    handle = np.array([(-W * .4, L / 2 - .05, .2), (-W * .4, L / 2 + .4, hh), (W * .4, L / 2 + .4, hh),
                       (W * .4, L / 2 - .05, .2)])
    b.sweep(resample(handle, b.n(.5, 4), False), .012, up=(0, -1, 1))
    if chance(mr, .6):
        b.rbox((0, L / 2 + .22, .3), (W * .7, .35, .3), p=3)


def rickshaw(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, W = uniform(mr, .5, .65), uniform(mr, .9, 1.1)
    for s in (-1, 1):
        _spoked(b, (s * W / 2, .2, r), r, tyre=.02, spokes=12)
    b.cyl((-W / 2, .2, r), (W / 2, .2, r), .02, f=.3)
    b.rbox((0, .1, r + .15), (W * .8, .55, .25), p=4)
    b.box((0, .4, r + .5), (W * .8, .06, .6), rot=rotation(ax=-.2))
    quarter = np.linspace(0, PI / 2, 5)
    b.revolve(shell_profile(np.stack([np.cos(quarter) * W * .45, np.sin(quarter) * .6], 1), .02),
              c=(0, .35, r + .3), sy=.8, along=None, rot=rotation(ax=-.5), f=1.0)
    for s in (-1, 1):
        b.cyl((s * W * .35, .1, r), (s * W * .3, -1.8, .75), .025, f=.3)
    b.cyl((-W * .3, -1.75, .75), (W * .3, -1.75, .75), .02, f=.3)
    b.box((0, -.35, r - .1), (W * .6, .3, .03))


def shopping(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = uniform(mr, .8, 1.0), uniform(mr, .5, .6), uniform(mr, .9, 1.05)
    zb = .45
    b.box((0, 0, zb), (W * .85, L * .9, .01))
    for s in (-1, 1):
        b.box((s * W / 2 * .95, 0, (zb + H) / 2), (.01, L, H - zb), rot=rotation(ay=-s * .05))
    b.box((0, -L / 2, (zb + H) / 2), (W * .8, .01, H - zb), rot=rotation(ax=.15))
    b.box((0, L / 2, (zb + H) / 2), (W, .01, H - zb))
    for s in (-1, 1):
        b.cyl((s * W * .35, -L / 2, .1), (s * W * .4, L / 2, .12), .015, f=.3)
        b.cyl((s * W * .4, L / 2, .12), (s * W / 2, L / 2 + .05, H), .015, f=.3)
        for y in (-L / 2 + .05, L / 2 - .05):
            road_wheel(b, (s * W * .38, y, .06), .06, .03, f=.5)
    b.cyl((-W / 2, L / 2 + .1, H + .02), (W / 2, L / 2 + .1, H + .02), .018, f=.4)
    for i in range(min(6, b.n(.2, 2))):
        z = zb + (H - zb) * (i + 1) / 7
        b.cyl((-W * .47, L / 2 + .002, z), (W * .47, L / 2 + .002, z), .003, f=.15, n=3)


def cart(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, r = uniform(mr, 1.5, 2.2), uniform(mr, 1.0, 1.4), uniform(mr, .45, .6)
    b.box((0, 0, r + .1), (W, L, .06))
    for s in (-1, 1):
        b.box((s * W / 2, 0, r + .3), (.04, L, .35))
        _spoked(b, (s * (W / 2 + .1), 0, r), r, tyre=.03, spokes=10)
    b.box((0, L / 2, r + .3), (W, .04, .35))
    b.cyl((-W / 2 - .1, 0, r), (W / 2 + .1, 0, r), .03, f=.3)
    for s in (-1, 1):
        b.cyl((s * W * .3, -L / 2, r + .08), (s * W * .25, -L / 2 - 1.6, .8), .035, f=.3)
    b.cyl((0, -L / 2, r + .05), (0, -L / 2 - .3, .05), .03, f=.3)


def skateboard(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, .7, .85), uniform(mr, .19, .23)
    k = b.n(.5, 5)
    t = np.linspace(0, 1, k)
    ys = -L / 2 + L * t
    zs = .1 + .04 * (np.clip(np.abs(2 * t - 1) - .75, 0, None) / .25) ** 2
    path = np.stack([np.zeros(k), ys, zs], 1)
    widths = W / 2 * np.minimum(1.0, np.sqrt(np.clip(1 - (np.abs(2 * t - 1) - .8) / .2, 0, 1)) * .7 + .3)
    b.sweep(path, widths, r2=.006, up=(0, 0, 1), f=1.2, p=4)  # section: wide in x, thin in z
    for y in (-L * .33, L * .33):
        b.box((0, y, .075), (W * .7, .05, .025))
        for s in (-1, 1):
            b.cyl((s * W * .35, y, .05), (s * W * .5, y, .05), .027, f=.5)
