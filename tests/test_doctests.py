"""The examples in imagenet3d's docstrings run as written."""

import doctest

import imagenet3d


def test_imagenet3d_docstring_examples():
    result = doctest.testmod(imagenet3d, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0
