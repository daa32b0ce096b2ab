"""Turn image files into the model's input.

``load_image(path, size=64)`` opens any image Pillow can read (PNG with alpha, grayscale,
palette, CMYK JPEG, 16-bit, any size), converts it to RGB, crops the centre square and
resizes it, and returns a (size, size, 3) uint8 array: the same layout as one image of the
dataset. Bad files raise :class:`ImageError` with the file name and the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Refuse images with more pixels than this (a defence against decompression bombs).
MAX_PIXELS = 64_000_000
#: The resampling filter: Lanczos keeps detail and avoids aliasing when shrinking a lot.
RESAMPLE = Image.Resampling.LANCZOS


class ImageError(ValueError):
    """An image file cannot be used; the message names the file and the reason."""


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB (alpha composited on white)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16- or 32-bit grayscale: scale to 8 bits instead of clipping at 255.
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or array.max() > 255 else 255.0
        image = Image.fromarray(np.clip(array / top * 255.0 + 0.5, 0, 255).astype(np.uint8))
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image.convert("RGB")


def square_resize(image: Image.Image, size: int) -> Image.Image:
    """Crop the centre square (keeping the aspect ratio), then resize to size x size."""
    return ImageOps.fit(image, (size, size), method=RESAMPLE, centering=(0.5, 0.5))


def load_image(path: str | os.PathLike, size: int = 64) -> np.ndarray:
    """Open one image file as the model sees it.

    Returns:
        (size, size, 3) uint8 array. Flatten and scale it as the notebook does with the data,
        e.g. ``image.reshape(1, -1).T / 255`` for a (12288, 1) column.
    """
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path}: file not found. Check the path (relative paths start in "
                         f"the folder the notebook runs in: {Path.cwd()}).")
    if path.stat().st_size == 0:
        raise ImageError(f"{path}: file is empty (0 bytes).")
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    f"{path}: {width}x{height} is {width * height:,} pixels, over the limit of "
                    f"{MAX_PIXELS:,}. Shrink the image first (any photo editor will do)."
                )
            image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at reduced scale, fast
            image = ImageOps.exif_transpose(image)
            rgb = square_resize(to_rgb(image), size)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image Pillow can read (is it really a picture?).") \
            from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise ImageError(f"{path}: image is truncated or corrupt ({err}).") from None
    return np.asarray(rgb, dtype=np.uint8)
