"""Shape families of the synthetic CAD models.

:mod:`.registry` maps every category to its family and builder; one module per family
(:mod:`.seats`, :mod:`.cabinets`, :mod:`.road_vehicles`, ...) holds the builders, made of
:class:`.mesh_builder.MeshBuilder` primitives, :mod:`.geometry` curves and seeded draws,
and :mod:`.parts` shared by several families. :func:`synthetic_release.meshes.make_mesh`
turns a row into a mesh.
"""
