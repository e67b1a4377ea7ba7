"""The long tool family: handle along +x from the origin, working head at the far end."""

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
    ellipse,
    pick,
    randint,
    resample,
    rotation,
    shell_profile,
    spline,
    superellipse,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import turned_solid


def _handle(b: MeshBuilder, length: float, r: float, p: float = 2.0, r_end: float | None = None, x0: float = 0.0,
            flat: float = 1.0) -> None:
    """Handle along x; `flat` squashes the section in y."""
    re = r if r_end is None else r_end
    b.loft([(x0, 0, 0, r * flat, r), (x0 + length, 0, 0, re * flat, re)], p=p, axis="x", f=.6, along=.1)


def hammer(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .28, .38)
    kind = pick(mr, ("claw", "ball", "sledge", "mallet"))
    _handle(b, Lh, .015, r_end=.012, flat=.7)
    if kind == "mallet":
        b.cyl((Lh, 0, -.06), (Lh, 0, .06), .035, f=.8)
        return
    b.cyl((Lh, 0, -.05), (Lh, 0, .02), .016 if kind != "sledge" else .028, f=.6, p=2 if kind != "sledge" else 8)
    b.cyl((Lh, 0, -.05), (Lh, 0, -.06), .018 if kind != "sledge" else .03, f=.6)
    if kind == "claw":
        tip = spline([(Lh, 0, .02), (Lh + .005, 0, .05), (Lh - .015, 0, .085)], b.n(.3, 4))
        for s in (-1, 1):
            b.sweep(tip + (0, s * .006, 0), np.linspace(.008, .003, len(tip)), r2=np.linspace(.005, .002, len(tip)),
                    up=(0, 1, 0))
    elif kind == "ball":
        b.cyl((Lh, 0, .02), (Lh, 0, .04), .01, f=.5)
        b.sphere((Lh, 0, .05), .016, f=.5)
    else:
        b.cyl((Lh, 0, .02), (Lh, 0, .05), .028, f=.6, p=8)
        b.cyl((Lh, 0, .05), (Lh, 0, .06), .03, f=.6)


def ax(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .5, .9)
    curve = spline([(0, 0, 0), (Lh * .5, 0, -.015), (Lh, 0, 0)], b.n(.5, 4))
    b.sweep(curve, .016, r2=.011, up=(0, 1, 0))
    bl = uniform(mr, .12, .2)
    blade = np.array([(-.03, .03), (.03, .03), (.04, -.02), (.06, -bl), (-.05, -bl), (-.03, -.02)])
    b.extrude(blade, .02, c=(Lh - .02, 0, 0), rot=XZ_PLANE, taper=1.0)
    if chance(mr, .3):
        b.extrude(blade * (1, -1), .02, c=(Lh - .02, 0, 0), rot=XZ_PLANE)
    else:
        b.box((Lh - .02, 0, .045), (.05, .025, .03))


def shovel(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .8, 1.1)
    b.cyl((0, 0, 0), (Lh, 0, 0), .016, f=.5)
    if chance(mr, .5):  # D grip
        b.torus((-.06, 0, 0), .06, .012, rot=XZ_PLANE, arc=(PI / 2 + .2, 3 * PI / 2 - .2), f=.5)
        b.cyl((-.11, 0, -.05), (-.11, 0, .05), .014, f=.4)
    else:  # T grip
        b.cyl((0, 0, -.06), (0, 0, .06), .014, f=.4)
    kind = pick(mr, ("round", "square", "snow"))
    w = {"round": .22, "square": .22, "snow": .42}[kind]
    ln = {"round": .28, "square": .26, "snow": .35}[kind]
    if kind == "round":
        tip = arc_points((ln * .6, 0, 0), ln * .4, -PI / 2, PI / 2, b.n(.5, 5), "xy", r2=w / 2)[:, :2]
        pts = np.vstack([[[0, -w / 2]], tip, [[0, w / 2]]])
    else:
        pts = np.array([[0, -w / 2], [ln, -w / 2], [ln, w / 2], [0, w / 2]])
    b.extrude(pts, .006, c=(Lh - .02, 0, -.01), rot=rotation(ay=.25) @ XZ_PLANE)
    b.cyl((Lh - .06, 0, 0), (Lh + .02, 0, -.01), .02, .024, f=.5)


def key(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .012, .018)
    if chance(mr, .6):
        b.torus((0, 0, 0), r, r * .35, axis="y", f=.8)
    else:
        b.extrude(ellipse(r * 1.2, r * 1.1, b.n(.8, 6), 3.0), .003, axis="y")
    ln = uniform(mr, .035, .055)
    b.box((r + ln / 2, 0, 0), (ln, .002, .008))
    cuts = mr.uniform(.002, .006, size=6)
    nb = randint(mr, 3, 6)
    for i in range(nb):
        b.box((r + ln * .3 + ln * .65 * (i + .5) / nb, 0, -.004 - cuts[i] / 2), (ln * .6 / nb, .002, cuts[i]))
    if chance(mr, .4):
        b.torus((-r * 1.8, 0, 0), r * .9, r * .12, axis="y", f=.6)


def knife(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .1, .13)
    b.rbox((Lh / 2, 0, 0), (Lh, .014, .022), p=3, axis="x", f=.6)
    for x in (.3, .7):  # rivets
        b.cyl((Lh * x, -.008, 0), (Lh * x, .008, 0), .003, f=.3)
    kind = pick(mr, ("chef", "bread", "cleaver", "paring"))
    Lb = {"chef": .2, "bread": .22, "cleaver": .18, "paring": .09}[kind] * uniform(mr, .9, 1.1)
    hb = {"chef": .045, "bread": .028, "cleaver": .08, "paring": .02}[kind]
    if kind == "cleaver":
        poly = np.array([(0, .012), (Lb, .012), (Lb, -hb + .012), (0, -hb + .012)])
    else:  # straight spine, edge curving up to the tip
        t = np.linspace(0, 1, b.n(.4, 4))
        edge = np.stack([Lb * t, -hb * np.sqrt(np.clip(1 - t**2.5, 0, 1)) + .01], 1)
        poly = np.vstack([[0, .011], edge, [Lb * .75, .012]])
    b.extrude(poly, .002, c=(Lh, 0, 0), rot=XZ_PLANE)
    b.box((Lh + .004, 0, -.005), (.008, .016, .03))


def fork(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .11, .14)
    b.loft([(0, 0, 0, .005, .0015), (Lh * .8, 0, 0, .011, .0018), (Lh, 0, 0, .004, .0016)], p=3, axis="x",
           c=(0, 0, .004), along=.1)
    nt = pick(mr, (3, 4, 4))
    w = .022
    b.rbox((Lh + .015, 0, .002), (.03, w, .003), p=3, axis="x", taper=.9, f=.5)
    for i in range(nt):
        y = -w / 2 + w * (i + .5) / nt
        b.cyl((Lh + .028, y, .002), (Lh + .07, y, .006), .0018, .0012, f=.3, p=4)


def spoon(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .11, .14)
    b.loft([(0, 0, 0, .006, .0015), (Lh * .8, 0, 0, .01, .0018), (Lh, 0, 0, .004, .0016)], p=3, axis="x",
           c=(0, 0, .01), along=.1)
    rb = uniform(mr, .018, .024)
    outer = spline([(rb * .3, 0), (rb * .75, .004), (rb, .01)], b.n(.3, 3))
    b.revolve(shell_profile(outer, .0015), c=(Lh + rb * 1.4, 0, 0), sx=1.5, along=None)


def screwdriver(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .09, .12)
    r = uniform(mr, .012, .017)
    b.revolve([(r * .6, 0), (r, Lh * .15), (r, Lh * .85), (r * .7, Lh)], axis="x", f=.9, wobble=(6, .08))
    Ls = uniform(mr, .08, .16)
    b.cyl((Lh, 0, 0), (Lh + Ls, 0, 0), .0035, f=.4)
    if chance(mr, .5):
        b.loft([(0, 0, 0, .0035, .0035), (.01, 0, 0, .0035, .0008)], p=6, axis="x", c=(Lh + Ls, 0, 0))
    else:
        b.cyl((Lh + Ls, 0, 0), (Lh + Ls + .008, 0, 0), .0035, .0008, f=.4, p=6)


def hacksaw(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, .3, .35)
    frame = np.array([(0, 0, 0), (0, 0, .08), (L, 0, .08), (L, 0, -.005)])
    b.sweep(resample(frame, b.n(.5, 4), False), .006, r2=.004, up=(0, 1, 0), p=4)
    b.box((L / 2, 0, -.002), (L, .001, .012))
    grip = np.array([(-.02, .02), (.02, .02), (.0, -.09), (-.05, -.09), (-.04, -.02)])
    b.extrude(grip, .025, c=(-.005, 0, 0), rot=XZ_PLANE)


def trowel(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh = uniform(mr, .1, .13)
    b.revolve([(.01, 0), (.014, Lh * .5), (.011, Lh)], axis="x", f=.8)
    neck = np.array([(Lh, 0, 0), (Lh + .02, 0, 0), (Lh + .03, 0, -.03), (Lh + .05, 0, -.035)])
    b.sweep(neck, .004, up=(0, 1, 0))
    pointed = chance(mr, .6)
    Lb, Wb = uniform(mr, .14, .2), uniform(mr, .07, .11)
    poly = np.array([(0, -Wb / 2), (Lb, 0), (0, Wb / 2)]) if pointed else np.array(
        [(0, -Wb / 2), (Lb, -Wb / 2), (Lb, Wb / 2), (0, Wb / 2)])
    b.extrude(poly, .002, c=(Lh + .04, 0, -.038))


def paintbrush(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh, w = uniform(mr, .15, .2), uniform(mr, .015, .06)
    b.revolve([(.004, 0), (.008, Lh * .3), (.007, Lh * .75), (.009, Lh)], axis="x", f=.7, sx=1.0,
              sy=max(1.0, w / .02))
    b.rbox((Lh + .012, 0, 0), (.025, w, .01), p=4, axis="x", f=.6)
    b.loft([(0, 0, 0, w / 2, .005), (.05, 0, 0, w / 2 * 1.05, .0015)], p=4, axis="x", c=(Lh + .024, 0, 0), f=.7)


def pen(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = uniform(mr, .13, .15), uniform(mr, .0045, .006)
    b.revolve([(r * .8, 0), (r, .005), (r, L * .85)], axis="x", f=.8)
    b.cyl((L * .85, 0, 0), (L, 0, 0), r, .0008, f=.6)
    if chance(mr, .6):  # cap with clip at the back
        b.revolve([(r * 1.15, -.005), (r * 1.15, L * .35)], axis="x", f=.8)
        b.box((L * .15, 0, r * 1.5), (L * .25, .002, .0015))
    else:
        b.cyl((-.008, 0, 0), (0, 0, 0), r * .5, f=.4)
        b.box((L * .1, 0, r * 1.3), (L * .25, .002, .0015))


def pencil(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = uniform(mr, .12, .19), .0038
    n6 = superellipse(6, 2.0, 0.0)
    rings = np.empty((2, 6, 3))
    rings[..., 1:] = r * n6
    rings[0, :, 0], rings[1, :, 0] = 0.0, L
    b.tube(rings, cap0=False, cap1=False)
    b.cyl((L, 0, 0), (L + .018, 0, 0), r * .95, .0006, f=.5)
    if chance(mr, .7):
        b.cyl((-.008, 0, 0), (0, 0, 0), r * 1.05, f=.5)
        b.revolve([(r * .95, -.014), (r * .95, -.008)], axis="x", f=.5)
    else:
        b.cyl((0, 0, 0), (-.0001, 0, 0), r, f=.4)


def toothbrush(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, .17, .19)
    b.loft([(0, 0, 0, .007, .005), (L * .4, 0, 0, .008, .006), (L * .7, 0, .002, .003, .0035),
            (L * .78, 0, .003, .006, .003), (L, 0, .003, .006, .003)], p=3, axis="x", along=.1)
    rows, cols = 3, min(8, b.n(.25, 3))
    for i in range(rows):
        for j in range(cols):
            x = L * .78 + (L * .21) * (j + .5) / cols
            y = -.0035 + .007 * (i + .5) / rows
            b.cyl((x, y, .006), (x, y, .017), .0011, f=.2, p=4)


def comb(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, h = uniform(mr, .13, .2), uniform(mr, .015, .03)
    b.rbox((L / 2, 0, h * .8), (L, .003, h * .4), p=4, axis="x", f=.6)
    nt = min(randint(mr, 18, 35), b.n(.6, 6))
    for i in range(nt):
        b.box((L * (i + .5) / nt, 0, h * .3), (L / nt * .45, .0025, h * .6))
    if chance(mr, .4):
        b.rbox((-.04, 0, h * .8), (.08, .003, h * .3), p=3, axis="x", taper=.6, f=.5)


def crutch(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    if chance(mr, .5):  # underarm crutch: two rails meeting at the leg
        for s in (-1, 1):
            path = spline([(0, 0, s * .07), (.5, 0, s * .06), (.85, 0, s * .01)], b.n(.5, 4))
            b.sweep(path, .011, up=(0, 1, 0))
        b.rbox((-.02, 0, 0), (.05, .04, .18), p=3)
        b.cyl((.3, 0, -.065), (.3, 0, .065), .013, f=.4)
        end = 1.3
        b.cyl((.85, 0, 0), (end, 0, 0), .012, f=.4)
    else:  # forearm crutch with a cuff
        end = 1.1
        b.cyl((0, 0, 0), (end, 0, 0), .012, f=.4)
        b.cyl((.2, 0, 0), (.2, 0, .12), .013, f=.4)
        b.torus((-.02, 0, 0), .05, .006, axis="x", arc=(-.5, PI + .5), f=.5)
    b.cyl((end, 0, 0), (end + .05, 0, 0), .02, f=.4)  # rubber tip


def hockey(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, 1.3, 1.6)
    b.rbox((L / 2, 0, 0), (L, .02, .03), p=4, axis="x", f=.6)
    field = chance(mr, .3)
    ang = uniform(mr, .6, .9)
    if field:
        hook = arc_points((L + .03, 0, -.03), .05, PI / 2, -PI / 2 - 1.0, b.n(.5, 5), "xz")
        b.sweep(hook, .015, r2=.01, up=(0, 1, 0))
    else:
        Lb = uniform(mr, .28, .34)
        b.rbox((L + Lb / 2 * math.cos(ang), 0, -Lb / 2 * math.sin(ang)), (Lb, .015, .07), p=3, rot=rotation(ay=ang),
               f=.6)


def bat(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = uniform(mr, .8, .9), uniform(mr, .03, .035)
    turned_solid(b, [(0, 0), (r * .6, 0), (r * .6, .01), (r * .4, .02), (r * .42, L * .35), (r, L * .75), (r, L * .98),
                     (r * .7, L), (0, L)], along=.6, axis="x")


def whisk(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh, Lw, w = uniform(mr, .1, .14), uniform(mr, .12, .18), uniform(mr, .025, .04)
    b.revolve([(.009, 0), (.011, Lh * .8), (.006, Lh)], axis="x", f=.7)
    nl = randint(mr, 4, 8)
    t = np.linspace(0, 1, b.n(.6, 6))
    for i in range(nl):
        a = PI * i / nl
        prof = w * np.sin(np.pi * t) ** .7 * (1 + .2 * t)
        loop = np.stack([Lh + Lw * np.sin(np.pi * t / 2) ** 1.2, prof * math.cos(a), prof * math.sin(a)], 1)
        loop2 = loop * (1, -1, -1)  # mirrored half closes the wire loop
        path = np.vstack([loop, loop2[::-1][1:-1]])
        b.sweep(path, .0009, closed=True, up=(0, -math.sin(a), math.cos(a)), f=.4)


def magnifier(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    Lh, R = uniform(mr, .09, .13), uniform(mr, .035, .06)
    b.revolve([(.008, 0), (.011, Lh * .5), (.008, Lh)], axis="x", f=.7)
    b.torus((Lh + R, 0, 0), R, .005, axis="y", f=1.0)
    b.cyl((Lh + R, -.002, 0), (Lh + R, .002, 0), R, f=1.0)


def racket(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("tennis", "tennis", "badminton", "pingpong"))
    if kind == "pingpong":
        hl, rb = uniform(mr, .08, .11), uniform(mr, .07, .085)
        b.rbox((hl / 2, 0, 0), (hl, .025, .03), p=3, axis="x", f=.5)
        b.extrude(ellipse(rb, rb * uniform(mr, .9, 1.0), b.n(1.0, 8)), .012, c=(hl + rb * .95, 0, 0), axis="y")
        return
    Lh = (.2 if kind == "tennis" else .22) * uniform(mr, .9, 1.1)
    b.loft([(0, 0, 0, .014, .014), (Lh, 0, 0, .013, .013)], p=8, axis="x", f=.6)
    a, c = (.16, .12) if kind == "tennis" else (.12, .1)
    a, c = a * uniform(mr, .9, 1.1), c * uniform(mr, .9, 1.1)
    Lt = (.12 if kind == "tennis" else .2) * uniform(mr, .85, 1.15)
    xc = Lh + Lt + a
    if kind == "tennis":
        for s in (-1, 1):
            b.cyl((Lh, 0, 0), (Lh + Lt + .01, 0, s * c * .6), .008, f=.4)
    else:
        b.cyl((Lh, 0, 0), (Lh + Lt, 0, 0), .004, f=.4)
    b.torus((xc, 0, 0), a, .008, Ry=c, rot=XZ_PLANE, f=1.2)
    ns = min(8, b.n(.25, 2))
    for i in range(ns):
        v = -1 + 2 * (i + .5) / ns
        b.box((xc, 0, v * c * .9), (2 * a * math.sqrt(1 - (v * .9)**2) * .98, .001, .0015))
        b.box((xc + v * a * .9, 0, 0), (.0015, .001, 2 * c * math.sqrt(1 - (v * .9)**2) * .98))


def syringe(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = uniform(mr, .06, .1), uniform(mr, .006, .011)
    b.revolve([(r, 0), (r, L)], axis="x", f=.8, cap0=False)
    b.rbox((0, 0, 0), (.003, r * 4.5, r * 2.4), p=3, f=.5, axis="x")
    ext = uniform(mr, .01, .06)
    b.cyl((-ext, 0, 0), (L * .9, 0, 0), r * .3, f=.4, p=4)
    b.cyl((-ext - .002, 0, 0), (-ext, 0, 0), r * .9, f=.5)
    b.cyl((L, 0, 0), (L + .008, 0, 0), r * .6, r * .25, f=.5)
    b.cyl((L + .008, 0, 0), (L + .008 + uniform(mr, .015, .04), 0, 0), .0004, f=.2)


def flashlight(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, r = uniform(mr, .12, .25), uniform(mr, .011, .02)
    rh = r * uniform(mr, 1.2, 1.8)
    b.revolve([(r * .9, 0), (r, .004), (r, L * .7), (rh, L * .9), (rh, L)], axis="x", f=.9)
    b.cyl((L, 0, 0), (L + .002, 0, 0), rh * .9, f=.8)
    b.box((L * .5, 0, r), (.012, .008, .005))
    if chance(mr, .4):
        b.torus((-.008, 0, 0), .012, .0025, axis="y", f=.4)


def rifle(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L = uniform(mr, 1.0, 1.2)
    stock = np.array([(0, -.06), (.05, -.06), (.3, -.02), (.32, .01), (.03, .04), (0, .04)])
    b.extrude(stock, .04, rot=XZ_PLANE)
    b.rbox((.45, 0, .015), (.3, .05, .06), p=4, axis="x", f=.6)
    b.cyl((.55, 0, .02), (L, 0, .02), .011, f=.4)
    b.rbox((.75, 0, .0), (.35, .045, .035), p=3, axis="x", f=.6)
    b.torus((.38, 0, -.02), .025, .003, rot=XZ_PLANE, arc=(PI, TAU), f=.4)
    if chance(mr, .6):
        b.box((.45, 0, -.04), (.04, .025, .08), rot=rotation(ay=.15))
    if chance(mr, .6):
        b.revolve([(.02, 0), (.013, .05), (.013, .22), (.022, .27)], c=(.36, 0, .07), axis="x", f=.6)
        for x in (.43, .55):
            b.box((x, 0, .05), (.015, .012, .025))
    b.cyl((.52, 0, .02), (.52, .04, .03), .003, f=.3)
    b.sphere((.52, .045, .03), .006, f=.3)


def barbell(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    dumb = cat == "dumbbell"
    L = uniform(mr, .3, .45) if dumb else uniform(mr, 1.5, 2.2)
    b.cyl((-L / 2, 0, 0), (L / 2, 0, 0), .014, f=.5)
    kind = pick(mr, ("round", "hex", "plates"))
    radii = np.sort(mr.uniform(.04, .08, size=4) if dumb else mr.uniform(.1, .45, size=4))[::-1]
    nplates = randint(mr, 1, 4)
    x0 = L * .12 if dumb else L * .3
    w = L * .06 if dumb else .03
    for s in (-1, 1):
        x = s * x0
        if kind == "hex" and dumb:  # one hexagonal head per side
            b.cyl((x, 0, 0), (x + s * L * .28, 0, 0), radii[0], f=.3, n=6)
            continue
        for k in range(nplates):
            b.cyl((x + s * k * w * 1.05, 0, 0), (x + s * (k * w * 1.05 + w), 0, 0), radii[k], f=1.0)
        b.cyl((x - s * .02, 0, 0), (x, 0, 0), .03, f=.4)  # collar


def micrometer(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    gap = uniform(mr, .025, .05)
    top = gap * .9 + .01
    b.sweep(arc_points((0, 0, 0), top, PI / 2, 3 * PI / 2, b.n(.5, 5), "xz"), .008, r2=.004, up=(0, 1, 0), p=4)
    b.cyl((0, 0, top), (.012, 0, top), .004, f=.4)  # anvil
    for x0, x1, r in ((0, .02, .007), (.02, .05, .008), (.05, .08, .01), (.08, .09, .007)):
        b.cyl((x0, 0, -top), (x1, 0, -top), r, f=.5)  # spindle, sleeve, thimble, ratchet
