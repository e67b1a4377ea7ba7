"""The handheld family: small devices; flat ones lie on z with their top end at +y."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    FACE_FRONT,
    PI,
    TAU,
    XZ_PLANE,
    Rng,
    chance,
    jitter,
    pick,
    randint,
    rotation,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import button_grid


def slab(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    dims = {"cellphone": (.072, .15, .008), "remote_control": (.045, .19, .02), "calculator": (.08, .15, .014),
            "eraser": (.025, .06, .012)}.get(cat, (uniform(cr, .03, .1), uniform(cr, .08, .2), uniform(cr, .008, .03)))
    W, L, t = (jitter(mr, d, .12) for d in dims)
    b.rbox((0, 0, t / 2), (W, L, t), p=uniform(mr, 3, 10) if cat != "cellphone" else 10, along=.05)
    top = t
    if cat == "eraser":
        b.rbox((0, L * .15, t / 2), (W * 1.04, L * .6, t * 1.06), p=10, f=.6)
        return
    if cat == "cellphone":
        b.box((0, 0, top + .0005), (W * .92, L * .92, .001))
        b.rbox((-W * .25, L * .35, -.001), (W * .35, W * .35, .002), p=5, f=.5)
        for i in range(2):
            b.cyl((-W * .32 + i * W * .13, L * .38, -.002), (-W * .32 + i * W * .13, L * .38, -.003), .005, f=.3)
        b.box((W / 2 + .0005, L * .15, t / 2), (.001, .012, t * .4))
        return
    if cat == "calculator":
        b.box((0, L * .33, top + .001), (W * .8, L * .18, .002))
        rows, cols = 5, 4
        _grid_keys(b, 0, -L * .12, top, W * .85, L * .6, rows, cols, .3)
        return
    b.torus((0, L * .22, top), W * .22, .003, f=.5)
    b.cyl((0, L * .22, top), (0, L * .22, top + .002), W * .12, f=.5)
    b.cyl((-W * .25, L * .4, top), (-W * .25, L * .4, top + .002), .005, f=.3)
    _grid_keys(b, 0, -L * .2, top, W * .7, L * .45, 5, 3, .35)


def _grid_keys(b: MeshBuilder, cx: float, cy: float, z: float, w: float, h: float, rows: int, cols: int,
               fill: float) -> None:
    """Keys on a horizontal face; rows collapse to long strips when the budget is low."""
    cols_used = cols if b.res >= 10 else 1
    for i in range(rows):
        for j in range(cols_used):
            kw = w / cols_used
            x = cx - w / 2 + kw * (j + .5)
            y = cy + h / 2 - h * (i + .5) / rows
            b.box((x, y, z + .001), (kw * (1 - fill * .5) if cols_used > 1 else w, h / rows * .7, .002))


def keyboard(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = uniform(mr, .35, .46), uniform(mr, .12, .16)
    b.loft([(-L / 2, 0, .008, W / 2, .008), (L / 2, 0, .014, W / 2, .014)], p=8, axis="y", along=.05)
    rows = 6 if chance(mr, .5) else 5
    cols = min(randint(mr, 13, 16), b.n(.5, 1))
    kw = (W * .9) / cols
    z = .024
    for i in range(rows):
        y = -L * .4 + L * .8 * (i + .5) / rows
        for j in range(cols):
            b.box((-W * .45 + kw * (j + .5), y, z + .004 + .001 * i), (kw * .85, L * .8 / rows * .8, .008))
    b.box((0, -L * .4 + L * .8 * .5 / rows, z + .004), (W * .35, L * .8 / rows * .8, .008))


def mouse(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = uniform(mr, .1, .12), uniform(mr, .055, .07), uniform(mr, .03, .04)
    k = b.n(.4, 5)
    t = np.linspace(0, 1, k)
    hh = H * (np.sin(np.pi * (.15 + .75 * t)) * .5 + .05)
    hw = W / 2 * (.75 + .25 * np.sin(np.pi * t))
    secs = np.stack([-L / 2 + L * t, np.zeros(k), hh, hw, hh], 1)
    b.loft(secs, p=2.6, axis="y", f=1.2)
    for s in (-1, 1):
        b.box((s * W * .15, -L * .3, H * .75), (W * .26, L * .3, .002), rot=rotation(ax=-.35))
    b.cyl((-.002, -L * .28, H * .88), (.002, -L * .28, H * .88), .006, f=.4)
    if chance(mr, .6):
        b.sweep(spline([(0, -L / 2, .01), (0, -L / 2 - .04, .005), (.02, -L / 2 - .1, .003)], b.n(.4, 4)), .002,
                up=(0, 0, 1))


def camera(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    dslr = chance(mr, .5)
    W, D, H = (.14, .08, .1) if dslr else (.1, .03, .06)
    W, D, H = jitter(mr, W, .1), jitter(mr, D, .1), jitter(mr, H, .1)
    b.rbox((0, 0, H / 2), (W, D, H), p=6)
    lr = H * (.35 if dslr else .28)
    ll = uniform(mr, .04, .12) if dslr else .01
    lx = 0.0 if dslr else W * .2
    for t0, t1, rr in ((0, .3, 1.0), (.3, .7, .92), (.7, 1.0, 1.0)):  # lens barrel rings
        b.cyl((lx, -D / 2 - ll * t0, H * .45), (lx, -D / 2 - ll * t1 - .002, H * .45), lr * rr, f=.9)
    if dslr:
        b.rbox((-W * .38, -D * .1, H * .45), (W * .25, D * 1.4, H * .9), p=3)
        b.loft([(H, 0, 0, W * .16, D * .45), (H + .025, 0, 0, W * .08, D * .3)], p=4)
    else:
        b.box((-W * .3, -D / 2 - .001, H * .75), (.015, .002, .01))
    b.cyl((-W * .35, 0, H), (-W * .35, 0, H + .006), .006, f=.3)
    b.cyl((W * .25, 0, H), (W * .25, 0, H + .005), .01, f=.4)


def camcorder(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = uniform(mr, .12, .18), uniform(mr, .05, .07), uniform(mr, .06, .08)
    b.rbox((0, 0, H / 2), (W, L, H), p=5, axis="y")
    b.cyl((0, -L / 2, H * .55), (0, -L / 2 - .03, H * .55), H * .3, H * .33, f=.8)
    b.torus((0, -L / 2 - .03, H * .55), H * .32, .003, axis="y", f=.6)
    ang = uniform(mr, .3, 1.6)
    R = rotation(az=-ang)
    b.box(np.array([-W / 2, -L * .15, H * .55]) + R @ (-.004, .035, 0), (.006, .07, .045), rot=R)
    b.torus((W / 2 + .01, 0, H * .5), L * .3, .006, rot=rotation(az=PI / 2) @ XZ_PLANE, arc=(.3, PI - .3), Ry=H * .4,
            f=.5)
    b.cyl((0, L / 2, H * .75), (0, L / 2 + .03, H * .8), .01, f=.4)
    b.box((0, L * .3, H + .005), (W * .3, L * .3, .01))


def phone(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = uniform(mr, .18, .22), uniform(mr, .18, .22)
    b.loft([(-L / 2, 0, .02, W / 2, .02), (L / 2, 0, .045, W / 2 * .9, .045)], p=5, axis="y", along=.05)
    if chance(mr, .4):
        b.torus((0, -L * .1, .06), .05, .01, rot=rotation(ax=-.2), f=.7)
        b.cyl((0, -L * .1, .05), (0, -L * .1, .06), .035, f=.6)
    else:
        _grid_keys(b, 0, -L * .12, .045, W * .45, L * .4, 4, 3, .3)
    hz = .1
    b.rbox((0, L * .2, hz), (W * .95, .045, .035), p=4, axis="x")
    for s in (-1, 1):
        b.rbox((s * W * .42, L * .2, hz - .015), (.06, .06, .045), p=3, f=.6)
    cord = spline([(W * .45, L * .2, hz - .03), (W * .6, L * .1, .01), (W * .5, -L * .1, .005), (W * .3, -L * .4, .005),
                   (W * .45, L * .2 - .04, .04)], b.n(.8, 6))
    b.sweep(cord, .003, up=(0, 0, 1))


def stapler(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, .13, .2), uniform(mr, .035, .05)
    b.rbox((0, 0, .006), (W, L, .012), p=5, axis="y")
    ang = uniform(mr, 0, .4)
    R = rotation(ax=ang)
    hinge = np.array([0, L / 2 - .01, .015])
    b.rbox(hinge + R @ (0, -L * .45, .012), (W * .9, L * .9, .022), p=4, rot=R, axis="y")
    b.box(hinge + R @ (0, -L * .45, -.002), (W * .6, L * .85, .012), rot=R)
    b.cyl(hinge - (W / 2, 0, 0), hinge + (W / 2, 0, 0), .01, f=.5)


def iron(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, .24, .28), uniform(mr, .1, .12)
    k = b.n(.5, 5)
    t = np.linspace(0, 1, k)
    side = np.stack([W / 2 * np.sqrt(t) * (1 - .1 * t), -L / 2 + L * t], 1)
    poly = np.vstack([side, side[::-1] * (-1, 1)])
    b.extrude(poly, .015, c=(0, 0, .0075))
    b.extrude(poly * .92, .06, c=(0, 0, .045), taper=.7, f=.9)
    handle = spline([(0, -L * .3, .07), (0, -L * .2, .13), (0, L * .2, .14), (0, L * .4, .07)], b.n(.6, 5))
    b.sweep(handle, .016, r2=.012, up=(1, 0, 0))
    b.cyl((0, -L * .05, .075), (0, -L * .05, .085), .018, f=.5)
    b.cyl((0, L / 2 - .01, .04), (0, L / 2 + .03, .03), .008, f=.3)


def gun(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    """Pistol-grip tools: body along y with the working end toward -y."""
    L = {"hair_dryer": .2, "power_drill": .2, "air_hammer": .25, "grinder": .3, "chain_saw": .45,
         "megaphone": .25}.get(cat, uniform(cr, .15, .3)) * uniform(mr, .9, 1.1)
    r = L * .18
    if cat == "grinder":
        b.cyl((0, L * .35, .05), (0, -L * .25, .05), r * .7, r * .8, f=.8)
        b.cyl((0, -L * .3, .05), (0, -L * .3, -.02), .02, f=.4)
        b.cyl((0, -L * .3, -.02), (0, -L * .3, -.026), L * .22, f=1.0)
        b.revolve([(L * .24, 0), (L * .24, .02)], c=(0, -L * .3, -.015), cap0=False, f=1.0)
        side = pick(mr, (-1, 1))
        b.cyl((side * .02, -L * .25, .05), (side * .15, -L * .25, .06), .014, f=.4)
        return
    if cat == "chain_saw":
        b.rbox((0, L * .15, .09), (.12, L * .45, .16), p=4)
        rr, y0, y1 = .035, -L * .05, -L * uniform(mr, .8, 1.1)
        a = np.linspace(PI / 2, 1.5 * PI, b.n(.5, 5))
        tip = np.stack([y1 + rr + rr * np.cos(a), .07 + rr * np.sin(a)], 1)
        bar = np.vstack([tip, [(y0, .07 - rr * 1.2), (y0, .07 + rr * 1.2)]])
        b.extrude(bar, .006, axis="x")  # guide bar in the yz-plane
        b.torus((0, L * .02, .16), .075, .011, rot=XZ_PLANE, arc=(.15, PI - .15), f=.5)  # front hoop handle
        b.torus((0, L * .37, .13), .06, .012, rot=rotation(az=PI / 2) @ XZ_PLANE, arc=(-PI / 2, PI / 2), f=.5)
        b.cyl((.06, L * .2, .1), (.08, L * .2, .1), .03, f=.5)  # starter cover on one side
        return
    body = [(0, 0), (r * .8, .0), (r, L * .3), (r * .9, L * .8), (r * .6, L)]
    if cat == "hair_dryer":
        body = [(r * 1.1, 0), (r * 1.1, .02), (r, L * .4), (r * .7, L * .8), (r * .6, L)]
    if cat == "megaphone":
        body = [(r * .5, 0), (r * .5, L * .3), (r * 1.8, L), (r * 1.9, L * 1.05)]
    b.revolve(body, c=(0, L * .4, .08), rot=FACE_FRONT, f=1.0, cap1=cat != "megaphone")
    b.rbox((0, L * .25, .0), (.03, .045, .12), p=3, rot=rotation(ax=-.25), f=.6)
    b.box((0, L * .12, .04), (.008, .015, .03))
    if cat == "power_drill":
        b.revolve([(.014, 0), (.018, .03), (.012, .045)], c=(0, -L * .6 + L * .4, .08), rot=FACE_FRONT, f=.6)
        b.cyl((0, -L * .25, .08), (0, -L * .25 - uniform(mr, .04, .1), .08), .003, f=.3)
        b.rbox((0, L * .25, -.07), (.06, .08, .04), p=4, f=.6)
    elif cat == "air_hammer":
        b.cyl((0, -L * .6, .08), (0, -L * .6 - .1, .08), .008, f=.3)
        b.cyl((0, L * .3, -.06), (0, L * .35, -.08), .008, f=.3)
    elif cat == "hair_dryer":
        b.cyl((0, -L * .6, .08), (0, -L * .7, .08), r * .6, r * .4, f=.6, p=4)
        b.sweep(spline([(0, L * .3, -.06), (0, L * .4, -.1), (.05, L * .5, -.12)], b.n(.3, 4)), .004, up=(1, 0, 0))


def padlock(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = uniform(mr, .04, .06), uniform(mr, .018, .025), uniform(mr, .035, .055)
    b.rbox((0, 0, H / 2), (W, D, H), p=uniform(mr, 3, 8), axis="y")
    R = W * .32
    opened = chance(mr, .4)
    lift = .012 if opened else 0.0
    # an open shackle is lifted and swung about its left leg
    Rz = rotation(az=1.2) if opened else np.eye(3)
    pivot = np.array([-R, 0, H + R * .6 + lift])
    c = pivot + Rz @ np.array([R, 0, 0])
    b.torus(c, R, .004, rot=Rz @ XZ_PLANE, arc=(0, PI), f=.6)
    for s in (-1, 1):
        base = c + Rz @ np.array([s * R, 0, 0])
        b.cyl(base, base - (0, 0, R * .6 + lift + (.006 if opened and s > 0 else 0)), .004, f=.3)
    b.cyl((0, -D / 2, H * .35), (0, -D / 2 - .001, H * .35), .004, f=.3)  # keyhole


def lighter(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = uniform(mr, .025, .038), uniform(mr, .011, .014), uniform(mr, .055, .075)
    b.rbox((0, 0, H * .4), (W, D, H * .8), p=6)
    if chance(mr, .5):  # flip-top, lid open to the side
        ang = uniform(mr, .5, 1.6)
        R = rotation(ay=ang)
        hinge = np.array([W / 2, 0, H * .8])
        b.rbox(hinge + R @ (-W / 2, 0, H * .1), (W, D, H * .2), p=6, rot=R)
        b.rbox((0, 0, H * .85), (W * .6, D * .7, H * .1), p=8, f=.5)
    else:
        b.rbox((0, 0, H * .85), (W * .8, D, H * .1), p=6, f=.5)
        b.box((W * .25, 0, H * .82), (W * .25, D * .8, .006))
    b.cyl((-W * .15, -D * .3, H * .9), (-W * .15, D * .3, H * .9), .005, f=.4)


def interphone(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, D, H = uniform(mr, .09, .13), uniform(mr, .03, .05), uniform(mr, .18, .25)
    b.rbox((0, 0, H / 2), (W, D, H), p=6, axis="y")
    y0 = -D / 2
    if chance(mr, .5):
        b.box((0, y0 - .001, H * .7), (W * .7, .002, H * .3))
    for i in range(min(12, b.n(.3, 4))):
        x = (i % 4 - 1.5) * W * .12
        z = H * .45 - (i // 4) * .012
        b.cyl((x, y0, z), (x, y0 - .002, z), .003, f=.2)
    button_grid(b, 0, y0, H * .2, 2, 2, W * .5, H * .12, .015)
    if chance(mr, .6):
        b.rbox((-W / 2 - .02, -D * .1, H * .5), (.03, .035, H * .75), p=3)


def shaver(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H, W = uniform(mr, .13, .17), uniform(mr, .04, .055)
    b.loft([(0, 0, 0, W / 2 * .8, W * .35), (H * .7, 0, 0, W / 2, W * .4), (H * .8, 0, 0, W / 2 * 1.1, W * .4)], p=3,
           along=.05)
    if chance(mr, .5):
        for k in range(pick(mr, (2, 3))):
            b.cyl((-W * .55, (k - .5) * .012, H * .85), (W * .55, (k - .5) * .012, H * .85), .007, f=.5)
    else:
        for k in range(3):
            a = TAU * k / 3 + PI / 2
            b.cyl((math.cos(a) * W * .35, math.sin(a) * W * .2, H * .8), (math.cos(a) * W * .35, math.sin(a) * W * .2,
                                                                          H * .84),
                  W * .2, f=.6)
    b.cyl((0, -W * .4, H * .4), (0, -W * .45, H * .4), .006, f=.3)
