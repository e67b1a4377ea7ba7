"""Old home of the GLB writer: it lives in imagenet3d now (write_glb, read_glb), so that the
library, the viewer and the converter share one reader and one writer. Kept for old imports."""

from imagenet3d import GlbError, read_glb, write_glb

glb_bytes = write_glb

__all__ = ["GlbError", "glb_bytes", "read_glb", "write_glb"]
