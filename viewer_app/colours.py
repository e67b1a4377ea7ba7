"""The viewer's colours, and the arithmetic that reads them: sRGB to linear light, WCAG 2.1 contrast.

Every view (overlays, caption chips, the 3D scene) gives object k the colour :func:`object_colour`,
so an object is the same colour wherever it shows.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Colour", "AXIS_COLOURS", "OBJECT_COLOURS", "DARK", "WHITE", "object_colour", "linear_rgb",
           "relative_luminance", "contrast_ratio", "chip_text_colour"]

Colour = tuple[int, int, int]  # sRGB, 0-255 a channel

#: Fixed x / y / z axis colours, the usual RGB convention.
AXIS_COLOURS: tuple[Colour, Colour, Colour] = ((235, 50, 50), (50, 210, 50), (60, 110, 255))
#: Saturated, mutually distinct colours that stay readable on photos and that no axis uses
#: (none is red, green or blue: each is at least 100 RGB units from every axis colour).
OBJECT_COLOURS: list[Colour] = [
    (255, 200, 0),    # yellow
    (200, 90, 255),   # purple
    (0, 220, 220),    # cyan
    (255, 140, 0),    # orange
    (255, 100, 200),  # pink
    (180, 230, 60),   # lime
    (240, 240, 240),  # white
    (0, 150, 130),    # teal
]
#: Text and outlines: near-black (softer than pure black on photos) and white.
DARK: Colour = (17, 17, 17)
WHITE: Colour = (255, 255, 255)


def object_colour(k: int) -> Colour:
    """Object k's colour: the palette cycles."""
    return OBJECT_COLOURS[k % len(OBJECT_COLOURS)]


def linear_rgb(colour: Iterable[float]) -> list[float]:
    """An sRGB 0-255 colour in linear light, 0-1 a channel (the sRGB transfer function, IEC 61966-2-1)."""
    return [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour]


def relative_luminance(colour: Colour) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1, section 1.4.3)."""
    red, green, blue = linear_rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Colour, second: Colour) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 to 21 (4.5 is the bar for normal text)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def chip_text_colour(background: Colour) -> Colour:
    """Text on a label chip of colour ``background``: :data:`DARK` or :data:`WHITE`, whichever contrasts more."""
    return max((DARK, WHITE), key=lambda text: contrast_ratio(text, background))
