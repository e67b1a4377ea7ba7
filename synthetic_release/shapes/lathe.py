"""The lathe family: surfaces of revolution + handles / spouts (vessels, bottles, towers)."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    TAU,
    XZ_PLANE,
    Rng,
    chance,
    pick,
    rotation,
    shell_profile,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import turned_solid, turned_vessel


def _side_handle(b: MeshBuilder, x: float, z: float, size: float, r: float, side: int = 1) -> None:
    """C-shaped handle in the xz-plane, open toward the body."""
    c0 = -PI / 2 - .3 if side > 0 else PI / 2 - .3
    b.torus((x, 0, z), size, r, rot=XZ_PLANE, arc=(c0, c0 + PI + .6), f=.6)


def cup(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("mug", "mug", "teacup", "tumbler"))
    h, r0, r1 = uniform(mr, .08, .11), uniform(mr, .025, .035), uniform(mr, .035, .045)
    if kind == "teacup":
        h, r1 = h * .65, r1 * 1.3
        turned_vessel(b, [(.03, -.012), (.06, -.008), (.075, -.004)], .003)
    mid = (r0 + r1) / 2 * (1.06 if kind == "mug" else 1.0)
    turned_vessel(b, [(r0, 0), (r0 * 1.03, h * .08), (mid, h * .5), (r1, h)], .004)
    if kind != "tumbler":
        hs = h * (.28 if kind == "mug" else .22)
        _side_handle(b, mid + hs * .45, h * .52, hs, .006)


def kettle(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    electric = chance(mr, .5)
    h, r = uniform(mr, .16, .22), uniform(mr, .07, .1)
    if electric:
        b.revolve([(r * 1.05, 0), (r * 1.05, .02)], f=1.0)
        turned_solid(b, [(0, .02), (r, .02), (r * .95, h * .5), (r * .8, h), (0, h)])
        _side_handle(b, r * .8 + .04, h * .5, h * .38, .012)
        b.cyl((-r * .85, 0, h * .85), (-r * 1.2, 0, h * .93), .018, .012, f=.5)
    else:
        turned_solid(b, [(0, 0), (r * 1.1, 0), (r * 1.15, h * .2), (r * .9, h * .7), (r * .4, h * .85), (0, h * .86)])
        b.sphere((0, 0, h * .9), .015, f=.4)
        b.torus((0, 0, h * .85), r * .75, .01, rot=XZ_PLANE, arc=(.3, PI - .3), f=.6)
        spout = spline([(-r * .9, 0, h * .35), (-r * 1.35, 0, h * .5), (-r * 1.6, 0, h * .75)], b.n(.4, 4))
        b.sweep(spout, np.linspace(.022, .01, len(spout)), up=(0, 1, 0))


def teapot(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    h, r = uniform(mr, .11, .15), uniform(mr, .07, .1)
    turned_solid(b, [(0, 0), (r * .6, 0), (r, h * .4), (r * .8, h * .85), (r * .45, h), (0, h)])
    turned_solid(b, [(0, h * .98), (r * .5, h * .98), (r * .35, h * 1.08), (.008, h * 1.15), (0, h * 1.2)], along=.2)
    spout = spline([(-r * .85, 0, h * .3), (-r * 1.25, 0, h * .45), (-r * 1.4, 0, h * .75), (-r * 1.65, 0, h * .92)],
                   b.n(.5, 5))
    b.sweep(spout, np.linspace(.02, .008, len(spout)), up=(0, 1, 0))
    _side_handle(b, r * .95 + h * .15, h * .5, h * .3, .008)


def bottle(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("wine", "water", "beer", "flat", "jug"))
    H, r = uniform(mr, .22, .32), uniform(mr, .03, .042)
    rn = r * uniform(mr, .3, .42)
    shoulder = {"wine": .62, "water": .75, "beer": .55, "flat": .7, "jug": .6}[kind]
    ctrl = [(0, 0), (r * .95, 0), (r, H * .05), (r, H * shoulder), (rn * 1.1, H * (shoulder + .15)),
            (rn, H * .92), (rn * 1.15, H * .95), (0, H * .95)]
    sy = .5 if kind == "flat" else 1.0
    turned_solid(b, ctrl, sy=sy, along=.6)
    b.cyl((0, 0, H * .93), (0, 0, H), rn * 1.2, f=.6)
    if kind == "water":
        for k in range(3):
            b.torus((0, 0, H * (.25 + .15 * k)), r, .002, f=.8)
        b.box((rn * 1.5, 0, H * .98), (rn, .006, .012))
    if kind == "jug":
        _side_handle(b, r * .7 + .035, H * .55, H * .2, .008)
    if kind == "wine" and chance(mr, .5):
        b.cyl((0, 0, H * .35), (0, 0, H * .55), r * 1.01, f=1.0, cap0=False, cap1=False)


def jar(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = uniform(mr, .1, .2), uniform(mr, .04, .07)
    turned_vessel(b, [(r * .9, 0), (r, H * .1), (r * uniform(mr, 1.0, 1.25), H * .5), (r * .85, H * .85), (r * .8,
                                                                                                           H)], .004)
    lid = pick(mr, ("screw", "cork", "dome"))
    if lid == "screw":
        b.cyl((0, 0, H - .01), (0, 0, H + .015), r * .85, f=1.0)
        for k in range(2):
            b.torus((0, 0, H - .02 - k * .008), r * .8, .002, f=.8)
    elif lid == "cork":
        b.cyl((0, 0, H - .02), (0, 0, H + .02), r * .78, r * .85, f=.8)
    else:
        turned_solid(b, [(0, H), (r * .9, H), (r * .5, H + .025), (.01, H + .035), (0, H + .045)], along=.2)
    if chance(mr, .3):
        _side_handle(b, r * 1.1 + .02, H * .55, H * .2, .007)


def bowl(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, h = uniform(mr, .07, .12), uniform(mr, .04, .08)
    turned_vessel(b, [(r * .35, 0), (r * .6, h * .15), (r * .92, h * .6), (r, h)], .004)
    b.torus((0, 0, .002), r * .33, .003, f=.8)
    if chance(mr, .35):
        for s in (-1, 1):
            b.rbox((s * r * 1.03, 0, h * .92), (r * .2, r * .35, .006), p=2.5, f=.5)


def bucket(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r0, r1 = uniform(mr, .25, .35), uniform(mr, .1, .13), uniform(mr, .13, .17)
    turned_vessel(b, [(r0, 0), (r1, H)], .004, p=pick(mr, (2.0, 2.0, 4.0)))
    b.torus((0, 0, H), r1, .006, f=1.0)
    ang = uniform(mr, 0, 1.4) if chance(mr, .5) else 0.0
    R = rotation(ax=ang)
    b.torus((0, 0, H * .95), r1 * 1.02, .004, rot=R @ XZ_PLANE, arc=(0, PI), f=.8)
    for s in (-1, 1):
        b.sphere((s * r1, 0, H * .95), .012, f=.4)


def can(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = uniform(mr, .1, .16), uniform(mr, .03, .042)
    turned_solid(b, [(0, 0), (r * .8, 0), (r, H * .08), (r, H * .9), (r * .85, H * .97), (r * .85, H), (0, H)],
                 along=.5)
    b.torus((0, 0, H), r * .85, .0025, f=.9)
    b.rbox((r * .3, 0, H + .002), (.02, .012, .002), p=3, f=.4)


def pot(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .1, .15), uniform(mr, .1, .18)
    turned_vessel(b, [(r, 0), (r, H)], .004, f=1.1)
    for s in (-1, 1):
        b.torus((s * (r + .02), 0, H * .8), .03, .006, rot=rotation(az=PI / 2 if s > 0 else -PI / 2) @ XZ_PLANE,
                arc=(0, PI), f=.5)
    if chance(mr, .6):
        turned_solid(b, [(0, H), (r * 1.02, H), (r * .6, H + .02), (.015, H + .03), (0, H + .03)], along=.2)
        b.sphere((0, 0, H + .04), (.018, .018, .012), f=.4)


def pan(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .1, .15), uniform(mr, .03, .06)
    turned_vessel(b, [(r * .8, 0), (r, H)], .004, f=1.1)
    Lh = uniform(mr, .16, .22)
    b.rbox((r + Lh / 2, 0, H * .9 + Lh * .1), (Lh, .025, .012), p=3, rot=rotation(ay=-.2), f=.5, axis="x")
    if chance(mr, .4):
        b.torus((-r - .02, 0, H * .85), .025, .005, rot=rotation(az=-PI / 2) @ XZ_PLANE, arc=(0, PI), f=.4)


def beaker(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .03, .05), uniform(mr, .08, .14)
    turned_vessel(b, [(r, 0), (r, H)], .0015)
    b.rbox((-r, 0, H - .002), (.012, .014, .003), p=2.5, rot=rotation(ay=.4), f=.4)
    for k in range(4):
        b.box((0, -r - .0004, H * (.25 + .15 * k)), (r * .4, .001, .0012))


def flask(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .05, .07), uniform(mr, .12, .17)
    rn = r * uniform(mr, .25, .35)
    turned_vessel(b, [(r * .95, 0), (r, H * .06), (rn * 1.1, H * .7), (rn, H * .75), (rn, H)], .0015)
    b.torus((0, 0, H), rn, .002, f=.8)


def funnel(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .06, .1), uniform(mr, .08, .12)
    prof = [(.006, 0), (.008, H * .5), (r, H)]
    inner = [(r - .002, H), (.006, H * .5), (.004, 0)]
    b.revolve(np.array(prof + inner), along=None, cap0=False, cap1=False, f=1.0)
    b.torus((r + .012, 0, H - .005), .012, .002, rot=XZ_PLANE, f=.4)


def trash(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r0 = uniform(mr, .4, .7), uniform(mr, .12, .18)
    p = pick(mr, (2.0, 2.0, 5.0))
    turned_vessel(b, [(r0, 0), (r0 * 1.15, H)], .004, p=p)
    lid = pick(mr, ("flat", "dome", "none", "swing"))
    if lid == "flat":
        b.revolve([(r0 * 1.2, H), (r0 * 1.2, H + .02)], p=p)
        b.box((0, r0 * .3, H + .025), (.05, .02, .01))
    elif lid == "dome":
        turned_solid(b, [(0, H), (r0 * 1.2, H), (r0 * .9, H + r0 * .5), (0, H + r0 * .6)], p=p)
    elif lid == "swing":
        b.revolve([(r0 * 1.2, 0), (r0 * 1.2, .02)], c=(0, r0 * 1.1, H + r0 * .7), rot=rotation(ax=-1.2), p=p)
    if chance(mr, .5):
        b.box((0, -r0 * 1.05, .03), (.08, .08, .02))


def shaker(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = uniform(mr, .07, .1), uniform(mr, .018, .028)
    turned_solid(b, [(0, 0), (r, 0), (r * uniform(mr, .8, 1.3), H * .5), (r * .8, H * .8), (0, H * .8)])
    turned_solid(b, [(0, H * .78), (r * .85, H * .78), (r * .75, H * .95), (0, H)], along=.2)
    for k in range(3):
        b.cyl((r * .3 * math.cos(k * 2.1), r * .3 * math.sin(k * 2.1), H * .999),
              (r * .3 * math.cos(k * 2.1), r * .3 * math.sin(k * 2.1), H * 1.005), .0015, f=.2)


def ashtray(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .05, .07), uniform(mr, .02, .03)
    p = pick(mr, (2.0, 2.0, 6.0))
    turned_vessel(b, [(r * .8, 0), (r, H * .6), (r, H)], r * .25, p=p)
    nn = pick(mr, (3, 4, 1))
    for k in range(nn):
        a = TAU * k / nn + .4
        b.cyl((math.cos(a) * r * .7, math.sin(a) * r * .7, H + .004), (math.cos(a) * r * 1.05, math.sin(a) * r * 1.05,
                                                                       H + .004),
              .005, f=.3)
    if chance(mr, .5):
        b.cyl((0, 0, H + .004), (r * 1.4, r * .3, H + .01), .004, f=.3)


def plate(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .1, .14)
    p = 2.0 if chance(mr, .75) else 4.0
    sy = 1.0 if chance(mr, .7) else .7
    turned_vessel(b, [(r * .5, 0), (r * .6, .005), (r * .85, .012), (r, .02)], .004, sy=sy, p=p, f=1.2)
    b.torus((0, 0, .002), r * .45, .003, Ry=r * .45 * sy, f=.8)
    if chance(mr, .4):  # fork resting on the plate
        b.rbox((r * .1, 0, .012), (r * 1.4, .012, .003), p=3, rot=rotation(az=.3), f=.4)


def trophy(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .25, .4)
    if chance(mr, .5):
        b.box((0, 0, .03), (.12, .12, .06))
        b.box((0, 0, .075), (.09, .09, .03))
    else:
        turned_solid(b, [(0, 0), (.07, 0), (.06, .04), (.04, .06), (0, .06)], along=.2)
    turned_solid(b, [(0, .06), (.015, .06), (.01, H * .35), (.02, H * .45), (0, H * .46)], along=.3)
    rc = uniform(mr, .05, .08)
    turned_vessel(b, [(.02, H * .45), (rc * .8, H * .6), (rc, H * .85), (rc * 1.1, H)], .003)
    for s in (-1, 1):
        b.torus((s * rc * 1.05, 0, H * .75), H * .12, .006, rot=rotation(az=0 if s > 0 else PI) @ XZ_PLANE,
                arc=(-PI / 2, PI / 2), f=.5)
    if chance(mr, .4):
        turned_solid(b, [(0, H), (rc * 1.15, H), (rc * .6, H + .03), (0, H + .05)], along=.2)
        b.sphere((0, 0, H + .06), .012, f=.3)


def hourglass(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = uniform(mr, .15, .25), uniform(mr, .04, .06)
    p = pick(mr, (2.0, 8.0))
    for z in (0.0, H - .015):
        b.revolve([(r * 1.4, z), (r * 1.4, z + .015)], p=p)
    turned_solid(b, [(0, .015), (r * .7, .015), (r, H * .25), (.006, H / 2), (r, H * .75), (r * .7, H - .015),
                     (0, H - .015)],
                 along=.6)
    nposts = pick(mr, (3, 4))
    for k in range(nposts):
        a = TAU * k / nposts + PI / 4
        b.cyl((math.cos(a) * r * 1.2, math.sin(a) * r * 1.2, .015), (math.cos(a) * r * 1.2, math.sin(a) * r * 1.2,
                                                                     H - .015),
              .005, f=.3)


def bulb(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .025, .04)
    turned_solid(b, [(0, 0), (.01, 0), (.013, .02), (.013, .03), (r * .5, .04), (r, .05 + r * .7), (r * .6,
                                                                                                    .05 + r * 1.7),
                     (0, .05 + r * 2)], along=.6)
    for k in range(4):
        b.torus((0, 0, .006 + k * .006), .0135, .0015, f=.6)
    if chance(mr, .3):
        b.revolve([(.005, -.01), (.005, 0)], f=.3)


def cone(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .45, .75)
    base, rb, rt = H * uniform(mr, .5, .65), H * uniform(mr, .18, .24), H * uniform(mr, .03, .07)
    b.box((0, 0, .015), (base, base, .03))
    turned_solid(b, [(0, .03), (rb, .03), (rt, H), (0, H)], along=.3)
    for z in (.4, .6):
        b.cyl((0, 0, H * z), (0, 0, H * (z + .1)), H * (.22 - .17 * z) * 1.01, H * (.22 - .17 * (z + .1)) * 1.01,
              cap0=False, cap1=False, f=1.0)


def tower(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r0 = 1.0, uniform(mr, .35, .45)
    w = uniform(mr, .55, .7)
    z = np.linspace(0, H, 9)
    rr = r0 * np.sqrt(1 + ((z - H * .75) / (H * .45)) ** 2) * w
    outer = np.stack([rr, z], 1)
    b.revolve(shell_profile(outer, .01)[1:-1], along=.8, cap0=False, cap1=False, f=1.2)
    for k in range(8):
        a = TAU * k / 8
        b.box((math.cos(a) * rr[0], math.sin(a) * rr[0], .02), (.03, .03, .04), rot=rotation(az=a))
    if chance(mr, .5):
        b.box((rr[0] + .15, 0, .05), (.2, .15, .1))
        b.cyl((rr[0], 0, .07), (rr[0] + .1, 0, .07), .03, f=.4)


def extinguisher(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, r = uniform(mr, .4, .6), uniform(mr, .06, .09)
    turned_solid(b, [(0, 0), (r, 0), (r, H * .8), (r * .6, H * .88), (0, H * .9)], along=.4)
    b.cyl((0, 0, H * .88), (0, 0, H * .98), .018, f=.5)
    b.box((-.02, 0, H * .99), (.08, .025, .02), rot=rotation(ay=-.15))
    b.box((-.02, 0, H * .95), (.07, .022, .012))
    b.sphere((.02, -.02, H * .95), .012, f=.3)
    hose = spline([(.025, 0, H * .93), (.09, 0, H * .9), (r * 1.3, 0, H * .6), (r * 1.2, 0, H * .3)], b.n(.5, 5))
    b.sweep(hose, .008, up=(0, 1, 0))
    b.cyl((r * 1.2, 0, H * .3), (r * 1.2, 0, H * .22), .01, .014, f=.4)


def lipstick(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .008, .011), uniform(mr, .05, .07)
    b.revolve([(r, 0), (r, H * .6)], f=.8)
    b.revolve([(r * .85, H * .6), (r * .85, H * .75)], f=.8)
    R = rotation(ay=.6)
    b.cyl((0, 0, H * .75), (0, 0, H * .88), r * .7, f=.6)
    b.box(np.array([0, 0, H * .9]), (r * 1.0, r * 1.3, r * .3), rot=R)
    if chance(mr, .6):  # cap lying beside
        b.revolve([(r * 1.05, 0), (r * 1.05, H * .5)], c=(r * 3, 0, r * 1.05), axis="x", f=.8)


def pin(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = .38
    r = uniform(mr, .055, .065)
    turned_solid(b, [(0, 0), (r * .55, 0), (r, H * .3), (r * .75, H * .5), (r * .35, H * .65), (r * .4, H * .78),
                     (r * .55, H * .9), (r * .3, H * .98), (0, H)], along=.8)
    b.torus((0, 0, H * .62), r * .38, .003, f=.8)


def tub(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = uniform(mr, 1.5, 1.8), uniform(mr, .7, .85), uniform(mr, .5, .6)
    legs = chance(mr, .5)
    z0 = .12 if legs else 0.0
    turned_vessel(b, [(W / 2 * .75, z0), (W / 2 * .95, z0 + H * .5), (W / 2, z0 + H)], .03, sy=L / W, p=3.5, f=1.3)
    if legs:
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.sphere((sx * W * .3, sy * L * .35, .06), .06, f=.4)
    y = L / 2 - .1
    gn = spline([(0, y + .08, z0 + H - .01), (0, y + .06, z0 + H + .15), (0, y - .05, z0 + H + .12)], b.n(.4, 4))
    b.sweep(gn, .015, up=(1, 0, 0))
    for s in (-1, 1):
        b.cyl((s * .1, y + .06, z0 + H), (s * .1, y + .06, z0 + H + .06), .02, f=.3)


def battery(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    if chance(mr, .25):  # 9 V block
        b.rbox((0, 0, .024), (.026, .017, .048), p=10)
        b.cyl((-.006, 0, .048), (-.006, 0, .052), .003, f=.3, p=8)
        b.cyl((.006, 0, .048), (.006, 0, .052), .003, f=.3)
        return
    r, H = pick(mr, ((.007, .044), (.005, .045), (.0125, .05), (.017, .061)))
    b.revolve([(r * .95, 0), (r, .001), (r, H), (r * .95, H + .0005)], f=1.0)
    b.cyl((0, 0, H), (0, 0, H + .0015), r * .35, f=.5)
    b.cyl((0, 0, H * .8), (0, 0, H * .95), r * 1.003, f=1.0, cap0=False, cap1=False)


def basket(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, H = uniform(mr, .12, .2), uniform(mr, .1, .2)
    p = pick(mr, (2.0, 3.0, 5.0))
    sy = uniform(mr, .65, 1.0)
    turned_vessel(b, [(r * .75, 0), (r, H)], .006, sy=sy, p=p)
    for k in range(3):
        b.torus((0, 0, H * (.25 + .25 * k)), r * (.8 + .2 * (.25 + .25 * k)) * 1.01, .003,
                Ry=r * (.8 + .2 * (.25 + .25 * k)) * sy * 1.01, p=p, f=1.0)
    if chance(mr, .6):
        b.torus((0, 0, H), r * .98, .008, rot=XZ_PLANE, arc=(0, PI), Ry=r * .8, f=.8)
    else:
        for s in (-1, 1):
            b.torus((s * r * .95, 0, H * .9), .035, .006, rot=rotation(az=PI / 2 if s > 0 else -PI / 2) @ XZ_PLANE,
                    arc=(0, PI), f=.4)


def frisbee(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r = uniform(mr, .11, .14)
    h = r * .22
    prof = [(0, h), (r * .8, h * .92), (r, h * .6), (r * .98, 0), (r * .9, .003), (r * .92, h * .6),
            (r * .7, h * .8), (0, h * .82)]
    b.revolve(prof, along=None, f=1.3)


def yurt(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    r, hw = uniform(mr, 3, 4), uniform(mr, 1.6, 2.0)
    b.revolve([(r, 0), (r, hw)], f=1.2, cap0=True, cap1=False, along=.1)
    rh = uniform(mr, 1.2, 1.8)
    turned_solid(b, [(0, hw - .05), (r * 1.08, hw - .05), (r * .5, hw + rh * .6), (r * .15, hw + rh), (0, hw + rh)],
                 along=.3)
    b.torus((0, 0, hw + rh), r * .15, .08, f=.6)
    b.box((0, -r - .15, .9), (1.0, .3, 1.8))
    b.box((0, -r - .45, 1.9), (1.3, .7, .08))


def generic(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(cr, .15, .4)
    rs = cr.uniform(.03, .12, size=5) * uniform(mr, .85, 1.15)
    ctrl = [(0, 0)] + [(rs[i], H * i / 4) for i in range(5)] + [(0, H)]
    turned_solid(b, ctrl, along=.6)
    if chance(mr, .6):
        _side_handle(b, rs[2] + H * .1, H * .5, H * .2, .008)
