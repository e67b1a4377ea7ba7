"""The one table of shapes: every ImageNet3D category, its shape family and its builder.

Adding a category means adding one row here (and a builder, if no existing one fits).
A name that is not in the table raises :class:`UnknownCategoryError` rather than
getting some shape silently. tests/test_shapes.py checks the table covers exactly
``imagenet3d.CATEGORIES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_release.errors import UnknownCategoryError
from synthetic_release.shapes import (
    aircraft,
    boats,
    cabinets,
    footwear,
    handheld,
    instruments,
    lathe,
    long_tools,
    panels,
    poles,
    road_vehicles,
    seats,
    soft_round,
    tables,
    wheeled,
    wire_frames,
)
from synthetic_release.shapes.mesh_builder import Builder

AxisPair = tuple[int, int]
# Wheels, rings and dials standing in the xz-plane stay round when x and z stretch together.
ROUND_IN_XZ: AxisPair = (0, 2)


@dataclass(frozen=True)
class Shape:
    """How one category's CAD models are built."""

    family: str  # also named in the category's description text
    build: Builder
    # Axis pair a model's random stretch keeps equal, so turned parts and wheels stay round.
    round_axes: AxisPair | None = None


def _family(family: str, members: dict[str, Builder | tuple[Builder, AxisPair]],
            round_axes: AxisPair | None = None) -> dict[str, Shape]:
    """Rows for one family; a member given as (builder, axes) keeps other axes round than the family's."""
    rows = {}
    for category, entry in members.items():
        build, axes = entry if isinstance(entry, tuple) else (entry, round_axes)
        rows[category] = Shape(family, build, axes)
    return rows


def _table(*families: dict[str, Shape]) -> dict[str, Shape]:
    """The families' rows in one table; a category in two families is a mistake, not a silent override."""
    rows: dict[str, Shape] = {}
    for family in families:
        for category, shape in family.items():
            if category in rows:
                raise ValueError(f"{category!r} is in the {rows[category].family} and {shape.family} families")
            rows[category] = shape
    return rows


SHAPES: dict[str, Shape] = _table(
    _family("seat", {
        "bench": seats.bench,
        "chair": seats.chair,
        "highchair": seats.chair,
        "sofa": seats.sofa,
        "toilet": seats.toilet,
    }),
    _family("table", {
        "bed": tables.bed,
        "billiard_table": tables.billiard,
        "diningtable": tables.dining,
        "table_tennis_table": tables.pingpong,
        "treadmill": tables.treadmill,
    }),
    _family("cabinet", {
        "bookshelf": cabinets.sized(cabinets.shelves, 0.9, 0.3, 1.8),
        "cabinet": cabinets.sized(cabinets.door_cabinet, 0.9, 0.45, 1.1),
        "coffee_maker": cabinets.sized(cabinets.coffee, 0.25, 0.3, 0.38),
        "cooker": cabinets.sized(cabinets.stove, 0.6, 0.6, 0.9),
        "dishwasher": cabinets.sized(cabinets.dishwasher, 0.6, 0.6, 0.85),
        "filing_cabinet": cabinets.sized(cabinets.drawers, 0.45, 0.62, 1.3),
        "fish_tank": cabinets.sized(cabinets.tank, 0.8, 0.35, 0.45),
        "microwave": cabinets.sized(cabinets.microwave, 0.5, 0.38, 0.3),
        "pay_phone": cabinets.sized(cabinets.payphone, 0.3, 0.15, 0.5),
        "piano": cabinets.sized(cabinets.piano, 1.5, 0.6, 1.2),
        "printer": cabinets.sized(cabinets.printer, 0.45, 0.4, 0.25),
        "projector": cabinets.sized(cabinets.projector, 0.3, 0.25, 0.1),
        "radiator": cabinets.sized(cabinets.radiator, 0.8, 0.1, 0.6),
        "refrigerator": cabinets.sized(cabinets.fridge, 0.75, 0.72, 1.75),
        "sewing_machine": cabinets.sized(cabinets.sewing, 0.42, 0.2, 0.3),
        "sink": cabinets.sized(cabinets.sink, 0.6, 0.5, 0.85),
        "speaker": cabinets.sized(cabinets.speaker, 0.25, 0.28, 0.45),
        "stove": cabinets.sized(cabinets.stove, 0.75, 0.65, 0.9),
        "suitcase": cabinets.sized(cabinets.suitcase, 0.45, 0.25, 0.65),
        "toaster": cabinets.sized(cabinets.toaster, 0.3, 0.18, 0.2),
        "vending_machine": cabinets.sized(cabinets.vending, 0.95, 0.8, 1.85),
        "washer": cabinets.sized(cabinets.washer, 0.6, 0.62, 0.88),
        "washing_machine": cabinets.sized(cabinets.washer, 0.6, 0.6, 0.85),
    }),
    _family("panel", {
        "blackboard": panels.blackboard,
        "clock": (panels.clock, ROUND_IN_XZ),
        "computer": panels.computer,
        "door": panels.door,
        "laptop": panels.laptop,
        "tvmonitor": panels.tv,
    }),
    _family("road_vehicle", {
        "ambulance": road_vehicles.van,
        "bumper_car": road_vehicles.bumper,
        "bus": road_vehicles.bus,
        "car": road_vehicles.car,
        "dune_buggy": road_vehicles.buggy,
        "fire_truck": road_vehicles.truck,
        "forklift": road_vehicles.forklift,
        "garbage_truck": road_vehicles.truck,
        "go_kart": road_vehicles.buggy,
        "harvester": road_vehicles.harvester,
        "recreational_vehicle": road_vehicles.van,
        "riding_mower": road_vehicles.mower,
        "school_bus": road_vehicles.bus,
        "snowmobile": road_vehicles.snowmobile,
        "tank": road_vehicles.tank,
        "tractor": road_vehicles.tractor,
        "train": road_vehicles.train,
        "trolleybus": road_vehicles.bus,
    }, round_axes=(1, 2)),
    _family("aircraft", {
        "aeroplane": aircraft.plane,
        "airship": aircraft.airship,
        "glider": aircraft.plane,
    }),
    _family("boat", {
        "boat": boats.boat,
        "frigate": boats.frigate,
        "hovercraft": boats.hover,
    }),
    _family("lathe", {
        "ashtray": lathe.ashtray,
        "basket": lathe.basket,
        "battery": lathe.battery,
        "beaker": lathe.beaker,
        "bottle": lathe.bottle,
        "bowl": lathe.bowl,
        "bowling_pin": lathe.pin,
        "bucket": lathe.bucket,
        "can": lathe.can,
        "cone": lathe.cone,
        "cooling_tower": lathe.tower,
        "cup": lathe.cup,
        "erlenmeyer_flask": lathe.flask,
        "fire_extinguisher": lathe.extinguisher,
        "frisbee": lathe.frisbee,
        "funnel": lathe.funnel,
        "hourglass": lathe.hourglass,
        "jar": lathe.jar,
        "kettle": lathe.kettle,
        "light_bulb": lathe.bulb,
        "lipstick": lathe.lipstick,
        "pan": lathe.pan,
        "plate": lathe.plate,
        "pot": lathe.pot,
        "salt_or_pepper_shaker": lathe.shaker,
        "teapot": lathe.teapot,
        "trash_bin": lathe.trash,
        "trophy": lathe.trophy,
        "tub": lathe.tub,
        "yurt": lathe.yurt,
    }, round_axes=(0, 1)),
    _family("long_tool", {
        "ax": long_tools.ax,
        "barbell": long_tools.barbell,
        "baseball_bat": long_tools.bat,
        "comb": long_tools.comb,
        "crutch": long_tools.crutch,
        "dumbbell": long_tools.barbell,
        "flashlight": long_tools.flashlight,
        "fork": long_tools.fork,
        "hacksaw": long_tools.hacksaw,
        "hammer": long_tools.hammer,
        "hockey_stick": long_tools.hockey,
        "key": long_tools.key,
        "knife": long_tools.knife,
        "magnifier": long_tools.magnifier,
        "micrometer": long_tools.micrometer,
        "paintbrush": long_tools.paintbrush,
        "pen": long_tools.pen,
        "pencil": long_tools.pencil,
        "racket": long_tools.racket,
        "rifle": long_tools.rifle,
        "screwdriver": long_tools.screwdriver,
        "shovel": long_tools.shovel,
        "spoon": long_tools.spoon,
        "syringe": long_tools.syringe,
        "toothbrush": long_tools.toothbrush,
        "trowel": long_tools.trowel,
        "whisk": long_tools.whisk,
    }),
    _family("instrument", {
        "french_horn": (instruments.horn, ROUND_IN_XZ),
        "guitar": instruments.guitar,
        "harp": instruments.harp,
        "sax": instruments.sax,
        "violin": instruments.guitar,
    }),
    _family("soft_round", {
        "backpack": soft_round.backpack,
        "boxing_glove": soft_round.glove,
        "cap": soft_round.cap,
        "helmet": soft_round.helmet,
        "hot_air_balloon": soft_round.balloon,
        "life_buoy": (soft_round.buoy, ROUND_IN_XZ),
        "pillow": soft_round.pillow,
        "punching_bag": soft_round.punching,
        "sombrero": soft_round.sombrero,
    }),
    _family("pole", {
        "bicycle_pump": poles.pump,
        "desk_lamp": poles.desk_lamp,
        "fan": poles.fan,
        "faucet": poles.faucet,
        "mailbox": poles.mailbox,
        "microphone": poles.mic,
        "road_pole": poles.road,
        "satellite_dish": poles.dish,
        "sign": poles.sign,
        "sundial": poles.sundial,
        "wind_turbine": poles.turbine,
    }),
    _family("wheeled", {
        "bicycle": wheeled.bicycle,
        "bicycle_built_for_two": wheeled.bicycle,
        "cart": wheeled.cart,
        "ferris_wheel": (wheeled.ferris, ROUND_IN_XZ),
        "hand_barrow": wheeled.barrow,
        "hand_mower": wheeled.handmower,
        "jinrikisha": wheeled.rickshaw,
        "millwheel": wheeled.millwheel,
        "motorbike": wheeled.motorbike,
        "segway": wheeled.segway,
        "shopping_cart": wheeled.shopping,
        "skateboard": wheeled.skateboard,
        "tricycle": wheeled.tricycle,
        "unicycle": wheeled.unicycle,
        "wheelchair": wheeled.wheelchair,
    }, round_axes=(1, 2)),
    _family("handheld", {
        "air_hammer": handheld.gun,
        "calculator": handheld.slab,
        "camcorder": handheld.camcorder,
        "camera": handheld.camera,
        "cellphone": handheld.slab,
        "chain_saw": handheld.gun,
        "eraser": handheld.slab,
        "grinder": handheld.gun,
        "hair_dryer": handheld.gun,
        "interphone": handheld.interphone,
        "iron": handheld.iron,
        "keyboard": handheld.keyboard,
        "lighter": handheld.lighter,
        "megaphone": handheld.gun,
        "mouse": handheld.mouse,
        "padlock": handheld.padlock,
        "power_drill": handheld.gun,
        "remote_control": handheld.slab,
        "shaver": handheld.shaver,
        "stapler": handheld.stapler,
        "telephone": handheld.phone,
    }),
    _family("footwear", {
        "shoe": footwear.shoe,
        "skate": footwear.skate,
        "slipper": footwear.slipper,
    }),
    _family("wire_frame", {
        "bow": wire_frames.bow,
        "eyeglasses": wire_frames.glasses,
        "headphone": wire_frames.headphone,
        "scissors": wire_frames.scissors,
        "watch": wire_frames.watch,
    }),
)


def shape_of(category: str) -> Shape:
    """The shape row of a category; raises UnknownCategoryError for a name not in the table."""
    try:
        return SHAPES[category]
    except KeyError:
        raise UnknownCategoryError(category) from None


def family_of(category: str) -> str:
    """Shape family of a category, e.g. ``"lathe"`` for ``"cup"``."""
    return shape_of(category).family
