"""The seat family: legs + seat + back (chairs, sofas, benches, toilets)."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    Arr,
    Rng,
    chance,
    ellipse,
    pick,
    randint,
    rotation,
    shell_profile,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder


def _chair_back(b: MeshBuilder, mr: Rng, W: float, D: float, H: float) -> None:
    bh, tb, tilt = uniform(mr, .32, .6), uniform(mr, .025, .06), uniform(mr, .04, .22)
    R = rotation(ax=-tilt)  # lean back toward +y
    base = np.array([0.0, D / 2 - tb / 2, H])
    bw = W * uniform(mr, .8, 1.0)
    style = pick(mr, ("solid", "slats", "frame", "oval"))

    def at(x: float, z: float) -> Arr:
        return base + R @ np.array([x, 0.0, z])

    if style == "solid":
        b.rbox(at(0, bh / 2), (bw, tb, bh), p=uniform(mr, 3, 8), rot=R, f=.8)
        return
    if style == "oval":
        b.extrude(ellipse(bw / 2, bh * .4, b.n(1.0, 6)), tb, c=at(0, bh * .58), rot=R, axis="y")
        for s in (-1, 1):
            b.box(at(s * bw * .3, bh * .1), (.03, tb * .8, bh * .22), rot=R)
        return
    for s in (-1, 1):  # two posts
        b.box(at(s * (bw / 2 - .02), bh / 2), (.04, tb, bh), rot=R)
    b.rbox(at(0, bh - .04), (bw, tb * 1.1, .08), p=4, rot=R, f=.6)
    if style == "slats":
        k = randint(mr, 3, 6)
        for i in range(k):
            x = -bw / 2 + .04 + (bw - .08) * (i + .5) / k
            b.box(at(x, (bh - .08) / 2), (.6 * (bw - .08) / k, tb * .6, bh - .08), rot=R)
    else:
        b.box(at(0, bh * .45), (bw - .06, tb * .7, .06), rot=R)
        b.rbox(at(0, bh * .68), (bw * .35, tb * .7, bh * .35), p=3, rot=R, f=.5)


def _chair_legs(b: MeshBuilder, mr: Rng, style: str, W: float, D: float, h: float, splay: float) -> None:
    lw = uniform(mr, .025, .05)
    xs, ys = W / 2 - lw, D / 2 - lw
    if style == "pedestal":
        b.cyl((0, 0, .1), (0, 0, h), .025)
        b.cyl((0, 0, .1), (0, 0, h * .55), .04)
        for k in range(5):
            a = TAU * k / 5 + PI / 2
            e = np.array([math.cos(a), math.sin(a), 0.0])
            b.cyl((0, 0, .1), e * .3 + (0, 0, .07), .02, f=.4, p=4)
            b.sphere(e * .3 + (0, 0, .03), .028, f=.4)
        return
    if style == "sled":
        for s in (-1, 1):
            ctrl = [[s * xs, -ys, h], [s * xs, -ys - .03, .12], [s * xs, -ys + .05, .012],
                    [s * xs, ys - .05, .012], [s * xs, ys + .03, .12], [s * xs, ys, h]]
            b.sweep(spline(ctrl, b.n(.8, 6)), lw / 2, up=(1, 0, 0))
        return
    for sx in (-1, 1):
        for sy in (-1, 1):
            top = (sx * xs, sy * ys, h)
            bot = (sx * xs * (1 + splay), sy * ys * (1 + splay), 0)
            if style == "square":
                b.cyl(bot, top, lw / 2, p=8, f=.5)
            else:
                b.cyl(bot, top, lw * .35, lw / 2, f=.5)
    if chance(mr, .5):
        z = h * .3
        for s in (-1, 1):
            b.box((0, s * ys, z), (2 * xs, lw * .6, lw * .6))
            b.box((s * xs, 0, z), (lw * .6, 2 * ys, lw * .6))


def chair(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    high = cat == "highchair"
    W, D = uniform(mr, .40, .56), uniform(mr, .38, .52)
    H = uniform(mr, .72, .85) if high else uniform(mr, .40, .50)
    t = uniform(mr, .03, .08)
    b.rbox((0, 0, H - t / 2), (W, D, t), p=uniform(mr, 3, 10))
    _chair_back(b, mr, W, D, H)
    legs = pick(mr, ("square", "round") if high else ("square", "round", "pedestal", "sled"))
    _chair_legs(b, mr, legs, W, D, H - t, .08 if high else uniform(mr, 0, .05))
    if high:  # tray in front and a footrest
        b.rbox((0, -D / 2 - .12, H + .18), (W * 1.2, .3, .03), p=3)
        for s in (-1, 1):
            b.cyl((s * W * .45, -D / 2 + .05, H), (s * W * .5, -D / 2 - .05, H + .17), .012)
        b.box((0, -D / 2 - .02, H * .35), (W * 1.05, .12, .02))
    if high or chance(mr, .35):
        ah = uniform(mr, .18, .26)
        for s in (-1, 1):
            x = s * (W / 2 - .02)
            b.cyl((x, -D / 2 + .06, H), (x, -D / 2 + .06, H + ah), .014, f=.4)
            b.rbox((x, 0, H + ah), (.05, D * .95, .03), p=4, f=.6)


def sofa(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, Hs = uniform(mr, 1.5, 2.4), uniform(mr, .8, 1.0), uniform(mr, .38, .48)
    Ha, Hb = uniform(mr, .55, .7), uniform(mr, .75, 1.0)
    aw, bt, p = uniform(mr, .1, .25), uniform(mr, .15, .25), uniform(mr, 2.5, 8)
    fz = .08
    b.rbox((0, 0, (fz + Hs - .1) / 2), (W, D, Hs - .1 - fz), p=p)
    nc = randint(mr, 1, 3)
    cw = (W - 2 * aw) / nc
    for i in range(nc):
        b.rbox((-W / 2 + aw + cw * (i + .5), -bt / 2, Hs - .05), (cw * .98, D - bt, .12), p=p, f=.7)
    b.rbox((0, D / 2 - bt / 2, (Hs - .1 + Hb) / 2), (W, bt, Hb - Hs + .1), p=p, rot=rotation(ax=-.08))
    for s in (-1, 1):
        b.rbox((s * (W / 2 - aw / 2), 0, (fz + Ha) / 2), (aw, D, Ha - fz), p=p)
    if chance(mr, .5):  # loose back cushions
        for i in range(nc):
            b.rbox((-W / 2 + aw + cw * (i + .5), D / 2 - bt - .08, Hs + .22), (cw * .95, .16, .4),
                   p=2.5, rot=rotation(ax=-.2), f=.7)
    if chance(mr, .35):  # chaise extension on one side makes an L
        side = pick(mr, (-1, 1))
        b.rbox((side * (W / 2 - .38), -D / 2 - .3, (fz + Hs) / 2), (.72, .62, Hs - fz), p=p)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * (W / 2 - .06), sy * (D / 2 - .06), 0), (sx * (W / 2 - .06), sy * (D / 2 - .06), fz),
                  .025, f=.4)


def bench(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = uniform(mr, 1.1, 2.0), uniform(mr, .32, .5), uniform(mr, .42, .48)
    if chance(mr, .5):
        for i in range(4):
            b.box((0, -D / 2 + D * (i + .5) / 4, H - .015), (W, D / 4 * .8, .03))
    else:
        b.rbox((0, 0, H - .025), (W, D, .05), p=8)
    legs = pick(mr, ("panel", "four", "cast"))
    for s in (-1, 1):
        x = s * (W / 2 - .12)
        if legs == "panel":
            b.box((x, 0, (H - .05) / 2), (.05, D * .9, H - .05))
        elif legs == "four":
            for sy in (-1, 1):
                b.cyl((x, sy * (D / 2 - .05), 0), (x, sy * (D / 2 - .05), H - .04), .025, f=.4, p=6)
        else:
            poly = [(-D / 2, 0), (-D / 2 + .06, 0), (0, H * .5), (D / 2 - .06, 0), (D / 2, 0),
                    (D / 2 - .03, H - .04), (-D / 2 + .03, H - .04)]
            b.extrude(np.array(poly), .04, c=(x, 0, 0), axis="x")
    if chance(mr, .5):  # backrest
        R = rotation(ax=-.2)
        for s in (-1, 1):
            b.box(np.array([s * (W / 2 - .12), D / 2 - .02, H]) + R @ (0, 0, .22), (.04, .04, .44), rot=R)
        for z in (.18, .34):
            b.box(np.array([0, D / 2 - .02, H]) + R @ (0, -.03, z), (W, .02, .1), rot=R)


def toilet(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    h, r1, sy = uniform(mr, .36, .42), uniform(mr, .17, .21), uniform(mr, 1.15, 1.35)
    outer = spline([(.12, 0), (.115, .08), (r1 * .75, h * .6), (r1, h)], b.n(.35, 4))
    yb = -.08
    b.revolve(shell_profile(outer, .02), c=(0, yb, 0), sy=sy, along=None)
    b.torus((0, yb, h + .015), r1 * .92, .018, Ry=r1 * .92 * sy, f=.8)
    if chance(mr, .5):
        b.extrude(ellipse(r1, r1 * sy, b.n(.8, 8)), .02, c=(0, yb, h + .045))
    else:
        b.extrude(ellipse(r1, r1 * sy, b.n(.8, 8)), .02, c=(0, yb + r1 * sy + .02, h + r1 * sy + .03),
                  rot=rotation(ax=PI / 2 - .12))
    tw, td, th = uniform(mr, .36, .46), uniform(mr, .15, .2), uniform(mr, .3, .42)
    ty = yb + r1 * sy + td / 2 - .02
    b.rbox((0, ty, h + th / 2 - .02), (tw, td, th), p=6)
    b.rbox((0, ty, h + th - .01), (tw + .02, td + .02, .03), p=6, f=.6)
    b.box((-tw / 2 + .05, ty - td / 2 - .01, h + th - .06), (.06, .02, .015))  # flush lever
    b.rbox((0, ty - .02, h * .35), (.16, .18, h * .7), p=3, f=.6)
