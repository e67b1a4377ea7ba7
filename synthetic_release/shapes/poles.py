"""The pole family: a vertical post / stand carrying the working part."""

from __future__ import annotations

import math

import numpy as np

from synthetic_release.shapes.geometry import (
    FACE_FRONT,
    PI,
    TAU,
    Rng,
    arc_points,
    chance,
    ellipse,
    pick,
    rotation,
    rotation_to,
    shell_profile,
    spline,
    uniform,
)
from synthetic_release.shapes.mesh_builder import MeshBuilder
from synthetic_release.shapes.parts import turned_solid, turned_vessel


def road(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("lamp", "traffic", "bollard", "striped"))
    if kind == "bollard":
        H = uniform(mr, .8, 1.2)
        b.rbox((0, 0, .02), (.3, .3, .04), p=4)
        b.cyl((0, 0, .04), (0, 0, H), .05, .04, f=.8, p=pick(mr, (2.0, 5.0)))
        for z in (.7, .85):
            b.cyl((0, 0, H * z), (0, 0, H * z + .06), .046, f=.8, cap0=False, cap1=False)
        b.box((0, -.045, H * .6), (.05, .01, .12))
        return
    H = uniform(mr, 3, 8)
    b.cyl((0, 0, 0), (0, 0, .4), .14, .11, f=.8)
    b.cyl((0, 0, .4), (0, 0, H), .09, .06, f=.8, along=.1)
    if kind == "lamp":
        arm = spline([(0, 0, H), (0, -.4, H + .4), (0, -1.4, H + .5)], b.n(.5, 4))
        b.sweep(arm, .05, up=(1, 0, 0))
        b.rbox((0, -1.5, H + .42), (.3, .6, .15), p=3, f=.6)
    elif kind == "traffic":
        L = uniform(mr, 2.5, 5)
        b.cyl((0, 0, H - .2), (L, 0, H - .2), .06, f=.5)
        for x in (L * .6, L):
            b.rbox((x, 0, H - .7), (.3, .25, .9), p=4, f=.6)
            for k in range(3):
                b.cyl((x, -.12, H - .95 + k * .27), (x, -.17, H - .95 + k * .27), .1, f=.5)
    else:
        for i in range(8):
            b.cyl((0, 0, H * (.1 + .1 * i)), (0, 0, H * (.1 + .1 * i) + H * .05), .085, f=.8, cap0=False,
                  cap1=False)
        b.extrude(np.array([(-.3, 0), (.3, 0), (.3, .4), (-.3, .4)]), .02, c=(0, -.1, H - .5), axis="y")


def turbine(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = 1.0
    rb = uniform(mr, .5, .7)
    b.cyl((0, 0, 0), (0, 0, H), .035, .018, f=.8, along=.1)
    b.rbox((0, .03, H + .02), (.05, .16, .05), p=4, axis="y")
    b.revolve([(0, 0), (.03, .03), (.03, .05)], c=(0, -.05, H + .02), rot=FACE_FRONT, along=None, f=.6)
    ph = uniform(mr, 0, TAU)
    k = b.n(.6, 4)
    t = np.linspace(0, 1, k)
    blade = np.vstack([np.stack([.02 + rb * t, .035 * (1 - t) + .006], 1), np.stack([.02 + rb * t[::-1],
                                                                                     -.02 * (1 - t[::-1]) - .004], 1)])
    for i in range(3):
        a = ph + TAU * i / 3
        b.extrude(blade, .006, c=(0, -.06, H + .02), rot=rotation(ay=a) @ rotation(ax=PI / 2 + .15))


def desk_lamp(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("arm", "arm", "stem"))
    b.cyl((0, 0, 0), (0, 0, .025), uniform(mr, .08, .11), f=1.0)
    if kind == "stem":
        H = uniform(mr, .35, .5)
        b.cyl((0, 0, .025), (0, 0, H), .01, f=.5)
        turned_vessel(b, [(.04, 0), (.1, -.12)][::-1], .003, c=(0, 0, H + .13))
        return
    a1, a2 = uniform(mr, .2, .6), uniform(mr, .8, 1.4)
    L1, L2 = uniform(mr, .3, .4), uniform(mr, .3, .4)
    j1 = np.array([0, 0, .05])
    j2 = j1 + L1 * np.array([0, math.sin(a1), math.cos(a1)])
    j3 = j2 + L2 * np.array([0, -math.sin(a2), math.cos(a2)])
    for p0, p1 in ((j1, j2), (j2, j3)):
        for s in (-1, 1):
            b.cyl(p0 + (s * .012, 0, 0), p1 + (s * .012, 0, 0), .006, f=.3)
    for j in (j1, j2):
        b.cyl(j - (.025, 0, 0), j + (.025, 0, 0), .014, f=.4)
    d = np.array([0, -.6, -.8])
    b.revolve([(.015, 0), (.03, .04), (.08, .13)], c=j3, rot=rotation_to(d), cap0=True, cap1=False, f=1.0)
    b.cyl(j2 + (0, .02, -.05), j1 + (0, .05, .08), .003, f=.2)


def fan(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("pedestal", "desk", "ceiling"))
    R = uniform(mr, .15, .22)
    if kind == "ceiling":
        rod, bl = uniform(mr, .05, .45), uniform(mr, .4, .6)
        b.cyl((0, 0, .32 + rod), (0, 0, .3), .012, f=.4)
        b.cyl((0, 0, .32 + rod), (0, 0, .3 + rod), .06, f=.5)
        b.revolve([(.08, .22), (.09, .28), (.05, .32)], f=.8)
        if chance(mr, .5):  # light kit
            b.sphere((0, 0, .18), (.07, .07, .06), f=.6)
        nb = pick(mr, (3, 4, 5))
        for i in range(nb):
            a = TAU * i / nb + .2
            b.rbox((math.cos(a) * (bl / 2 + .1), math.sin(a) * (bl / 2 + .1), .25), (bl, bl * .22, .01), p=3,
                   rot=rotation(ax=.15, az=a), f=.5)
        return
    H = uniform(mr, .9, 1.3) if kind == "pedestal" else uniform(mr, .2, .3)
    b.cyl((0, 0, 0), (0, 0, .03), R * 1.2, f=.8)
    b.cyl((0, 0, .03), (0, 0, H), .015, f=.4)
    c = np.array([0, 0, H + R * .3])
    b.revolve([(0, 0), (.06, .02), (.07, .09), (.04, .14)], c=c + (0, .16, 0), rot=FACE_FRONT, along=None, f=.7)
    nb = pick(mr, (3, 4, 5))
    for i in range(nb):
        a = TAU * i / nb + uniform(mr, 0, 1)
        b.extrude(ellipse(R * .42, R * .2, b.n(.5, 6)), .004, c=c + (math.cos(a) * R * .5, 0, math.sin(a) * R * .5),
                  rot=rotation(ay=-a) @ rotation(ax=PI / 2 + .3))
    for y in (-.04, .04):
        b.torus(c + (0, y, 0), R, .004, axis="y", f=.8)
    for i in range(min(8, b.n(.2, 3))):
        a = TAU * i / min(8, b.n(.2, 3))
        b.cyl(c + (R * math.cos(a), -.04, R * math.sin(a)), c + (R * math.cos(a), .04, R * math.sin(a)), .003, f=.15,
              n=3)
    b.sphere(c - (0, .045, 0), (.025, .01, .025), f=.4)


def mic(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .9, 1.5)
    if chance(mr, .5):
        for k in range(3):
            a = TAU * k / 3 + PI / 2
            b.cyl((0, 0, .2), (.25 * math.cos(a), .25 * math.sin(a), 0), .008, f=.3)
    else:
        b.cyl((0, 0, 0), (0, 0, .02), .14, f=.8)
    b.cyl((0, 0, 0), (0, 0, H), .01, f=.4)
    tip = np.array([0, -uniform(mr, .25, .45), H + uniform(mr, .05, .25)])
    b.cyl((0, .1, H - .03), tip, .007, f=.3)
    d = np.array([0, -1.0, .6])
    b.cyl(tip, tip + d * .1, .013, .016, f=.5)
    b.sphere(tip + d * .1 + d / np.linalg.norm(d) * .025, .028, f=.7)


def dish(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    R = uniform(mr, .3, .5)
    f_len = R * uniform(mr, .5, .8)
    rr = np.linspace(.01, R, b.n(.35, 4))
    outer = np.stack([rr, rr**2 / (4 * f_len)], 1)
    prof = shell_profile(outer, .01)
    tilt = uniform(mr, .3, .7)
    d = np.array([0, -math.cos(tilt), math.sin(tilt)])
    R0 = rotation_to(d)
    c = np.array([0, 0, R * 1.3])
    b.revolve(prof, c=c, rot=R0, along=None, f=1.2, sx=1.0, sy=uniform(mr, .85, 1.0))
    focus = c + d * f_len
    rim = c + R0 @ np.array([0, -R, R**2 / (4 * f_len)])
    b.cyl(rim, focus, .008, f=.3)
    b.cyl(focus - d * .04, focus + d * .02, .025, f=.5)
    b.cyl(c - d * .05, c - d * .15, .04, f=.5)
    b.cyl((0, .1, 0), c - d * .15, .035, f=.5)
    b.rbox((0, .1, .02), (.3, .3, .04), p=4)


def mailbox(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    kind = pick(mr, ("us", "us", "pillar"))
    if kind == "pillar":
        r, H = uniform(mr, .22, .28), uniform(mr, 1.3, 1.6)
        b.revolve([(r * 1.1, 0), (r * 1.1, .08), (r, .1), (r, H)], f=1.2)
        turned_solid(b, [(0, H), (r * 1.12, H), (r * 1.1, H + .05), (r * .6, H + r * .6), (0, H + r * .7)], along=.3)
        b.box((0, -r - .005, H * .8), (r * .7, .02, .04))
        b.box((0, -r - .005, H * .6), (r * .5, .012, .15))
        return
    H = uniform(mr, 1.0, 1.2)
    b.box((0, .05, H / 2), (.1, .1, H))
    w, L = uniform(mr, .18, .24), uniform(mr, .45, .55)
    k = b.n(.5, 4)
    prof = np.vstack([[(-w / 2, 0), (w / 2, 0)], arc_points((0, w * .6, 0), w / 2, 0, PI, k, "xy")[:, :2]])
    b.extrude(prof, L, c=(0, -L * .15, H), axis="y", f=1.0)
    b.extrude(prof * 1.04, .01, c=(0, -L * .65 - .005, H - .004), axis="y", f=1.0)
    b.cyl((0, -L * .65 - .01, H + w * .5), (0, -L * .65 - .03, H + w * .5), .01, f=.3)
    up = chance(mr, .5)
    fx = w / 2 + .01
    b.box((fx, -L * .2, H + w * .4), (.008, .03, .18) if up else (.008, .18, .03))
    b.box((fx, -L * .2 + (0 if up else -.09), H + w * .4 + (.09 if up else 0)), (.008, .08, .05))


def sign(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, 2.0, 2.8)
    shape = pick(mr, ("octagon", "triangle", "circle", "rect", "diamond", "street"))
    s = uniform(mr, .6, .9)
    twin = shape == "rect" and chance(mr, .4)
    posts = (-s * .6, s * .6) if twin else (0.0,)
    for x in posts:
        b.cyl((x, .03, 0), (x, .03, H), .03, f=.4, p=pick(mr, (2.0, 8.0)))
    k = b.n(.8, 8)
    if shape == "octagon":
        poly = ellipse(s / 2, s / 2, 8, 2.0) @ rotation(az=PI / 8)[:2, :2].T
    elif shape == "triangle":
        poly = np.array([(-s / 2, s * .43), (s / 2, s * .43), (0, -s * .43)])
    elif shape == "circle":
        poly = ellipse(s / 2, s / 2, k)
    elif shape == "diamond":
        poly = np.array([(0, -s / 2), (s / 2, 0), (0, s / 2), (-s / 2, 0)])
    else:
        poly = np.array([(-s * (1.0 if twin else .7), -s * .25), (s * (1.0 if twin else .7), -s * .25),
                         (s * (1.0 if twin else .7), s * .25), (-s * (1.0 if twin else .7), s * .25)])
    if shape == "street":
        for z, rot in ((H - .1, None), (H - .3, rotation(az=PI / 2))):
            b.box((0, 0, z), (s * 1.4, .01, .18), rot=rot)
        return
    b.extrude(poly, .01, c=(0, 0, H - s * .45), axis="y")
    b.extrude(poly * .85, .004, c=(0, -.006, H - s * .45), axis="y")


def sundial(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .6, 1.0)
    turned_solid(b, [(0, 0), (.2, 0), (.2, .08), (.12, .12), (.09, H * .5), (.12, H - .06), (.2, H - .04),
                     (0, H - .04)],
                 along=.5,
                 p=pick(mr, (2.0, 6.0)))
    R = uniform(mr, .2, .28)
    b.cyl((0, 0, H - .04), (0, 0, H), R, f=1.2)
    b.extrude(np.array([(-R * .8, 0), (R * .6, 0), (-R * .8, R * .7)]), .008, c=(0, 0, H), axis="x",
              rot=rotation(az=PI / 2))
    for k in range(12):
        a = PI * k / 11
        b.box((R * .85 * math.cos(a), R * .85 * math.sin(a) * -1, H + .002), (.01, .03, .004),
              rot=rotation(az=a + PI / 2))


def faucet(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .15, .3)
    b.revolve([(.03, 0), (.03, .01)], sx=1.3)
    b.cyl((0, 0, .01), (0, 0, H), .018, f=.6)
    reach = uniform(mr, .12, .2)
    spout = spline([(0, 0, H - .01), (0, 0, H + .05), (0, -reach * .6, H + .08), (0, -reach, H - .02),
                    (0, -reach, H - .05)], b.n(.6, 5))
    b.sweep(spout, .011, up=(1, 0, 0))
    if chance(mr, .5):
        b.box((0, .02, H + .03), (.015, .09, .01), rot=rotation(ax=-.4))
    else:
        for s in (-1, 1):
            b.cyl((s * .09, 0, 0), (s * .09, 0, .04), .018, f=.5)
            b.box((s * .09, 0, .05), (.05, .012, .01))
            b.box((s * .09, 0, .05), (.012, .05, .01))


def pump(b: MeshBuilder, cat: str, cr: Rng, mr: Rng) -> None:
    H = uniform(mr, .55, .7)
    b.rbox((0, 0, .015), (.22, .08, .03), p=4)
    b.cyl((0, 0, .03), (0, 0, H), .022, f=.6)
    ext = uniform(mr, .02, .2)
    b.cyl((0, 0, H), (0, 0, H + ext), .005, f=.3)
    b.cyl((-.09, 0, H + ext), (.09, 0, H + ext), .014, f=.4)
    b.cyl((0, -.02, .15), (0, -.04, .15), .035, f=.6)
    hose = spline([(.02, 0, .07), (.12, 0, .1), (.15, -.05, .4), (.1, -.08, .6)], b.n(.5, 5))
    b.sweep(hose, .006, up=(0, 1, 0))
