"""The ImageNet3D viewer: an index of a converted dataset and pose overlays (the Gradio app builds on them)."""
