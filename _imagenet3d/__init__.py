"""The private package behind imagenet3d.py: one module per concern (the map is imagenet3d.py's docstring)."""
