"""Reading rendered PNGs back in tests: size, blankness, which palette colours were drawn."""

import io

import numpy as np
from PIL import Image

from polymetric.plotting.png import PALETTE


def image(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(png)).convert("RGB")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(image(png)).reshape(-1, 3)


def ink(png: bytes) -> float:
    """Share of pixels that are not white."""
    return float((pixels(png) != 255).any(axis=1).mean())


def count(png: bytes, colour: str) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((pixels(png) == rgb).all(axis=1).sum())


def palette_colours(png: bytes, minimum: int = 40) -> list[str]:
    """The palette colours with at least ``minimum`` pixels of exactly that colour, in palette order."""
    return [c for c in PALETTE if count(png, c) >= minimum]
