"""The synthetic ImageNet3D release generator: a stand-in for the real v1 download, with true poses.

``python -m synthetic_release write OUT`` writes a release; ``... check RELEASE`` checks it.

- :mod:`.writer`: :func:`~.writer.write_release`, the folder tree and/or .zip on disk;
- :mod:`.scenes`: the plan (categories, images, splits) and the rendering of each image
  with its annotation and quirks;
- :mod:`.captions`: caption and category-description text;
- :mod:`.meshes`: :func:`~.meshes.make_mesh`, the CAD models and their vertex budgets;
- :mod:`.shapes`: the shape families, and the registry mapping each category to one;
- :mod:`.check`: silhouette IoU of the files' poses against the rendered pixels.

The converter (``conversion/``) imports nothing from here; both use the library's
readers, writers and release paths (:mod:`imagenet3d`).
"""
