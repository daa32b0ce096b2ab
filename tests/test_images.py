"""helpers.images: load_image on every kind of file, made here."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from helpers import images
from helpers.images import ImageError, load_image

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def noise_jpeg(path: Path, size=(120, 90), seed: int = 0) -> Path:
    """A JPEG of random pixels: long compressed data, so truncating it really cuts pixels."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, quality=90)
    return path


def colours(array: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(int(v) for v in c) for c in np.unique(array.reshape(-1, 3), axis=0)}


# --------------------------------------------------------------------------- load_image: modes


def test_rgba_png_is_composited_on_white(tmp_path: Path):
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))  # transparent black: must become white
    image.paste((0, 0, 255, 255), (32, 0, 64, 64))  # right half opaque blue
    image.save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    assert tuple(out[32, 5]) == WHITE  # dropping alpha would give black here
    assert tuple(out[32, 60]) == BLUE


def test_half_transparent_pixels_are_blended_with_white(tmp_path: Path):
    Image.new("RGBA", (8, 8), (0, 0, 0, 128)).save(tmp_path / "half.png")
    assert colours(load_image(tmp_path / "half.png")) == {(127, 127, 127)}


def test_grayscale_is_copied_to_three_channels(tmp_path: Path):
    Image.new("L", (50, 50), 100).save(tmp_path / "gray.png")
    assert colours(load_image(tmp_path / "gray.png")) == {(100, 100, 100)}


def test_palette_image_and_its_transparent_colour(tmp_path: Path):
    image = Image.new("P", (40, 40), 0)
    image.putpalette([10, 200, 30, 90, 90, 90] + [0] * 762)
    image.paste(1, (0, 0, 40, 20))  # top half: colour 1 (gray), bottom half: colour 0 (green)
    image.save(tmp_path / "p.png")
    out = load_image(tmp_path / "p.png")
    assert tuple(out[5, 32]) == (90, 90, 90) and tuple(out[60, 32]) == (10, 200, 30)

    image.save(tmp_path / "p_transparent.png", transparency=0)  # green becomes transparent
    out = load_image(tmp_path / "p_transparent.png")
    assert tuple(out[5, 32]) == (90, 90, 90) and tuple(out[60, 32]) == WHITE


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path):
    Image.new("CMYK", (60, 40), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg")  # pure red
    assert Image.open(tmp_path / "cmyk.jpg").mode == "CMYK"
    out = load_image(tmp_path / "cmyk.jpg").astype(int)
    assert np.abs(out - np.array(RED)).max() <= 3


STRIPES_16 = [0, 511, 1000, 32768, 65535]  # 16-bit values, 8 columns each
STRIPES_8 = [0, 2, 4, 128, 255]  # their 8-bit equivalents: value * 255 / 65535, rounded


def stripes(values, dtype) -> np.ndarray:
    """A 40 x 40 one-channel image of five vertical stripes; at size=40 nothing is resampled."""
    return np.repeat(np.array(values, dtype=dtype), 8)[None, :].repeat(40, axis=0)


def test_16_bit_png_is_scaled_not_clipped(tmp_path: Path):
    Image.fromarray(stripes(STRIPES_16, np.uint16)).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode == "I;16"  # the case we mean to test
    out = load_image(tmp_path / "deep.png", size=40)
    assert out[20, 4::8].tolist() == [[v] * 3 for v in STRIPES_8]  # Pillow's own convert clips


def test_32_bit_integer_and_float_images_are_scaled(tmp_path: Path):
    Image.fromarray(stripes(STRIPES_16, np.int32)).save(tmp_path / "int.tif")
    Image.fromarray(stripes(STRIPES_8, np.int32)).save(tmp_path / "int8.tif")
    Image.fromarray(stripes(np.array(STRIPES_8) / 255, np.float32)).save(tmp_path / "f.tif")
    assert [Image.open(tmp_path / n).mode for n in ("int.tif", "int8.tif", "f.tif")] == \
        ["I", "I", "F"]
    for name in ("int.tif", "int8.tif", "f.tif"):  # 16-bit range, 8-bit range, 0..1 floats
        out = load_image(tmp_path / name, size=40)
        assert out[20, 4::8, 0].tolist() == STRIPES_8, name


def test_one_pixel_image_fills_the_square(tmp_path: Path):
    Image.new("RGB", (1, 1), (12, 34, 56)).save(tmp_path / "dot.png")
    out = load_image(tmp_path / "dot.png")
    assert out.shape == (64, 64, 3) and colours(out) == {(12, 34, 56)}


def test_large_landscape_photo_keeps_the_centre_square(tmp_path: Path):
    image = Image.new("RGB", (4000, 3000), RED)
    image.paste((0, 160, 0), (500, 0, 3500, 3000))  # the centre 3000 x 3000 square is green
    image.save(tmp_path / "big.jpg", quality=90)
    out = load_image(tmp_path / "big.jpg").astype(int)
    assert out.shape == (64, 64, 3)
    inner = out[:, 2:-2]  # Lanczos may reach a pixel or two past the crop at the edges
    assert np.abs(inner - np.array([0, 160, 0])).max() <= 4  # squashing would show red sides


def test_exif_orientation_is_applied(tmp_path: Path):
    image = Image.new("RGB", (80, 40), BLUE)
    image.paste(RED, (0, 0, 40, 40))  # stored: left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display", as phones write it
    image.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    out = load_image(tmp_path / "phone.jpg").astype(int)
    assert np.abs(out[5, 32] - RED).max() <= 4  # displayed: red on top
    assert np.abs(out[58, 32] - BLUE).max() <= 4  # blue at the bottom


def test_size_argument(tmp_path: Path):
    noise_jpeg(tmp_path / "n.jpg")
    assert load_image(tmp_path / "n.jpg", size=32).shape == (32, 32, 3)
    np.testing.assert_array_equal(load_image(tmp_path / "n.jpg"), load_image(tmp_path / "n.jpg"))
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="size must be a positive whole number"):
            load_image(tmp_path / "n.jpg", size=bad)


# --------------------------------------------------------------------------- load_image: bad files


def test_text_file_named_jpg(tmp_path: Path):
    (tmp_path / "fake.jpg").write_text("this is not a picture\n")
    with pytest.raises(ImageError, match=r"fake\.jpg: not an image file") as info:
        load_image(tmp_path / "fake.jpg")
    assert info.value.kind == "not an image"


def test_postscript_is_refused_not_run(tmp_path: Path):
    (tmp_path / "a.eps").write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n")
    with pytest.raises(ImageError, match="not an image file"):
        load_image(tmp_path / "a.eps")


def test_truncated_jpeg(tmp_path: Path):
    data = noise_jpeg(tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"cut\.jpg: image data is truncated or corrupt") as info:
        load_image(tmp_path / "cut.jpg")
    assert info.value.kind == "corrupt"


def test_empty_missing_and_folder(tmp_path: Path):
    (tmp_path / "empty.png").touch()
    with pytest.raises(ImageError, match=r"empty\.png: file is empty \(0 bytes\)"):
        load_image(tmp_path / "empty.png")
    with pytest.raises(ImageError, match=r"nope\.jpg: file not found"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(ImageError, match="is a folder"):
        load_image(tmp_path)


def test_pixel_cap_is_checked_from_the_header_before_decoding(tmp_path: Path, monkeypatch):
    Image.new("RGB", (200, 100), RED).save(tmp_path / "wide.png")
    monkeypatch.setattr(images, "MAX_PIXELS", 19_999)

    def no_decoding(self):
        raise AssertionError("pixels were decoded before the size check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageError, match=r"200x100 is 20,000 pixels, over the limit of 19,999") \
            as info:
        load_image(tmp_path / "wide.png")
    assert info.value.kind == "too big"


def test_pillow_bomb_warning_does_not_leak_and_its_error_is_an_image_error(tmp_path: Path,
                                                                           monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)  # Pillow warns past 5,000, fails at 10k
    Image.new("RGB", (80, 80), RED).save(tmp_path / "warns.png")  # 6,400 pixels
    Image.new("RGB", (120, 120), RED).save(tmp_path / "fails.png")  # 14,400 pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        assert colours(load_image(tmp_path / "warns.png")) == {RED}
        with pytest.raises(ImageError, match="too many pixels") as info:
            load_image(tmp_path / "fails.png")
    assert info.value.kind == "too big"
