"""The examples in the library's docstrings run as written: imagenet3d's tour and every _imagenet3d module's."""

import doctest
import importlib
import pkgutil

import pytest

import _imagenet3d
import imagenet3d

MODULES = ["imagenet3d"] + sorted(f"_imagenet3d.{info.name}" for info in pkgutil.iter_modules(_imagenet3d.__path__))


def test_imagenet3d_docstring_examples():
    result = doctest.testmod(imagenet3d, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.parametrize("name", MODULES[1:])
def test_module_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_modules_hold_examples():
    attempted = sum(doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS).attempted
                    for name in MODULES[1:])
    assert attempted >= 10
