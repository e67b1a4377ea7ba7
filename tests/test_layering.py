"""Data flows one way, and so do imports: the library stands alone; the converter, the generator and the
viewer stand on the library and never on each other (the project's engineering standards; issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("_imagenet3d", "conversion", "synthetic_release", "viewer_app")
# package -> the project's top-level modules it must not import
FORBIDDEN = {
    "_imagenet3d": {"imagenet3d", "conversion", "synthetic_release", "viewer_app"},  # the public face imports it
    "conversion": {"synthetic_release", "viewer_app"},
    "synthetic_release": {"conversion", "viewer_app"},
    "viewer_app": {"conversion", "synthetic_release"},
}


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_what_stands_below_it(package):
    offenders = {str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FORBIDDEN[package])
                 for path in sorted((ROOT / package).rglob("*.py"))}
    assert not {path: names for path, names in offenders.items() if names}


def test_the_check_sees_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom conversion.build import build\n\ndef f():\n    import viewer_app.app\n")
    assert imported_top_levels(probe) == {"os", "conversion", "viewer_app"}


def test_library_modules_stay_small():
    """One concern per module, about 400 lines at most (the project's engineering standards)."""
    sizes = {str(path.relative_to(ROOT)): len(path.read_text().splitlines())
             for path in [ROOT / "imagenet3d.py", *sorted((ROOT / "_imagenet3d").glob("*.py"))]}
    assert not {path: lines for path, lines in sizes.items() if lines > 400}
