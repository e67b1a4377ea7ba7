"""The converter: a raw ImageNet3D release -> a Hugging Face dataset repository folder.

The build steps (``source`` -> ``records`` -> ``build`` with ``parquet_io``, ``derived_configs``,
``preview``, ``plots``, ``card``, ``manifest``) sit here; ``hub/`` holds the commands that talk to the Hub
(``build --from-hub`` downloads, ``push``, ``space``). It imports the library (``imagenet3d``), never the
generator (``synthetic_release``) or the viewer. ``python -m conversion --help`` lists the commands.
"""
