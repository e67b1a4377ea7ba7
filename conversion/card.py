"""README.md of the Hub repository: YAML configs and features, then the card.

The YAML is made with datasets' own MetadataConfigs and DatasetInfosDict on a
huggingface_hub DatasetCardData, so it is exactly what load_dataset and the
Hub read. The prose comes from the repository's dataset_card.md.
"""

from __future__ import annotations

import glob
import os
import re
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

import imagenet3d
from _imagenet3d.configs import CONFIGS, partition_split
from _imagenet3d.files import atomic_write
from conversion import data_studio, manifest, plots
from conversion.derived_configs import single_file
from conversion.hub.fetch import PUBLIC_HUB, RELEASE_FILENAME, RELEASE_REPO_ID

CARD_TEMPLATE = Path(__file__).resolve().parents[1] / "dataset_card.md"
FIGURES_DIR = "figures"
SYNTHETIC_TAG = "synthetic"
RELEASE_PAGE = "https://imagenet3d.github.io"
PAPER_URL = "https://arxiv.org/abs/2406.09613"

def _matching(out: Path, patterns: tuple[str, ...]) -> list[str]:
    return sorted(str(Path(p).relative_to(out)) for pattern in patterns for p in glob.glob(str(out / pattern)))


def split_sizes(out: Path) -> dict[str, dict[str, tuple[int, int, list[str]]]]:
    """config -> split -> (rows, bytes, files), for splits that have files."""
    sizes: dict[str, dict[str, tuple[int, int, list[str]]]] = {}
    for config in CONFIGS.values():
        for split, patterns in config.data_files.items():
            files = _matching(out, patterns)
            if files:
                rows = sum(pq.ParquetFile(out / f).metadata.num_rows for f in files)
                size = sum(os.path.getsize(out / f) for f in files)
                sizes.setdefault(config.name, {})[split] = (rows, size, files)
    return sizes


def card_data(sizes: dict, synthetic: bool = False) -> DatasetCardData:
    tags = ["3d", "pose-estimation", "viewpoint-estimation", "cad-models", "open-vocabulary", "imagenet"]
    data = DatasetCardData(
        license="cc-by-nc-4.0",
        pretty_name="ImageNet3D (synthetic stand-in)" if synthetic else "ImageNet3D",
        task_categories=["image-classification", "object-detection", "image-to-text"],
        size_categories=[_size_category(sum(r for r, _, _ in sizes.get("default", {}).values()))],
        # The Hub's "synthetic" tag: tools and searches can tell a stand-in from the real data.
        tags=tags + [SYNTHETIC_TAG] if synthetic else tags,
        language=["en"],
    )
    configs = MetadataConfigs({
        config: {
            "data_files": [{"split": split, "path": list(patterns)}
                           for split, patterns in CONFIGS[config].data_files.items() if split in sizes.get(config, {})],
            **({"default": True} if config == "default" else {}),
        }
        for config in CONFIGS if config in sizes
    })
    configs.to_dataset_card_data(data)
    infos = DatasetInfosDict({
        config: datasets.DatasetInfo(
            features=CONFIGS[config].features(),
            splits=datasets.SplitDict({
                split: datasets.SplitInfo(name=split, num_bytes=size, num_examples=rows)
                for split, (rows, size, _) in sizes[config].items()
            }),
            download_size=sum(size for _, size, _ in sizes[config].values()),
            dataset_size=sum(size for _, size, _ in sizes[config].values()),
        )
        for config in CONFIGS if config in sizes
    })
    infos.to_dataset_card_data(data)
    return data


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < limit:
            return name
    return "1M<n<10M"


def write_card(out: Path, shards: list[str], annotations: pa.Table, quarantine: list[dict],
               source_fingerprint: dict, repo_id: str = "<org>/imagenet3d",
               synthetic: dict | None = None) -> dict[str, dict[str, int]]:
    """Figures, README.md and manifest.json. Returns config -> split -> rows.

    ``synthetic`` is the generator's record of a synthetic source release
    (``ReleaseSource.synthetic``), None for the real one: the card then says so first.
    """
    objects = _object_table(annotations)
    figures = plots.write_figures(objects, out / FIGURES_DIR, imagenet3d.SUPER_CATEGORY_NOTE) if len(objects) else []
    sizes = split_sizes(out)
    body = _render_body(out, sizes, annotations, objects, figures, quarantine, repo_id, synthetic,
                        source_fingerprint.get("origin"))
    card = DatasetCard("---\n" + card_data(sizes, synthetic is not None).to_yaml() + "\n---\n\n" + body)
    atomic_write(out / "README.md", str(card).encode("utf-8"))
    manifest.write_manifest(out, source_fingerprint)
    return {config: {split: rows for split, (rows, _, _) in splits.items()} for config, splits in sizes.items()}


def _object_table(annotations: pa.Table) -> pa.Table:
    """One row per object, for statistics and figures."""
    columns: dict[str, list] = {"category": [], "super_category": [], "split": [], "azimuth": [],
                                "elevation": [], "usable": [], "object_status": []}
    for category, super_category, partition, objs in zip(
            *(annotations.column(c).to_pylist() for c in ("category", "super_category", "partition", "objects"))):
        for obj in objs:
            columns["category"].append(category)
            columns["super_category"].append(super_category)
            columns["split"].append(partition_split(partition))
            for key in ("azimuth", "elevation", "usable", "object_status"):
                columns[key].append(obj[key])
    return pa.table(columns, schema=pa.schema([
        ("category", pa.string()), ("super_category", pa.string()), ("split", pa.string()),
        ("azimuth", pa.float64()), ("elevation", pa.float64()), ("usable", pa.bool_()),
        ("object_status", pa.string())]))


def _render_body(out, sizes, annotations, objects, figures, quarantine, repo_id, synthetic=None,
                 origin=None) -> str:
    """The prose of dataset_card.md with the generated sections put in place."""
    prose = re.sub(r"<!--.*?-->\s*", "", CARD_TEMPLATE.read_text(encoding="utf-8"), flags=re.S)
    intro, *rest = prose.split("\n## ")
    written = {section.split("\n", 1)[0].strip(): "## " + section.strip() for section in rest}
    intro = _with_synthetic_warning(intro, synthetic)
    sections = [intro, _source_section(annotations, synthetic, origin), _loading_section(sizes, repo_id),
                _project_section(repo_id), _fields_section(synthetic is not None), _cad_models_section(out, repo_id),
                written["Camera convention"],
                _super_category_section(objects),
                _statistics_section(sizes, annotations, objects, figures, quarantine),
                written["Known limitations"], written["Citation"]]
    return "\n\n".join(section.strip() for section in sections) + "\n"


def _release_link() -> str:
    return f"[{RELEASE_REPO_ID}]({PUBLIC_HUB}/datasets/{RELEASE_REPO_ID})"


def _with_synthetic_warning(intro: str, synthetic: dict | None) -> str:
    """The title, then (for a synthetic source) a warning that no reader can miss."""
    if synthetic is None:
        return intro
    title, _, rest = intro.strip().partition("\n")
    seed = f", seed {synthetic['seed']}" if "seed" in synthetic else ""
    warning = [
        "> [!WARNING]",
        "> **Synthetic data, not the real ImageNet3D.** This dataset was converted from a synthetic stand-in "
        f"for the release, written by [this project]({imagenet3d.PROJECT_URL})'s generator "
        f"(`{synthetic.get('generator', 'unknown')}`{seed}): CAD meshes rendered at known poses on generated "
        "backgrounds, "
        "in the exact raw format of the release. Its images are not ImageNet photos, and its statistics "
        "and figures say nothing about the real dataset. Use it to test code. The real release is "
        f"{_release_link()} (gated); `python -m conversion build --from-hub {RELEASE_REPO_ID} OUT` "
        "converts it.",
    ]
    return "\n".join([f"{title} (synthetic stand-in)", "", *warning, "", rest.strip()])


def _source_section(annotations: pa.Table, synthetic: dict | None, origin: dict | None) -> str:
    release = (f"`{RELEASE_FILENAME}` of the gated Hub dataset {_release_link()} (users share their name "
               f"and affiliation to download it; [project page]({RELEASE_PAGE}), "
               f"paper [arXiv:2406.09613]({PAPER_URL}))")
    if synthetic is not None:
        lines = ["## Source", "", "Converted from a **synthetic stand-in** for the release, not from the "
                 f"original (see the warning above). The original release is {release}."]
    else:
        lines = ["## Source", "", f"Converted from the original release, {release}. Images are the "
                 "release's own bytes (see Fields for the EXIF exception) and annotations its own values, in "
                 "typed columns; nothing was re-annotated."]
        if origin and "commit" in origin:
            checksum = next(f"{k} `{origin[k]}`" for k in ("sha256", "git-sha1") if k in origin)
            lines[-1] += (f" The zip was downloaded from {origin['hub_repo']} at commit `{origin['commit']}` "
                          f"and its {checksum} verified.")
    captioned = annotations.num_rows - annotations.column("caption").null_count if annotations.num_rows else 0
    lines += ["", "Captions: the release's caption files are not public. The `caption` column holds captions "
              "given to the converter as an optional input (`--captions`: JSON Lines of `{image_id, caption}` "
              "with one `<pose6D>` token per object, in object order), a format of this project's own; "
              f"{captioned:,} of {annotations.num_rows:,} images here have one. Category descriptions "
              "(`--descriptions`) are optional in the same way."]
    return "\n".join(lines)


def _project_section(repo_id: str) -> str:
    url = imagenet3d.PROJECT_URL
    return "\n".join([
        "## Use with this project", "",
        f"[imagenet3d-hub]({url}) converted this dataset. Its one-file library `imagenet3d` adds what "
        "`datasets` alone does not: the camera and pose metric, object-centric crops, the paper's "
        "evaluation, and a viewer that draws every object's pose on its image.", "",
        "```bash", f'pip install datasets pillow "imagenet3d @ git+{url}"   # load and the crops need both',
        "```", "",
        "```python", "import imagenet3d", "",
        f'ds = imagenet3d.load("default", split="validation", source="{repo_id}")',
        "objects = imagenet3d.to_objects(ds)   # one 512x512 crop per usable object, with 40-bin pose labels",
        "```", "",
        "```bash",
        f"python -m imagenet3d evaluate predictions.csv --source {repo_id} --split validation",
        "```", "",
        "`evaluate` scores predicted poses with the paper's protocol (accuracy at pi/6 and pi/18, median "
        "error, per super-category). The viewer runs locally or as a Hugging Face Space "
        f"(`python -m conversion space`); see [viewer_app]({url}/tree/main/viewer_app).",
    ])


def _loading_section(sizes: dict, repo_id: str) -> str:
    lines = ["## Loading", "",
             "Every config loads in one line, from a local copy of this repository or from the Hub:", "",
             "```python", "from datasets import load_dataset", "",
             'ds = load_dataset("imagenet3d")                      # a local folder named imagenet3d',
             f'ds = load_dataset("{repo_id}")                # from the Hub']
    for config in CONFIGS:
        if config in sizes and config != "default":
            lines.append(f'ds = load_dataset("{repo_id}", "{config}")')
    lines += [f'ds = load_dataset("{repo_id}", split="train", streaming=True)   # stream the shards', "```", "",
              "| config | splits (rows) | what a row is |", "|---|---|---|"]
    for config, splits in sizes.items():
        listing = ", ".join(f"{split} ({rows:,})" for split, (rows, _, _) in splits.items())
        lines.append(f"| `{config}` | {listing} | {CONFIGS[config].description} |")
    return "\n".join(lines)


def _fields_section(synthetic: bool = False) -> str:
    image = ("the rendered JPEG (or PNG) bytes of the synthetic stand-in release, as its generator wrote them"
             if synthetic else "the original JPEG (or PNG) bytes of the release")
    return "\n".join([
        "## Fields", "",
        "| field | meaning |", "|---|---|",
        f"| `image` | {image}, unchanged except a neutralised EXIF orientation (see below) |",
        "| `image_id` | `<category>/<wnid>_<n>`, the release's file stem |",
        "| `category`, `category_id` | the category and its index in the sorted list of 189 |",
        "| `super_category` | our grouping into the paper's seven super-categories (unofficial) |",
        "| `known` | whether the category is one of the 63 training categories of the open-vocabulary protocol |",
        "| `synset` | the ImageNet21k WordNet id of the image |",
        "| `width`, `height` | size of the stored pixel grid, which all coordinates refer to |",
        "| `caption` | image caption with one `<pose6D>` token per object, in object order: an optional input "
        "of the converter, in this project's own format (null if none; see Source) |",
        "| `objects[].bbox` | 2D box `[x1, y1, x2, y2]` in pixels |",
        "| `objects[].azimuth`, `elevation`, `theta` | viewpoint in radians, wrapped to [0, 2pi) |",
        "| `objects[].distance` | camera distance in CAD units (CAD bbox diagonal about 1); `<= 0` marks a bad "
        "annotation |",
        "| `objects[].px`, `py` | where the object origin projects, in pixels |",
        "| `objects[].viewport`, `focal` | focal length `viewport * focal` in pixels (PASCAL3D+: 3000, 1) |",
        "| `objects[].cad_index` | 1-based index of the object's model in the `cad_models` config |",
        "| `objects[].object_status` | `status_good`, `status_partially`, `status_barely`, `status_bad` (or null) |",
        "| `objects[].dense` | `dense_yes` if close to another object of its category |",
        "| `objects[].usable` | kept by the official preprocessing: pose present, `distance > 0`, status present "
        "and not bad |",
        "",
        "Objects without a pose keep their box and class with null pose fields and `usable = false`.",
        "Images whose EXIF Orientation tag disagreed with the annotation's pixel grid had the tag set to 1 "
        "in place (the compressed image data is byte-identical); `quarantine.json` lists them under `notes`.",
    ])


def _cad_models_section(out: Path, repo_id: str) -> str:
    """Why cad_models holds previews and counts, and where the geometry is (issue 10)."""
    features = imagenet3d.features("cad_models")
    path = out / single_file("cad_models")
    largest = max((data_studio.rows_response_size(page, features, "cad_models", "train", 0, 0)
                   for page in data_studio.pages([str(path)])), default=0) if path.exists() else 0
    file = imagenet3d.CAD_MESHES_FILE
    return "\n".join([
        "## CAD models", "",
        "The `cad_models` config has one row per CAD model: `category`, `cad_index` (what `objects[].cad_index` "
        "refers to), `num_vertices`, `num_faces` and `preview`, a shaded render of the model, so the dataset "
        "viewer shows what each model looks like. The geometry is not a column of it:",
        "- the viewer converts images, audio, video, PDF, JSON, lists, dicts and plain values, and fails on any "
        "other feature type, `datasets.Mesh` included;",
        "- it sends every cell in full: with the vertex and face lists in the config (the `Mesh` column "
        "left out), its own code made 100-row pages of up to 89 MB of JSON at the real size (992 models of "
        f"up to 37,000 vertices). The largest page of this config is {largest / 1e3:,.0f} KB.", "",
        f"The geometry lives once, in `{file}` (not a config): columns `category`, `cad_index`, "
        "`num_vertices`, `num_faces` and `glb`, a binary glTF 2.0 mesh whose vertices are the release's .off "
        "vertices as float32, z up (the node turns them to glTF's y up). Rows are sorted, one row group per "
        "category, so a category's models are one ranged read. To load it:", "",
        "```python", "import imagenet3d", "",
        f'models = imagenet3d.load("cad_models", split="train", source="{repo_id}")',
        'row = models[0]   # + "vertices" float32 (V, 3), "faces" int32 (F, 3), "glb" bytes, read on access',
        "```", "",
        "```python", "import imagenet3d", "import pyarrow.parquet as pq",
        "from huggingface_hub import HfFileSystem", "",
        f'chairs = pq.read_table("datasets/{repo_id}/{file}", filesystem=HfFileSystem(),',
        '                        filters=[("category", "==", "chair")],   # reads one row group',
        "                        use_threads=False, pre_buffer=False)   # see below",
        'vertices, faces = imagenet3d.read_glb(chairs["glb"][0].as_py())   # or save the bytes as a .glb file',
        "```", "",
        "Single-threaded on purpose: with pyarrow's thread pools, a script that had read over HTTPS through "
        "HfFileSystem aborted at exit (\"terminate called without an active exception\") in 7 of 40 runs "
        "here, after its work was done; without them, in none of 40.", "",
        f'`load_dataset("{repo_id}", "cad_models")` gives the previews and counts without the geometry.',
    ])


def _super_category_section(objects: pa.Table) -> str:
    counts = Counter(objects.column("super_category").to_pylist()) if len(objects) else Counter()
    lines = ["## Super-categories (our grouping, not the official one)", "", imagenet3d.SUPER_CATEGORY_NOTE, "",
             "| super-category | paper column | categories | known | objects here |", "|---|---|---|---|---|"]
    for name in imagenet3d.SUPER_CATEGORY_NAMES:
        members = [c for c, s in imagenet3d.SUPER_CATEGORIES.items() if s == name]
        known = sum(imagenet3d.CATEGORY_INFO[c].known for c in members)
        lines.append(f"| {name} | {imagenet3d.SUPER_CATEGORY_ABBREVIATIONS[name]} | {len(members)} | "
                     f"{known} | {counts.get(name, 0):,} |")
    return "\n".join(lines)


def _statistics_section(sizes, annotations, objects, figures, quarantine) -> str:
    usable = sum(objects.column("usable").to_pylist()) if len(objects) else 0
    status = Counter(objects.column("object_status").to_pylist()) if len(objects) else Counter()
    per_image = Counter(len(o) for o in annotations.column("objects").to_pylist())
    lines = ["## Statistics", "",
             f"- images: {len(annotations):,} over {len(set(annotations.column('category').to_pylist()))} categories",
             f"- objects: {len(objects):,}, of which usable: {usable:,}",
             "- objects per image: " + ", ".join(f"{n}: {c:,}" for n, c in sorted(per_image.items())),
             "- object_status: " + ", ".join(f"{k or 'missing'}: {v:,}" for k, v in sorted(status.items(), key=str)),
             f"- quarantined inputs: {len(quarantine):,} (see `quarantine.json`)", ""]
    captions = {"objects_per_category.png": "Objects per category",
                "objects_per_super_category.png": "Objects per super-category (our grouping)",
                "azimuth_distribution.png": "Azimuth of usable objects",
                "elevation_distribution.png": "Elevation of usable objects"}
    lines += [f"![{captions.get(f, f)}]({FIGURES_DIR}/{f})" for f in figures]
    return "\n".join(lines)
