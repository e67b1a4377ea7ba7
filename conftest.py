"""Puts the repository root on sys.path so tests import imagenet3d and conversion."""
