"""The table family: top + legs (tables, beds, treadmill)."""

from __future__ import annotations

from synthetic_release.shapes.geometry import Rng, chance, pick, rotation, uniform
from synthetic_release.shapes.mesh_builder import MeshBuilder


def dining(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, 1.1, 2.2)
    Wd, H, t = L * uniform(mr, .45, .75), uniform(mr, .70, .78), uniform(mr, .025, .06)
    if chance(mr, .7):
        b.rbox((0, 0, H - t / 2), (L, Wd, t), p=uniform(mr, 6, 14), f=1.2)
    else:
        b.loft([(H - t, 0, 0, L / 2, Wd / 2), (H, 0, 0, L / 2, Wd / 2)], f=1.2)
    legs, lw = pick(mr, ("corner", "corner", "pedestal", "trestle")), uniform(mr, .04, .08)
    if legs == "corner":
        xs, ys = L / 2 - lw - .06, Wd / 2 - lw - .06
        round_legs = chance(mr, .5)
        for sx in (-1, 1):
            for sy in (-1, 1):
                if round_legs:
                    b.cyl((sx * xs, sy * ys, 0), (sx * xs, sy * ys, H - t), lw * .3, lw / 2, f=.5)
                else:
                    b.box((sx * xs, sy * ys, (H - t) / 2), (lw, lw, H - t))
        for s in (-1, 1):
            b.box((0, s * ys, H - t - .05), (2 * xs, .02, .1))
            b.box((s * xs, 0, H - t - .05), (.02, 2 * ys, .1))
    elif legs == "pedestal":
        for x in ((-L / 4, L / 4) if L > 1.5 else (0.0,)):
            b.cyl((x, 0, .05), (x, 0, H - t), .05, .07, along=.2)
            b.rbox((x, 0, .025), (.5, .5, .05), p=pick(mr, (2.0, 8.0)), f=.8)
    else:
        for s in (-1, 1):
            x = s * (L / 2 - .2)
            b.box((x, 0, (H - t) / 2), (.07, .1, H - t))
            b.rbox((x, 0, .04), (.1, Wd * .85, .08), p=4, f=.5)
            b.box((x, 0, H - t - .04), (.08, Wd * .8, .06))
        b.box((0, 0, H * .35), (L - .4, .06, .08))


def billiard(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, 2.2, 2.8)
    Wd, H = L / 2 + .25, .8
    b.rbox((0, 0, H - .16), (L, Wd, .22), p=12, f=1.1)
    b.box((0, 0, H - .04), (L - .2, Wd - .2, .02))
    for s in (-1, 1):
        b.box((0, s * (Wd / 2 - .07), H), (L, .14, .07))
        b.box((s * (L / 2 - .07), 0, H), (.14, Wd - .28, .07))
    for x in (-L / 2 + .05, 0, L / 2 - .05):
        for s in (-1, 1):
            b.cyl((x, s * (Wd / 2 - .05), H - .12), (x, s * (Wd / 2 - .05), H + .04), .065, f=.5)
    nl = 6 if L > 2.5 else 4
    for i in range(nl // 2):
        x = -L / 2 + .2 + (L - .4) * i / (nl // 2 - 1)
        for s in (-1, 1):
            b.revolve([(.07, 0), (.11, .15), (.08, .4), (.1, .6)], c=(x, s * (Wd / 2 - .2), 0), f=.6)
    if chance(mr, .6):  # cue stick lying across + a few balls
        b.cyl((-L * .3, -Wd * .3, H + .03), (L * .35, Wd * .15, H + .03), .012, .006, f=.4)
        pos = mr.uniform(-1, 1, size=(8, 2))
        for k in range(min(8, b.n(.15, 2))):
            b.sphere((pos[k, 0] * L * .35, pos[k, 1] * Wd * .3, H - .001), .028, f=.35)


def pingpong(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, Wd, H, t = 2.74 * uniform(mr, .95, 1.05), 1.525, .76, .03
    folded = chance(mr, .3)
    b.box((-L / 4, 0, H - t / 2), (L / 2 - .01, Wd, t), f=1.2)
    if folded:
        b.box((.04, 0, H + L / 4 - .1), (t, Wd, L / 2 - .01), f=1.2)
    else:
        b.box((L / 4, 0, H - t / 2), (L / 2 - .01, Wd, t), f=1.2)
        b.box((0, 0, H + .076), (.006, Wd + .3, .152))
        for s in (-1, 1):
            b.cyl((0, s * (Wd / 2 + .15), H - .03), (0, s * (Wd / 2 + .15), H + .16), .012, f=.4)
    for x in (-L / 2 + .25, -.3) + (() if folded else (.3, L / 2 - .25)):
        for s in (-1, 1):
            b.cyl((x, s * (Wd / 2 - .15), .05), (x, s * (Wd / 2 - .15), H - t), .025, f=.4, p=6)
            b.cyl((x - .03, s * (Wd / 2 - .15), .04), (x + .03, s * (Wd / 2 - .15), .04), .04, f=.4)
    b.box((-L / 4 if folded else 0, 0, .25), (.05, Wd - .3, .05))


def bed(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, Wd = uniform(mr, 1.95, 2.2), pick(mr, (.95, 1.4, 1.6, 1.85)) * uniform(mr, .97, 1.03)
    fh = uniform(mr, .2, .35)
    b.box((0, 0, (fh + .08) / 2), (Wd + .04, L + .04, fh - .08))
    b.rbox((0, 0, fh + .11), (Wd, L, .22), p=5, f=1.2)
    hh = uniform(mr, .85, 1.3)
    b.rbox((0, L / 2 + .04, hh / 2), (Wd + .1, .07, hh), p=uniform(mr, 4, 20))
    if chance(mr, .5):
        b.rbox((0, -L / 2 - .04, (fh + .25) / 2), (Wd + .1, .06, fh + .25), p=8)
    for x in ((0.0,) if Wd < 1.2 else (-Wd / 4, Wd / 4)):
        b.sphere((x, L / 2 - .25, fh + .27), (min(.32, Wd * .4), .18, .07))
    if chance(mr, .6):
        b.rbox((0, -L * .12, fh + .23), (Wd + .06, L * .72, .03), p=8)
    for sx in (-1, 1):
        for sy in (-1, 1):
            b.cyl((sx * Wd / 2, sy * L / 2, 0), (sx * Wd / 2, sy * L / 2, .1), .03, f=.4)


def treadmill(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Ld, Wd = uniform(mr, 1.6, 2.0), uniform(mr, .7, .85)
    b.rbox((0, .1, .1), (Wd, Ld, .14), p=6)
    b.box((0, .15, .175), (Wd * .75, Ld * .85, .01))
    b.rbox((0, -Ld / 2 + .15, .17), (Wd, .35, .2), p=4)
    top = uniform(mr, 1.15, 1.35)
    for s in (-1, 1):
        b.cyl((s * Wd * .42, -Ld / 2 + .2, .2), (s * Wd * .4, -Ld / 2 + .08, top), .03)
        b.cyl((s * Wd * .42, -Ld / 2 + .1, top - .22), (s * Wd * .45, -Ld / 2 + .6, top - .25), .02)
    b.rbox((0, -Ld / 2 + .12, top + .04), (Wd * .95, .28, .12), p=5, rot=rotation(ax=.5))
    b.box((0, -Ld / 2 + .06, top + .09), (Wd * .4, .01, .08), rot=rotation(ax=.5))
    for s in (-1, 1):
        b.cyl((s * Wd * .45, Ld / 2 + .05, .05), (s * Wd * .45, Ld / 2 + .05, .0), .03, f=.4)
