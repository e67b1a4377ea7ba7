"""The project's contracts, each defined once: the config table, shard names, reason codes, the raw
release's paths and the error hierarchy. No release is built here: these are unit tests of the homes."""

from __future__ import annotations

import importlib
import math

import pytest

import imagenet3d
from _imagenet3d import configs, reasons, release
from _imagenet3d.configs import CONFIGS, Shard, parse_shard, partition_name, partition_split, shard_path
from _imagenet3d.reasons import QuarantineReason, UnusableReason

# -- the config table ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_table_drives_config_splits_and_features(name):
    config = CONFIGS[name]
    assert imagenet3d.CONFIG_SPLITS[name] == config.splits == tuple(config.data_files)
    assert imagenet3d.features(name) == config.features()
    for patterns in config.data_files.values():
        assert all(pattern.startswith(config.folder + "/") for pattern in patterns)


def test_unknown_config_is_a_one_line_library_error():
    with pytest.raises(imagenet3d.Imagenet3DError, match="unknown config 'nope'; configs: default, "):
        imagenet3d.features("nope")


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_table_drives_the_cards_yaml(name):
    card = importlib.import_module("conversion.card")
    sizes = {config: {split: (1, 1, []) for split in table.splits} for config, table in CONFIGS.items()}
    data = card.card_data(sizes).to_dict()
    entry = next(entry for entry in data["configs"] if entry["config_name"] == name)
    assert {item["split"]: tuple(item["path"]) for item in entry["data_files"]} == CONFIGS[name].data_files
    assert {entry["config_name"] for entry in data["configs"]} == set(CONFIGS)
    info = next(info for info in data["dataset_info"] if info["config_name"] == name)
    assert [split["name"] for split in info["splits"]] == list(CONFIGS[name].splits)
    import datasets

    assert datasets.Features._from_yaml_list(info["features"]) == imagenet3d.features(name)


def test_the_cards_loading_table_describes_every_config():
    card = importlib.import_module("conversion.card")
    sizes = {config: {split: (1, 1, []) for split in table.splits} for config, table in CONFIGS.items()}
    text = card._loading_section(sizes, "org/imagenet3d")
    for config in CONFIGS.values():
        assert f"| `{config.name}` |" in text and config.description in text


# -- shard and partition names ---------------------------------------------------------------------


@pytest.mark.parametrize("folder, partition, index, count", [
    ("data", "train-known", 0, 1), ("data", "validation-novel", 23, 24), ("annotations", "train-novel", 0, 1),
    ("cad_models", "cad_models", 0, 1), ("data", "train-known", 12345, 99999)])
def test_shard_names_round_trip(folder, partition, index, count):
    path = shard_path(folder, partition, index, count)
    assert parse_shard(path) == Shard(partition, index, count)
    assert parse_shard("hf://datasets/org/name/" + path) == Shard(partition, index, count)


def test_cad_meshes_file_is_a_shard_name():
    assert parse_shard(imagenet3d.CAD_MESHES_FILE) == Shard("cad_meshes", 0, 1)
    assert shard_path("cad_meshes", "cad_meshes") == imagenet3d.CAD_MESHES_FILE


@pytest.mark.parametrize("name", ["data/train.parquet", "data/train-0-of-1.parquet", "README.md",
                                  "data/train-known-00000-of-00001.parquet.tmp"])
def test_anything_else_is_not_a_shard(name):
    with pytest.raises(imagenet3d.Imagenet3DError, match="not a shard name"):
        parse_shard(name)


@pytest.mark.parametrize("split", ["train", "validation"])
@pytest.mark.parametrize("known", [True, False])
def test_partitions_round_trip(split, known):
    assert partition_split(partition_name(split, known)) == split


def test_a_partition_needs_its_group():
    with pytest.raises(imagenet3d.Imagenet3DError):
        partition_split("train")


def test_open_vocabulary_files_are_the_known_and_novel_partitions():
    files = CONFIGS["open_vocabulary"].data_files
    assert files["train"] == (f"data/{partition_name('train', True)}-*.parquet",)
    assert files["validation_novel"] == (f"data/{partition_name('validation', False)}-*.parquet",)


# -- reason codes ----------------------------------------------------------------------------------


def test_every_reason_has_its_own_message():
    templates = [member.template for enum in (UnusableReason, QuarantineReason) for member in enum]
    assert len(templates) == len(set(templates))


@pytest.mark.parametrize("member", list(UnusableReason) + list(QuarantineReason), ids=str)
def test_a_reason_is_its_message_and_carries_its_code(member):
    fields = {name: "x" for name in _fields(member.template)}
    reason = member.message(**fields)
    assert isinstance(reason, str) and reason.code is member
    assert str(reason) == member.template.format(**fields)


def _fields(template: str) -> list[str]:
    import string

    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def test_a_reason_survives_pickling_to_workers():
    import pickle

    reason = UnusableReason.MISSING_POSE.message(keys="azimuth")
    again = pickle.loads(pickle.dumps(reason))
    assert again == "missing pose keys: azimuth" and again.code is UnusableReason.MISSING_POSE


def _nan_pose_object() -> dict:
    return {"class": "chair", "bbox": [1, 2, 3, 4], "azimuth": math.nan, "elevation": 0.1, "theta": 0.0,
            "distance": 5.0, "px": 1.0, "py": 2.0, "object_status": "status_good", "cad_index": 1}


def test_normalize_object_gives_codes():
    record = imagenet3d.normalize_object(_nan_pose_object())
    assert [reason.code for reason in record["unusable_reasons"]] == [UnusableReason.NON_FINITE_POSE]
    assert record["unusable_reasons"] == ["non-finite pose value"]   # the text users read is unchanged
    assert set(record) == set(imagenet3d.ObjectRecord.__annotations__)


_STORED_FIELDS = ("category", "bbox", "azimuth", "elevation", "theta", "distance", "px", "py", "viewport", "focal",
                  "cad_index", "object_status", "dense", "usable")


@pytest.mark.parametrize("change, codes", [
    ({}, []),
    ({"distance": -1.0}, [UnusableReason.DISTANCE_NOT_POSITIVE]),
    ({"object_status": "status_bad"}, [UnusableReason.STATUS_BAD]),
    ({"object_status": None}, [UnusableReason.MISSING_STATUS]),
    ({"azimuth": None, "distance": None}, [UnusableReason.MISSING_POSE]),
    ({"theta": math.inf}, [UnusableReason.NON_FINITE_POSE]),
    ({"ignore": 1}, [UnusableReason.NOT_STORED]),
])
def test_a_stored_object_says_why_it_is_unusable_as_its_release_object_did(change, codes):
    raw = {**_nan_pose_object(), "azimuth": 0.5, **{k: v for k, v in change.items() if v is not None}}
    for key in [k for k, v in change.items() if v is None]:
        raw.pop(key if key != "category" else "class")
    record = imagenet3d.normalize_object(raw)
    stored = {key: record[key] for key in _STORED_FIELDS}   # what the dataset keeps of it
    assert [r.code for r in imagenet3d.unusable_reasons(stored)] == codes
    assert stored["usable"] is (not codes)
    if change.get("ignore") is None:   # the same messages, from the same checks
        assert imagenet3d.unusable_reasons(stored) == record["unusable_reasons"]


def test_rewording_every_message_changes_no_quarantine_decision(monkeypatch):
    validate = importlib.import_module("conversion.validate")
    candidate = validate.Candidate("chair", "n03001627_1", "train")
    monkeypatch.setattr(reasons._Coded, "template", property(lambda self: f"reworded: {self.value}"))
    nan_pose = imagenet3d.normalize_object(_nan_pose_object())
    assert nan_pose["unusable_reasons"] == ["reworded: non-finite pose value"]
    with pytest.raises(validate.BadInput) as caught:
        validate._check_object(nan_pose, 0, 100, 100, candidate, {("chair", 1)})
    assert caught.value.reason.code is QuarantineReason.NON_FINITE_POSE
    assert caught.value.reason == "reworded: object 0 has a NaN or infinite pose value"
    no_box = imagenet3d.normalize_object({**_nan_pose_object(), "azimuth": 0.5, "bbox": [1, 2]})
    with pytest.raises(validate.BadInput) as caught:
        validate._check_object(no_box, 0, 100, 100, candidate, {("chair", 1)})
    assert caught.value.reason.code is QuarantineReason.BBOX_NOT_FOUR_NUMBERS
    fine = imagenet3d.normalize_object({**_nan_pose_object(), "azimuth": 0.5})
    validate._check_object(fine, 0, 100, 100, candidate, {("chair", 1)})   # no quarantine


def test_quarantine_entries_hold_the_message_only():
    validate = importlib.import_module("conversion.validate")
    import json

    entry = validate.quarantine("images/x.JPEG", QuarantineReason.ZERO_BYTE.message())
    assert json.dumps(entry, sort_keys=True) == '{"path": "images/x.JPEG", "reason": "zero-byte file"}'


# -- the raw release's paths -----------------------------------------------------------------------


def test_release_paths_round_trip():
    assert release.parse_list_relpath(release.list_relpath("chair", "val")) == ("chair", "val")
    assert release.parse_list_relpath("lists/chair_train.txt") is None
    assert release.parse_cad_relpath(imagenet3d.cad_relpath("chair", 3)) == ("chair", 3)
    assert release.parse_cad_relpath("CAD/chair/readme.txt") is None
    assert release.folder_of("images/chair/x.JPEG") == "images" and release.folder_of("images") == ""
    image, annotation = release.image_relpath("chair", "n1_2"), release.annotation_relpath("chair", "n1_2")
    assert release.partner_relpath(image) == annotation and release.partner_relpath(annotation) == image
    assert set(release.RELEASE_SPLITS) == {"train", "val"}
    assert set(release.RELEASE_SPLITS.values()) <= set(imagenet3d.CONFIG_SPLITS["default"])


def test_public_names():
    for name in ("Imagenet3DError", "MissingExtraError", "ObjectRecord", "UnusableReason", "QuarantineReason",
                 "SYNTHETIC_MARKER", "RELEASE_FOLDERS", "RELEASE_SPLITS", "release_root", "cad_relpath",
                 "image_relpath", "annotation_relpath", "list_relpath"):
        assert name in imagenet3d.__all__ and hasattr(imagenet3d, name)
    assert configs.CONFIG_SPLITS is imagenet3d.CONFIG_SPLITS


# -- errors ----------------------------------------------------------------------------------------


def _library_errors() -> list[type]:
    validate = importlib.import_module("conversion.validate")
    from conversion.hub import fetch, push
    from viewer_app import hub_io

    return [imagenet3d.AnnotationError, imagenet3d.UnsafePickleError, imagenet3d.GlbError, imagenet3d.SourceError,
            imagenet3d.PredictionError, imagenet3d.MissingExtraError, validate.BadInput, push.HubWriteError,
            fetch.HubReleaseError, hub_io.HubUnavailable, hub_io.AccessDenied]


def test_one_base_for_every_error():
    assert issubclass(imagenet3d.Imagenet3DError, ValueError)   # code catching ValueError still catches them
    for error in _library_errors():
        assert issubclass(error, imagenet3d.Imagenet3DError), error
    assert issubclass(imagenet3d.MissingExtraError, ImportError)
    from conversion import source

    assert source.SourceError is imagenet3d.SourceError   # one class, not a twin


def _build_raising(monkeypatch, error: BaseException) -> None:
    from conversion import build

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(build, "build", fail)


@pytest.mark.parametrize("error, code", [(imagenet3d.SourceError("no such release"), 2),
                                         (imagenet3d.Imagenet3DError("bad input"), 2),
                                         (FileNotFoundError(2, "No such file or directory", "captions.jsonl"), 2)])
def test_conversion_prints_a_library_error_in_one_line(monkeypatch, capsys, tmp_path, error, code):
    from conversion.__main__ import main

    _build_raising(monkeypatch, error)
    assert main(["build", str(tmp_path / "src"), str(tmp_path / "out"), "--quiet"]) == code
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_conversion_strict_bad_input_exits_1(monkeypatch, capsys, tmp_path):
    from conversion.__main__ import main
    from conversion.validate import BadInput

    _build_raising(monkeypatch, BadInput("images/x.JPEG", "--strict: 1 bad inputs"))
    assert main(["build", str(tmp_path / "src"), str(tmp_path / "out"), "--quiet"]) == 1


@pytest.mark.parametrize("bug", [KeyError("objects"), ValueError("a bug, not a user's error"), TypeError("bug")])
def test_conversion_lets_a_bug_through_with_its_traceback(monkeypatch, tmp_path, bug):
    from conversion.__main__ import main

    _build_raising(monkeypatch, bug)
    with pytest.raises(type(bug)):
        main(["build", str(tmp_path / "src"), str(tmp_path / "out"), "--quiet"])


@pytest.mark.parametrize("error, caught", [(imagenet3d.Imagenet3DError("bad"), True), (ValueError("bug"), False),
                                           (KeyError("bug"), False)])
def test_synthetic_release_catches_only_library_errors(monkeypatch, capsys, tmp_path, error, caught):
    main_module = importlib.import_module("synthetic_release.__main__")

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(main_module, "write_release", fail)
    argv = ["write", str(tmp_path / "out"), "--category-list", "chair", "--quiet"]
    if caught:
        assert main_module.main(argv) == 2
        assert capsys.readouterr().err == "error: bad\n"
    else:
        with pytest.raises(type(error)):
            main_module.main(argv)


def test_the_viewer_prints_a_malformed_hub_path_in_one_line(capsys):
    app = importlib.import_module("viewer_app.app")
    assert app.main(["hf://datasets/org/name/extra", "--port", "0"]) == 2
    assert capsys.readouterr().err == "error: expected hf://datasets/ORG/NAME, got 'hf://datasets/org/name/extra'\n"
