"""TODO docstring."""

from __future__ import annotations

from dataclasses import dataclass



# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------

#: Why a note travels with the super-categories: the official mapping
#: (imagenet3d_metaclasses_189.json) is not public, so every place that shows
#: a super-category must say the grouping is ours.
SUPER_CATEGORY_NOTE = (
    "Super-categories use the paper's seven names, but the assignment of "
    "categories to them is this project's own grouping: the official mapping "
    "(imagenet3d_metaclasses_189.json) is not public."
)

SUPER_CATEGORY_NAMES: tuple[str, ...] = (
    "Electronics", "Furniture", "Household", "Music", "Sports", "Vehicles", "Work",
)

#: Column headers of the paper's tables.
SUPER_CATEGORY_ABBREVIATIONS: dict[str, str] = {
    "Electronics": "Elec.", "Furniture": "Furn.", "Household": "Hou.",
    "Music": "Mus.", "Sports": "Spo.", "Vehicles": "Veh.", "Work": "Work",
}


@dataclass(frozen=True)
class CategoryInfo:
    """One category of the v1 release.

    ``known`` marks the 63 training categories of the open-vocabulary protocol
    (``know_categories.txt`` of imagenet3d_exp); the other 126 are novel.
    ``example_wnids`` are ImageNet21k synsets seen for it in public material
    (empty where none was found); the release's file names carry the real ones.
    """

    name: str
    index: int
    super_category: str
    known: bool
    num_cad_models: int
    example_wnids: tuple[str, ...]


# category, super-category (ours), known (1/0), number of CAD models, example WNIDs.
# Sources: the v1 code ecosystem's 189 categories, EXP:know_categories.txt and
# the annotation tool's CAD folders (see docs in the repository README).
_CATEGORY_TABLE = """\
aeroplane,Vehicles,1,8,n02690373 n03335030 n04012084 n02691156
air_hammer,Work,1,1,
airship,Vehicles,0,3,
ambulance,Vehicles,0,5,
ashtray,Household,1,10,
ax,Work,1,5,
backpack,Household,1,16,n02769748 n02773838
barbell,Sports,1,3,
baseball_bat,Sports,1,1,
basket,Household,0,15,n02801938
battery,Electronics,0,2,
beaker,Work,1,1,
bed,Furniture,1,10,n02818832
bench,Furniture,1,7,
bicycle,Vehicles,1,6,n02834778 n03792782 n04026813 n02835271 n04126066
bicycle_built_for_two,Vehicles,0,3,
bicycle_pump,Work,0,1,
billiard_table,Sports,0,1,
blackboard,Furniture,0,11,
boat,Vehicles,1,6,n03141327 n04196502 n04115456 n04128499 n02932891 n02858304
bookshelf,Furniture,0,8,
bottle,Household,1,8,
bow,Sports,0,4,
bowl,Household,0,4,
bowling_pin,Sports,0,2,
boxing_glove,Sports,0,1,
bucket,Household,0,4,n02909870
bumper_car,Vehicles,0,2,
bus,Vehicles,1,6,
cabinet,Furniture,0,15,
calculator,Electronics,0,5,n03483823
camcorder,Electronics,0,2,
camera,Electronics,1,11,
can,Household,0,6,
cap,Household,0,15,
car,Vehicles,1,10,
cart,Vehicles,0,5,
cellphone,Electronics,1,11,n02992529 n03483823
chain_saw,Work,0,3,
chair,Furniture,0,10,
clock,Household,1,10,
coffee_maker,Electronics,1,7,n03063338
comb,Household,0,9,
computer,Electronics,0,12,n03180011
cone,Work,0,2,
cooker,Electronics,0,1,
cooling_tower,Work,1,1,
crutch,Work,0,1,
cup,Household,0,10,n03147509
desk_lamp,Electronics,0,8,
diningtable,Furniture,1,6,
dishwasher,Electronics,1,4,n03207941
door,Furniture,0,14,
dumbbell,Sports,0,3,
dune_buggy,Vehicles,0,1,
eraser,Work,0,15,
erlenmeyer_flask,Work,0,1,
eyeglasses,Household,1,11,n04272054
fan,Electronics,0,13,
faucet,Household,0,14,
ferris_wheel,Work,1,1,
filing_cabinet,Furniture,0,8,
fire_extinguisher,Work,0,9,n03345837
fire_truck,Vehicles,0,4,
fish_tank,Household,0,6,
flashlight,Household,1,6,n03359137
fork,Household,1,9,
forklift,Vehicles,0,4,
french_horn,Music,0,1,
frigate,Vehicles,0,2,
frisbee,Sports,0,1,
funnel,Household,1,2,
garbage_truck,Vehicles,0,2,
glider,Vehicles,0,1,
go_kart,Vehicles,0,3,
grinder,Work,0,1,
guitar,Music,1,5,n03467517
hacksaw,Work,0,2,
hair_dryer,Electronics,1,4,
hammer,Work,1,6,
hand_barrow,Vehicles,0,4,
hand_mower,Work,0,2,
harp,Music,0,3,
harvester,Vehicles,0,3,
headphone,Electronics,0,5,
helmet,Sports,0,8,n03513137
highchair,Furniture,0,2,
hockey_stick,Sports,0,1,
hot_air_balloon,Vehicles,1,1,
hourglass,Household,0,3,
hovercraft,Vehicles,0,2,
interphone,Electronics,0,2,
iron,Electronics,0,5,
jar,Household,0,7,
jinrikisha,Vehicles,1,2,
kettle,Household,0,7,n03612814
key,Household,1,13,
keyboard,Electronics,0,12,n03614007
knife,Household,0,8,
laptop,Electronics,1,5,
life_buoy,Sports,0,1,
light_bulb,Electronics,1,2,
lighter,Household,0,6,n03666591
lipstick,Household,1,2,
magnifier,Household,0,2,
mailbox,Furniture,0,8,
megaphone,Electronics,0,2,
micrometer,Work,1,1,
microphone,Electronics,1,7,
microwave,Electronics,0,6,
millwheel,Work,0,1,
motorbike,Vehicles,1,5,
mouse,Electronics,0,5,n03793489
padlock,Household,0,4,
paintbrush,Work,0,6,
pan,Household,1,5,n03880323
pay_phone,Electronics,0,3,
pen,Work,0,7,
pencil,Work,0,4,
piano,Music,0,5,
pillow,Household,1,6,
plate,Household,0,6,
pot,Household,0,7,
power_drill,Work,0,3,
printer,Electronics,0,6,
projector,Electronics,0,2,
punching_bag,Sports,0,2,
racket,Sports,1,3,
radiator,Electronics,0,2,
recreational_vehicle,Vehicles,0,4,
refrigerator,Electronics,1,12,
remote_control,Electronics,0,7,
riding_mower,Vehicles,1,2,
rifle,Sports,0,8,
road_pole,Work,1,16,
salt_or_pepper_shaker,Household,0,4,
satellite_dish,Electronics,0,5,n04138131
sax,Music,1,3,
school_bus,Vehicles,0,3,
scissors,Work,0,6,
screwdriver,Work,0,7,
segway,Vehicles,1,1,
sewing_machine,Electronics,0,3,
shaver,Electronics,1,1,
shoe,Household,1,10,
shopping_cart,Vehicles,1,2,
shovel,Work,1,5,
sign,Work,1,11,
sink,Furniture,0,2,
skate,Sports,1,2,
skateboard,Sports,0,2,
slipper,Household,0,6,
snowmobile,Vehicles,0,2,
sofa,Furniture,0,6,
sombrero,Household,1,2,
speaker,Electronics,0,9,
spoon,Household,0,7,
stapler,Work,0,5,
stove,Electronics,0,6,
suitcase,Household,1,9,n02773838
sundial,Work,0,1,
syringe,Work,1,2,
table_tennis_table,Sports,0,2,
tank,Vehicles,0,4,
teapot,Household,1,7,n04398044
telephone,Electronics,0,9,
toaster,Electronics,0,10,
toilet,Furniture,1,7,
toothbrush,Household,1,5,
tractor,Vehicles,0,3,
train,Vehicles,1,4,n04468005 n02917067 n03896233 n03711044
trash_bin,Household,0,10,n02747177
treadmill,Sports,1,3,
tricycle,Vehicles,0,4,
trolleybus,Vehicles,0,2,
trophy,Household,0,11,
trowel,Work,0,2,
tub,Furniture,1,9,
tvmonitor,Electronics,0,4,
unicycle,Vehicles,0,4,
vending_machine,Electronics,0,11,
violin,Music,0,4,
washer,Electronics,0,2,
washing_machine,Electronics,0,5,
watch,Household,0,9,
wheelchair,Vehicles,0,5,
whisk,Household,0,1,
wind_turbine,Work,1,2,
yurt,Work,0,1,
"""


def _parse_category_table(table: str) -> dict[str, CategoryInfo]:
    rows = [line.split(",") for line in table.strip().splitlines()]
    names = sorted(row[0] for row in rows)
    info = {}
    for name, super_category, known, num_cad, wnids in rows:
        info[name] = CategoryInfo(
            name=name,
            index=names.index(name),
            super_category=super_category,
            known=known == "1",
            num_cad_models=int(num_cad),
            example_wnids=tuple(wnids.split()),
        )
    return dict(sorted(info.items()))


CATEGORY_INFO: dict[str, CategoryInfo] = _parse_category_table(_CATEGORY_TABLE)

#: The 189 category names in sorted order; the position is the class index
#: used by the official experiment code.
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_INFO)
KNOWN_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if CATEGORY_INFO[c].known)
NOVEL_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if not CATEGORY_INFO[c].known)
#: category -> super-category. Our grouping, see SUPER_CATEGORY_NOTE.
SUPER_CATEGORIES: dict[str, str] = {c: CATEGORY_INFO[c].super_category for c in CATEGORIES}

OBJECT_STATUSES: tuple[str, ...] = (
    "status_good", "status_partially", "status_barely", "status_bad",
)
DENSE_VALUES: tuple[str, ...] = ("dense_yes", "dense_no")

