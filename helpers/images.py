"""One image file as the model sees it: :func:`load_image`.

Each photo is read header first (over :data:`MAX_PIXELS` is refused), turned upright by its EXIF
tag, converted to 8-bit RGB, centre-cropped to a square and resized with Lanczos.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: pixels is a 9200 x 6900 photo, bigger than any phone camera's.
MAX_PIXELS = 64_000_000
#: The resampling filter: Lanczos keeps detail and avoids aliasing when shrinking a lot.
RESAMPLE = Image.Resampling.LANCZOS
#: JPEGs are decoded at a reduced scale that is still at least this many times the target size.
DRAFT_OVERSAMPLING = 2
#: The image formats opened (MPO is the multi-picture JPEG some phones write). Others, notably
#: EPS, which Pillow hands to the Ghostscript interpreter, are refused as "not an image".
FORMATS = ("JPEG", "MPO", "PNG", "GIF", "BMP", "DIB", "TIFF", "WEBP", "AVIF", "PPM", "TGA",
           "ICO", "QOI", "PCX", "PSD", "JPEG2000")


_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")
_ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")


class ImageError(ValueError):
    """An image file cannot be used; ``kind`` is "missing", "empty", "not an image", "corrupt",
    "too big" or "unreadable"."""

    def __init__(self, message: str, *, kind: str = "unreadable"):
        super().__init__(message)
        self.kind = kind



def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB: alpha on white, 16-bit scaled by 255/65535.

    32-bit "I" and "F" images are read as 8-bit if their maximum allows (float: at most 1.0),
    else as 16-bit, else scaled by their maximum.
    """
    if image.mode in _SIXTEEN_BIT or image.mode in ("I", "F"):
        array = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0, posinf=0.0)
        top = float(array.max(initial=0.0))
        if image.mode in _SIXTEEN_BIT:
            full = 65535.0
        elif image.mode == "F" and top <= 1.0:
            full = 1.0
        else:
            full = 255.0 if top <= 255 else 65535.0 if top <= 65535 else top
        scaled = np.clip(np.rint(array * (255.0 / full)), 0, 255).astype(np.uint8)
        image = Image.fromarray(scaled)  # mode "L"
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image if image.mode == "RGB" else image.convert("RGB")


def square_resize(image: Image.Image, size: int) -> Image.Image:
    """Crop the largest centred square (keeping the aspect ratio), then Lanczos to size x size."""
    return ImageOps.fit(image, (size, size), method=RESAMPLE, centering=(0.5, 0.5))


def check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size must be a positive whole number of pixels (64 for the course's "
                         f"model), got {size!r}.")
    return int(size)


def _decode(path: Path, size: int) -> np.ndarray:
    """Open, check and convert one file; every failure is an ImageError naming the file."""
    try:
        if path.is_dir():
            raise ImageError(f"{path}: is a folder, not an image file.", kind="unreadable")
        if path.stat().st_size == 0:
            raise ImageError(f"{path}: file is empty (0 bytes).", kind="empty")
        file = open(path, "rb")  # closed below; opened here so errors get a clear message
    except FileNotFoundError:
        raise ImageError(
            f"{path}: file not found. Check the path (a relative path starts in the folder "
            f"Python runs in: {Path.cwd()}).", kind="missing") from None
    except OSError as err:
        raise ImageError(f"{path}: cannot be read ({err.strerror or err}).",
                         kind="unreadable") from None

    with file, warnings.catch_warnings():
        # Pillow warns past its own limit (89 million pixels); the cap below decides instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(file, formats=available_formats())
        except UnidentifiedImageError:
            raise ImageError(
                f"{path}: not an image file Pillow can read (JPEG, PNG, GIF, BMP, TIFF, WebP "
                "and a few more are; iPhone HEIC photos must be exported as JPEG first).",
                kind="not an image") from None
        except Image.DecompressionBombError as err:
            raise ImageError(f"{path}: too many pixels to open safely ({err}).",
                             kind="too big") from None
        except Exception as err:  # Pillow raises many types on malformed headers
            raise ImageError(f"{path}: image header is corrupt ({type(err).__name__}: {err}).",
                             kind="corrupt") from None
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    f"{path}: {width}x{height} is {width * height:,} pixels, over the limit of "
                    f"{MAX_PIXELS:,} (a guard against decompression bombs). Shrink the image "
                    "first, or raise helpers.images.MAX_PIXELS if you trust the file.",
                    kind="too big")
            if width == 0 or height == 0:
                raise ImageError(f"{path}: image is {width}x{height} pixels, nothing to show.",
                                 kind="corrupt")
            try:
                image.draft("RGB", (size * DRAFT_OVERSAMPLING, size * DRAFT_OVERSAMPLING))
                upright = ImageOps.exif_transpose(image)  # decodes the pixels
                rgb = square_resize(to_rgb(upright), size)
            except Exception as err:  # truncated data, broken streams, odd modes, ...
                raise ImageError(
                    f"{path}: image data is truncated or corrupt ({type(err).__name__}: {err}).",
                    kind="corrupt") from None
    return np.asarray(rgb, dtype=np.uint8)


def available_formats() -> tuple[str, ...]:
    Image.init()  # registers every plugin (Pillow loads only JPEG and PNG at first)
    return tuple(name for name in FORMATS if name in Image.OPEN)


def load_image(path: str | os.PathLike, size: int = 64) -> np.ndarray:
    """One image file as the model sees it: (size, size, 3) uint8, like a dataset image.

    Raises ImageError (missing, empty, not an image, corrupt, over :data:`MAX_PIXELS`).
    """
    return _decode(Path(path), check_size(size))
