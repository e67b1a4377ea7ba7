"""The road vehicle family: body + cabin + wheels; length along y, nose at -y."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synthetic_release.shapes.geometry import (
    PI,
    Rng,
    arc_points,
    chance,
    jitter,
    pick,
    randint,
    rotation,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import road_wheel, vehicle_body


def _axle_wheels(b: MeshBuilder, ys: Sequence[float], half_track: float, r: float, w: float, f: float = .8) -> None:
    for y in ys:
        for s in (-1, 1):
            road_wheel(b, (s * half_track, y, r), r, w, f)


def car(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, 3.8, 5.0), uniform(mr, 1.7, 1.95)
    kind = pick(mr, ("sedan", "hatch", "suv", "pickup", "coupe"))
    clear = .3 if kind in ("suv", "pickup") else .2
    hb = uniform(mr, .6, .72)
    zc = clear + hb / 2
    vehicle_body(b, [(-L / 2, zc - .05, W * .4, hb * .3), (-L / 2 + .25, zc, W / 2, hb / 2),
                     (L / 2 - .25, zc + .03, W / 2, hb / 2), (L / 2, zc + .05, W * .43, hb * .38)], p=uniform(mr, 3, 5))
    top = clear + hb
    hc = uniform(mr, .48, .6) + (.12 if kind == "suv" else 0)
    yw = -L / 2 + L * uniform(mr, .3, .38)
    if kind == "pickup":
        ys = [yw, yw + .5, yw + 1.2, yw + 1.35]
    elif kind == "sedan":
        ys = [yw, yw + .7, yw + 1.7, L / 2 - L * .15]
    elif kind == "coupe":
        ys = [yw, yw + .8, yw + 1.3, L / 2 - L * .08]
    else:
        ys = [yw, yw + .6, L / 2 - .35, L / 2 - .12]
    hs = [.06, hc, hc, .06 if kind in ("sedan", "coupe") else hc * .8]
    vehicle_body(b, [(y, top - .05 + h / 2, W / 2 * (.86 if h < .1 else .78), h / 2) for y, h in zip(ys, hs)],
                 p=uniform(mr, 3, 6), along=.05)
    if kind == "pickup":  # open bed walls
        yb0, yb1 = ys[-1] + .05, L / 2 - .05
        for s in (-1, 1):
            b.box((s * (W / 2 - .04), (yb0 + yb1) / 2, top + .15), (.06, yb1 - yb0, .3))
        b.box((0, yb1, top + .15), (W - .08, .06, .3))
    r = uniform(mr, .3, .37) + (.05 if kind in ("suv", "pickup") else 0)
    ov = uniform(mr, .7, .95)
    _axle_wheels(b, (-L / 2 + ov, L / 2 - ov), W / 2 - .12, r, .25)
    for s in (-1, 1):
        b.sphere((s * W * .33, -L / 2 + .06, zc + .06), (.14, .04, .06), f=.5)
        b.box((s * W * .35, L / 2 - .01, zc + .08), (.25, .04, .08))
        b.box((s * (W / 2 + .07), yw + .15, top + .08), (.12, .05, .08))
    b.box((0, -L / 2 + .02, zc - .02), (W * .35, .04, .12))
    if chance(mr, .2):  # roof bars
        for s in (-1, 1):
            b.box((s * W * .35, (ys[1] + ys[2]) / 2, top - .05 + hc + .03), (.04, ys[2] - ys[1] + .3, .04))
    if kind == "coupe" and chance(mr, .5):
        b.box((0, L / 2 - .12, top + .12), (W * .9, .2, .02))


def bus(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H, clear = uniform(mr, 9, 12), 2.5, uniform(mr, 2.9, 3.3), .35
    hood = cat == "school_bus" and chance(mr, .7)
    y0 = -L / 2 + (1.3 if hood else 0)
    b.rbox((0, (y0 + L / 2) / 2, clear + (H - clear) / 2), (W, L / 2 - y0, H - clear), p=uniform(mr, 8, 16),
           axis="y", along=.05)
    if hood:
        vehicle_body(b, [(-L / 2, clear + .5, W * .38, .35), (y0 + .05, clear + .6, W * .45, .55)], p=6)
    nwin = randint(mr, 6, 10)
    wl = (L / 2 - y0 - 2.0) / nwin
    for s in (-1, 1):
        for i in range(nwin):
            b.box((s * (W / 2 + .005), y0 + 1.2 + wl * (i + .5), H * .72), (.02, wl * .85, .85))
    b.box((0, y0 - .005, H * .7), (W * .9, .02, 1.0))
    b.box((W / 2 + .005, y0 + .7, (clear + H * .85) / 2), (.02, .9, H * .85 - clear))
    r = .5
    _axle_wheels(b, (-L / 2 + 2.2, L / 2 - 2.6), W / 2 - .2, r, .35)
    for s in (-1, 1):
        b.sphere((s * W * .35, y0 - .01, clear + .35), (.15, .04, .1), f=.5)
    if cat == "trolleybus":
        for s in (-1, 1):
            b.cyl((s * .3, 0, H), (s * .3, L / 2 + 2.5, H + 1.6), .04, f=.4)
    else:
        b.box((0, L * .1, H + .1), (W * .6, 1.2, .2))


def van(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    rv = cat == "recreational_vehicle"
    L, W, clear = (uniform(mr, 7, 10) if rv else uniform(mr, 5.5, 6.8)), 2.3, .35
    H = uniform(mr, 2.8, 3.3)
    ycab = -L / 2 + 1.8
    vehicle_body(b, [(-L / 2, clear + .45, W * .42, .3), (-L / 2 + .3, clear + .55, W / 2, .5),
                     (ycab - .6, clear + .9, W / 2, .9), (ycab, clear + 1.0, W / 2, 1.0)], p=5)
    b.rbox((0, (ycab + L / 2) / 2, clear + (H - clear) / 2), (W, L / 2 - ycab, H - clear), p=10, axis="y",
           along=.05)
    b.box((0, ycab - .75, clear + 1.45), (W * .85, .02, .6), rot=rotation(ax=-.5))
    if rv:
        b.rbox((0, ycab - .4, H - .35), (W, 1.0, .7), p=6)
        b.box((-W / 2 - .1, (ycab + L / 2) / 2, H - .3), (.2, L * .5, .1))
        b.box((W / 2 + .01, ycab + 1.5, H * .5), (.02, .7, H * .7))
        for k in range(3):
            b.box((-W / 2 - .005, ycab + 1.0 + k * L * .2, H * .6), (.02, .8, .5))
    else:  # ambulance
        b.box((0, ycab + .3, H + .08), (W * .7, .25, .16))
        for s in (-1, 1):
            b.box((s * (W / 2 + .005), (ycab + L / 2) / 2, H * .5), (.01, L / 2 - ycab - .4, .25))
        b.box((0, L / 2 + .005, H * .55), (W * .8, .02, H * .7))
    _axle_wheels(b, (-L / 2 + .9, L / 2 - 1.3), W / 2 - .15, .4, .28)


def train(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, H, clear = 3.0, uniform(mr, 3.6, 4.2), .9
    kind = pick(mr, ("loco", "fast", "steam"))
    ncar = randint(mr, 1, 2)
    Lc = uniform(mr, 14, 20)
    for k in range(ncar):
        y0 = -ncar * Lc / 2 + k * (Lc + .8)
        y1 = y0 + Lc
        if k == 0 and kind == "steam":
            b.cyl((0, y0 + .3, clear + 1.3), (0, y1 - 5, clear + 1.3), 1.2, f=1.0, along=.1)
            b.box((0, y1 - 2.5, clear + 1.6), (W, 5, 3.2))
            b.cyl((0, y0 + 1.5, clear + 2.3), (0, y0 + 1.5, clear + 3.3), .35, .45, f=.5)
            b.sphere((0, y0 + 4, clear + 2.5), .5, f=.5)
            for i in range(3):
                for s in (-1, 1):
                    road_wheel(b, (s * 1.2, y0 + 3 + i * 2.3, .9), .9, .2, f=.7)
            b.box((0, y0 - .1, .8), (W, .3, .6))
            continue
        if k == 0 and kind == "fast":
            vehicle_body(b, [(y0, clear + .6, W * .15, .3), (y0 + 3, clear + 1.2, W * .45, 1.1),
                             (y0 + 6, clear + H / 2 - .4, W / 2, H / 2 - .4),
                             (y1, clear + H / 2 - .4, W / 2, H / 2 - .4)],
                         p=4, along=.1)
        else:
            b.rbox((0, (y0 + y1) / 2, clear + (H - clear) / 2), (W, Lc, H - clear), p=10, axis="y", along=.05)
            if k == 0:
                b.box((0, y0 - .01, H - .8), (W * .8, .02, .8))
        for s in (-1, 1):
            b.box((s * (W / 2 + .01), (y0 + y1) / 2, H * .68), (.02, Lc * .8, .7))
        for yb in (y0 + 2.5, y1 - 2.5):
            b.box((0, yb, .6), (W * .8, 2.6, .5))
            for dy in (-.9, .9):
                for s in (-1, 1):
                    b.cyl((s * 1.45, yb + dy, .45), (s * 1.6, yb + dy, .45), .45, f=.5)
        if kind != "steam" and k == 0:
            b.cyl((0, y1 - 4, H), (0, y1 - 5, H + 1.2), .06, f=.3)
            b.box((0, y1 - 5, H + 1.2), (1.6, .1, .06))


def truck(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, clear = uniform(mr, 8, 10), 2.5, .6
    ycab = -L / 2 + 2.2
    b.rbox((0, (-L / 2 + ycab) / 2, clear + 1.35), (W, ycab + L / 2, 2.5), p=8)
    b.box((0, -L / 2 - .01, clear + 1.9), (W * .9, .02, .9))
    b.box((0, 0, clear), (W * .6, L * .95, .3))
    if cat == "garbage_truck" or (cat != "fire_truck" and chance(mr, .5)):
        b.rbox((0, (ycab + L / 2 - 1.3) / 2 + .1, clear + 1.5), (W, L / 2 - ycab - 1.3, 2.7), p=uniform(mr, 4, 10),
               axis="y")
        b.loft([(0, 0, 0, W / 2, 1.3), (1.4, 0, -.3, W / 2 * .9, .9)], p=6, axis="y", c=(0, L / 2 - 1.4, clear + 1.5))
        for s in (-1, 1):
            b.cyl((s * W / 2, L / 2 - .5, clear + 1.6), (s * W / 2, L / 2 - 1.5, clear + 3.0), .08, f=.4)
    else:  # fire engine: equipment body, ladder, light bar
        b.box((0, (ycab + L / 2) / 2, clear + 1.2), (W, L / 2 - ycab, 2.1))
        for s in (-1, 1):
            b.box((s * .5, (ycab + L / 2) / 2 + .5, clear + 2.5), (.08, L * .8, .12))
        for i in range(10):
            b.box((0, ycab + .6 + i * (L * .8) / 10, clear + 2.5), (1.0, .06, .06))
        b.box((0, -L / 2 + 1.0, clear + 2.7), (W * .7, .25, .15))
        b.cyl((.6, ycab + .8, clear + 2.3), (.6, ycab + .8, clear + 2.55), .4, f=.5)
        for k in range(3):
            b.box((W / 2 + .01, ycab + 1 + k * 1.6, clear + 1.1), (.02, 1.4, 1.6))
    _axle_wheels(b, (-L / 2 + 1.3, L / 2 - 2.3, L / 2 - 1.1), W / 2 - .25, .5, .4)


def tank(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, 6.5, 8), uniform(mr, 3.3, 3.8)
    vehicle_body(b, [(-L / 2, 1.0, W * .35, .2), (-L / 2 + 1.0, 1.25, W * .38, .45), (L / 2 - .5, 1.3, W * .38, .5),
                     (L / 2, 1.2, W * .35, .35)], p=6)
    k = b.n(.6, 6)
    rr = .5
    stad = np.vstack([arc_points((L / 2 - rr - .2, rr + .05, 0), rr, -PI / 2, PI / 2, k, "xy")[:, :2],
                      arc_points((-L / 2 + rr, rr + .25, 0), rr, PI / 2, 3 * PI / 2, k, "xy")[:, :2]])
    for s in (-1, 1):
        b.extrude(stad, .65, c=(s * (W / 2 - .32), 0, 0), axis="x")
        for i in range(6):
            y = -L / 2 + 1.0 + i * (L - 1.8) / 5
            b.cyl((s * (W / 2 + .0), y, .42), (s * (W / 2 + .03), y, .42), .33, f=.5)
    ang = uniform(mr, -.6, .6) if chance(mr, .5) else 0.0
    R = rotation(az=ang)
    tc = np.array([0, .5, 1.75])
    b.revolve([(1.2, -.3), (1.3, 0), (1.1, .35), (.7, .5)], c=tc, sx=1.0, sy=1.3, rot=R, f=1.0, cap0=True)
    L_gun = uniform(mr, 3.5, 5)
    b.cyl(tc + R @ (0, -1.4, .05), tc + R @ (0, -1.4 - L_gun, .1), .12, .09, f=.5)
    b.cyl(tc + R @ (0, -1.2 - L_gun, .1), tc + R @ (0, -1.6 - L_gun, .1), .16, f=.5)
    b.cyl(tc + R @ (.5, .3, .45), tc + R @ (.5, .3, .65), .3, f=.5)
    b.cyl(tc + R @ (-.5, -.2, .6), tc + R @ (-.5, -1.0, .6), .04, f=.3)


def tractor(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    rr, rf = uniform(mr, .7, .9), uniform(mr, .38, .48)
    wb = uniform(mr, 2.0, 2.6)
    yr, yf = wb * .35, -wb * .65
    b.rbox((0, yf + .1, rf + .45), (.85, wb * .9, .8), p=6, axis="y")
    b.box((0, yf - .55, rf + .2), (.7, .25, .4))
    b.rbox((0, yr - .1, rr + .2), (1.0, 1.0, .6), p=6)
    if chance(mr, .6):  # closed cab
        for sx in (-1, 1):
            for sy in (-1, 1):
                b.cyl((sx * .6, yr + sy * .55, rr + .45), (sx * .6, yr + sy * .55, rr + 1.9), .04, f=.3)
        b.rbox((0, yr, rr + 1.95), (1.35, 1.3, .1), p=8)
        b.box((0, yr - .56, rr + 1.2), (1.15, .02, 1.3))
    else:  # open seat with a roll bar
        b.rbox((0, yr + .1, rr + .65), (.5, .45, .1), p=4)
        b.rbox((0, yr + .33, rr + .9), (.5, .08, .45), p=4)
        b.sweep(arc_points((0, yr + .6, rr + .5), .65, 0, PI, b.n(.5, 5)), .04, up=(0, 1, 0))
    b.torus((0, yr - .45, rr + 1.0), .2, .02, rot=rotation(ax=-.6), f=.5)
    b.cyl((.3, yf + .3, rf + .8), (.3, yf + .3, rr + 1.6), .05, f=.4)
    for s in (-1, 1):
        road_wheel(b, (s * .85, yr, rr), rr, .45)
        road_wheel(b, (s * .7, yf, rf), rf, .3)
        b.torus((s * .85, yr, rr), rr + .05, .03, axis="x", rot=None, arc=(0, PI), f=.6)


def harvester(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W, H = uniform(mr, 6, 8), 3.0, uniform(mr, 3.3, 3.8)
    b.rbox((0, .3, 1.0 + (H - 1.0) / 2), (W, L - 1.5, H - 1.0), p=6, axis="y")
    hw = uniform(mr, 5, 7)
    b.rbox((0, -L / 2 - .6, .8), (hw, 1.4, .7), p=4, axis="x")
    b.cyl((-hw / 2, -L / 2 - .9, 1.4), (hw / 2, -L / 2 - .9, 1.4), .45, f=.6)
    b.box((0, -L / 2 + .5, 1.2), (1.2, 1.6, .5), rot=rotation(ax=.3))
    b.rbox((0, -L / 2 + 1.4, H + .7), (1.6, 1.5, 1.4), p=8)
    b.box((0, -L / 2 + .64, H + .7), (1.4, .02, 1.2))
    b.rbox((0, .8, H + .4), (2.4, 2.5, .8), p=4, taper=1.1)
    side = pick(mr, (-1, 1))
    b.cyl((side * W / 2, 1.5, H), (side * (W / 2 + 3.5), .5, H + 1.5), .18, f=.5)
    for s in (-1, 1):
        road_wheel(b, (s * 1.5, -L / 2 + 1.4, .85), .85, .6)
        road_wheel(b, (s * 1.3, L / 2 - 1.0, .55), .55, .4)


def forklift(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    b.rbox((0, .25, .75), (1.1, 1.8, .9), p=6)
    b.rbox((0, 1.1, .85), (1.1, .5, 1.1), p=3)
    mh = uniform(mr, 2.0, 2.6)
    for s in (-1, 1):
        b.box((s * .32, -.75, mh / 2 + .1), (.1, .12, mh))
    b.box((0, -.75, mh), (.74, .1, .1))
    fz = uniform(mr, .08, mh * .6)
    b.box((0, -.85, fz + .25), (.9, .06, .55))
    for s in (-1, 1):
        b.box((s * .25, -1.4, fz), (.12, 1.1, .05))
        b.box((s * .25, -.88, fz + .25), (.12, .05, .5))
    for sx in (-1, 1):
        for sy in (-.55, .9):
            b.cyl((sx * .5, sy, 1.2), (sx * .5, sy, 2.2), .035, f=.3)
    for i in range(4):
        b.box((0, -.55 + i * .48, 2.2), (1.05, .05, .05))
    b.rbox((0, .45, 1.3), (.5, .45, .1), p=4)
    b.rbox((0, .65, 1.55), (.5, .1, .45), p=4)
    b.torus((0, -.1, 1.6), .17, .02, rot=rotation(ax=-.8), f=.5)
    for s in (-1, 1):
        road_wheel(b, (s * .5, -.4, .32), .32, .25)
        road_wheel(b, (s * .45, .9, .25), .25, .2)


def bumper(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    W, L = uniform(mr, 1.1, 1.4), uniform(mr, 1.6, 2.0)
    b.loft([(.1, 0, 0, W / 2, L / 2), (.45, 0, .05, W / 2 * .95, L / 2 * .95), (.6, 0, .15, W / 2 * .8, L / 2 * .7)],
           p=2.5, along=.05)
    b.torus((0, 0, .2), W / 2 + .08, .1, Ry=L / 2 + .08, f=1.0)
    b.rbox((0, L * .15, .75), (.6, .4, .3), p=3)
    b.rbox((0, L * .3, 1.0), (.6, .12, .5), p=3)
    b.cyl((0, -L * .15, .55), (0, -L * .25, .85), .03, f=.3)
    b.torus((0, -L * .26, .88), .17, .025, rot=rotation(ax=-.6), f=.5)
    b.cyl((0, L / 2 - .1, .5), (0, L / 2 - .1, uniform(mr, 2.0, 2.6)), .03, f=.3)
    b.sphere((0, -L / 2 + .1, .5), (.25, .08, .12), f=.5)


def buggy(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kart = cat == "go_kart"
    L, W = (1.8, 1.2) if kart else (3.0, 1.7)
    L, W = jitter(mr, L, .1), jitter(mr, W, .1)
    rf, rr = (.13, .14) if kart else (.33, .38)
    z0 = rf * .6 if kart else .45
    b.rbox((0, 0, z0), (W * .6, L * .9, .06 if kart else .15), p=4)
    b.rbox((0, -L / 2 + .1, z0 + .08), (W * .5, .3, .14), p=3)
    seat_y = L * .1
    b.loft([(z0, 0, seat_y, .22, .2), (z0 + .35, 0, seat_y + .15, .24, .08)], p=3)
    b.cyl((0, -L * .1, z0 + .1), (0, -L * .22, z0 + .45), .02, f=.3)
    b.torus((0, -L * .22, z0 + .45), .15, .015, rot=rotation(ax=-.9), f=.5)
    if kart:
        side = pick(mr, (-1, 1))
        b.rbox((side * W * .22, L * .35, z0 + .15), (.25, .3, .25), p=6)
        for s in (-1, 1):
            b.rbox((s * W * .38, 0, z0 + .05), (.12, L * .45, .12), p=3)
    else:
        for y in (seat_y + .35, -L * .18):
            b.sweep(arc_points((0, y, z0), W * .42, 0, PI, b.n(.6, 5), "xz"), .03, up=(0, 1, 0))
        for s in (-1, 1):
            b.cyl((s * W * .42, seat_y + .35, z0 + .05), (s * W * .3, -L * .18, z0 + W * .42), .025, f=.3)
        b.rbox((0, L * .38, z0 + .3), (.6, .5, .4), p=6)
    _axle_wheels(b, (-L / 2 + .25,), W / 2, rf, .12 if kart else .25)
    _axle_wheels(b, (L / 2 - .25,), W / 2, rr, .18 if kart else .32)


def mower(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, 1.6, 2.0), uniform(mr, .8, 1.0)
    b.rbox((0, -L * .25, .55), (W * .6, L * .45, .3), p=4, taper=.9)
    b.rbox((0, L * .12, .42), (W * .8, L * .5, .12), p=6)
    b.rbox((0, L * .18, .57), (.45, .4, .08), p=3)
    b.rbox((0, L * .36, .8), (.45, .08, .4), p=3)
    b.cyl((0, -.05, .5), (0, -.15, 1.0), .025, f=.3)
    b.torus((0, -.15, 1.0), .16, .015, rot=rotation(ax=-.7), f=.5)
    b.rbox((0, 0, .18), (W * 1.25, .7, .12), p=3)
    _axle_wheels(b, (-L / 2 + .2,), W * .4, .17, .12)
    _axle_wheels(b, (L / 2 - .25,), W * .45, .27, .2)


def snowmobile(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    L, W = uniform(mr, 2.6, 3.2), uniform(mr, .9, 1.2)
    vehicle_body(b, [(-L / 2, .5, .1, .1), (-L / 2 + .6, .6, W * .4, .3), (-L * .05, .65, W * .42, .35),
                     (L / 2, .55, W * .35, .2)], p=4)
    b.box((0, -L * .12, 1.05), (W * .6, .02, .35), rot=rotation(ax=-.5))
    b.rbox((0, L * .2, .9), (.45, L * .45, .15), p=3)
    b.cyl((0, -L * .05, .9), (0, -L * .02, 1.05), .03, f=.3)
    b.cyl((-W * .4, -L * .02, 1.05), (W * .4, -L * .02, 1.05), .02, f=.3)
    for s in (-1, 1):
        x = s * W * .42
        b.box((x, -L * .3, .04), (.15, L * .4, .03))
        b.box((x, -L * .52, .1), (.15, .16, .03), rot=rotation(ax=.6))
        b.cyl((x, -L * .3, .05), (x * .7, -L * .3, .45), .03, f=.3)
    rr = .22
    k = b.n(.5, 5)
    stad = np.vstack([arc_points((L / 2 - rr, rr, 0), rr, -PI / 2, PI / 2, k, "xy")[:, :2],
                      arc_points((-L * .05 + rr, rr + .1, 0), rr, PI / 2, 3 * PI / 2, k, "xy")[:, :2]])
    b.extrude(stad, W * .5, axis="x")
