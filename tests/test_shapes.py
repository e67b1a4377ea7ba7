"""Tests for synthetic_release.shapes.registry: the one table of category shapes."""

from __future__ import annotations

import pytest

import imagenet3d
from synthetic_release import meshes
from synthetic_release.errors import UnknownCategoryError
from synthetic_release.shapes.registry import SHAPES, family_of, shape_of


def test_registry_covers_exactly_the_categories() -> None:
    missing = sorted(set(imagenet3d.CATEGORIES) - set(SHAPES))
    extra = sorted(set(SHAPES) - set(imagenet3d.CATEGORIES))
    assert not missing, f"categories without a shape: {missing}"
    assert not extra, f"shapes for names that are no category: {extra}"


def test_every_row_names_a_family_and_a_builder() -> None:
    families = {shape.family for shape in SHAPES.values()}
    assert len(families) == 16
    for category, shape in SHAPES.items():
        assert callable(shape.build), category
        assert shape.round_axes is None or (len(set(shape.round_axes)) == 2
                                            and set(shape.round_axes) <= {0, 1, 2}), category
        assert family_of(category) == shape.family


def test_round_axes_follow_the_family_unless_a_row_says_otherwise() -> None:
    assert shape_of("cup").round_axes == (0, 1)          # lathe: round about z
    assert shape_of("car").round_axes == (1, 2)          # road vehicle: wheels turn about x
    assert shape_of("ferris_wheel").round_axes == (0, 2)  # a wheel standing in the xz-plane
    assert shape_of("bicycle").round_axes == (1, 2)
    assert shape_of("chair").round_axes is None


@pytest.mark.parametrize("name", ["chiar", "not_a_real_category", "Chair", ""])
def test_unknown_category_raises_a_clear_error(name: str) -> None:
    with pytest.raises(UnknownCategoryError, match="unknown category") as raised:
        shape_of(name)
    assert raised.value.category == name
    assert repr(name) in str(raised.value)
    with pytest.raises(UnknownCategoryError):
        family_of(name)
    with pytest.raises(UnknownCategoryError):
        meshes.make_mesh(name, 1, num_vertices=300)


def test_unknown_category_error_is_a_library_error() -> None:
    # so the command-line tools, which catch the base error, report it in one line
    assert issubclass(UnknownCategoryError, imagenet3d.Imagenet3DError)


def test_a_category_in_two_families_is_refused() -> None:
    from synthetic_release.shapes.registry import _family, _table

    build = SHAPES["chair"].build
    with pytest.raises(ValueError, match="'chair' is in the seat and table families"):
        _table(_family("seat", {"chair": build}), _family("table", {"chair": build}))
