"""course_tools.photos: the dataset build from a folder of photos, on images made here."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image
from test_images import noise_jpeg

from course_tools import photos
from course_tools.photos import BuildError, build_dataset
from helpers.data import DATA_DIR_ENV, TEST, TRAIN, load_catvnoncat

# --------------------------------------------------------------------------- labels and split


@pytest.mark.parametrize(("name", "expected"), [
    ("cat.12.jpg", True), ("CAT.1.JPG", True), ("Cat_3.png", True), ("cats-07.jpg", True),
    ("cat", True), ("cat1.jpg", True), ("Cats", True), ("dog.12.jpg", False),
    ("caterpillar.jpg", False), ("catsup.jpg", False), ("not_cat.jpg", False), ("ca.jpg", False),
])
def test_matches_class(name: str, expected: bool):
    assert photos.matches_class(name, "cat") is expected


def test_stratified_split_counts_and_seed():
    labels = np.array([1] * 10 + [0] * 33 + [1] * 2)  # 12 positives, 33 negatives
    train, test = photos.stratified_split(labels, 0.2, seed=3)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(45))
    assert int(labels[test].sum()) == 2 and int((labels[test] == 0).sum()) == 7  # 2.4->2, 6.6->7
    again = photos.stratified_split(labels, 0.2, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((train, test), again, strict=True))
    assert not np.array_equal(test, photos.stratified_split(labels, 0.2, seed=4)[1])
    # A class of two still reaches both sets; a large fraction still leaves one for training.
    train, test = photos.stratified_split(np.array([0, 0, 1, 1]), 0.1, seed=0)
    assert sorted(labels_of(test, [0, 0, 1, 1])) == [0, 1]
    train, test = photos.stratified_split(np.array([0, 0, 1, 1]), 0.9, seed=0)
    assert sorted(labels_of(train, [0, 0, 1, 1])) == [0, 1]


def labels_of(indices, labels) -> list[int]:
    return [labels[i] for i in indices]


# --------------------------------------------------------------------------- building datasets

N_CATS, N_OTHERS = 120, 180


def identity_png(path: Path, index: int, is_cat: bool, size=(40, 30)) -> None:
    """A flat image whose colour says which file it was: R, G = index, B = 200 cat / 50 not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (index % 256, index // 256, 200 if is_cat else 50)).save(path)


def identities(x: np.ndarray) -> list[tuple[int, bool]]:
    """Read back (index, is_cat) from the flat images of identity_png."""
    first = x[:, 0, 0, :].astype(int)
    assert (x == x[:, :1, :1, :]).all(), "images should be flat colours"
    return [(int(r + 256 * g), bool(b == 200)) for r, g, b in first]


def named_file(index: int) -> str:
    """The file name of image ``index`` in named_src: cats first, in assorted spellings."""
    cat_names = ("cat.{}.png", "Cat_{}.png", "cats-{}.png")
    other_names = ("dog.{}.png", "caterpillar{}.png", "car {}.png")
    return (cat_names if index < N_CATS else other_names)[index % 3].format(index)


@pytest.fixture(scope="module")
def named_src(tmp_path_factory) -> Path:
    """300 images labelled by file name, in assorted spellings, plus files that must be skipped."""
    src = tmp_path_factory.mktemp("named")
    for i in range(N_CATS + N_OTHERS):
        identity_png(src / named_file(i), i, i < N_CATS)
    (src / "notes.txt").write_text("not a picture")
    (src / "dog.empty.jpg").touch()
    data = noise_jpeg(src / "cat.cut.jpg").read_bytes()
    (src / "cat.cut.jpg").write_bytes(data[: len(data) // 2])
    (src / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden: ignored, not even reported
    return src


@pytest.fixture(scope="module")
def built(named_src: Path, tmp_path_factory) -> tuple[Path, photos.BuildReport]:
    out = tmp_path_factory.mktemp("built")
    return out, build_dataset(named_src, out, seed=0)


def read_raw(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for spec in (TRAIN, TEST):
        with h5py.File(folder / spec.filename, "r") as f:
            assert sorted(f.keys()) == sorted([spec.x_key, spec.y_key, "list_classes"])
            arrays.update({key: f[key][()] for key in f})
    return arrays


def test_build_writes_the_course_schema(built):
    out, report = built
    raw = read_raw(out)
    m_train, m_test = N_CATS + N_OTHERS - 48 - 12, 48 + 12  # 20 % of 120 cats and 180 others
    assert raw["train_set_x"].shape == (m_train, 64, 64, 3)
    assert raw["test_set_x"].shape == (m_test, 64, 64, 3)
    assert raw["train_set_x"].dtype == np.uint8 and raw["test_set_x"].dtype == np.uint8
    assert raw["train_set_y"].shape == (m_train,) and raw["train_set_y"].dtype == np.int64
    assert raw["test_set_y"].shape == (m_test,) and raw["test_set_y"].dtype == np.int64
    assert raw["list_classes"].dtype == np.dtype("S7")
    assert raw["list_classes"].tolist() == [b"non-cat", b"cat"]
    assert report.layout == "names"
    assert (report.train_counts, report.test_counts) == ((144, 96), (36, 24))


def test_build_labels_and_split_are_right(built):
    out, _ = built
    raw = read_raw(out)
    train = identities(raw["train_set_x"])
    test = identities(raw["test_set_x"])
    # Every label matches the file it came from, and each file is in exactly one set.
    assert [int(c) for _, c in train] == raw["train_set_y"].tolist()
    assert [int(c) for _, c in test] == raw["test_set_y"].tolist()
    assert sorted(i for i, _ in train + test) == list(range(N_CATS + N_OTHERS))
    # Stratified: the test set has 20 % of each class, so the same cat ratio (40 %) as train.
    assert sum(c for _, c in test) == 24 and len(test) == 60
    assert raw["train_set_y"].mean() == pytest.approx(0.4)
    # Shuffled, not in class order nor in file-name order.
    assert raw["train_set_y"][:50].mean() not in (0.0, 1.0)
    for split in (train, test):
        names = [named_file(i) for i, _ in split]
        assert names != sorted(names)


def test_build_reports_skipped_files_and_leaves_no_temporary_files(built):
    out, report = built
    skipped = {path.name: err.kind for path, err in report.skipped}
    assert skipped == {"notes.txt": "not an image", "dog.empty.jpg": "empty",
                       "cat.cut.jpg": "corrupt"}
    summary = report.skipped_summary()
    assert summary[0].startswith("Skipped 3 file(s): ")
    assert "1 corrupt" in summary[0] and any("cat.cut.jpg" in line for line in summary)
    assert sorted(p.name for p in out.iterdir()) == sorted(photos.OUTPUT_FILES)


def test_sources_csv_names_the_file_of_every_row(built):
    out, _ = built
    with open(out / photos.SOURCES_FILE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    raw = read_raw(out)
    expected = [
        {"split": split, "index": str(row), "label": str(int(is_cat)),
         "class": "cat" if is_cat else "non-cat", "source": named_file(index)}
        for split in ("train", "test")
        for row, (index, is_cat) in enumerate(identities(raw[f"{split}_set_x"]))
    ]
    assert rows == expected


def test_load_catvnoncat_reads_the_build(built, monkeypatch):
    out, _ = built
    data = load_catvnoncat(out)
    assert data.train_x.shape == (240, 64, 64, 3) and data.train_y.shape == (1, 240)
    assert data.test_x.shape == (60, 64, 64, 3) and data.test_y.shape == (1, 60)
    assert data.classes == ["non-cat", "cat"]
    monkeypatch.setenv(DATA_DIR_ENV, str(out))  # the way the notebooks are pointed at it
    assert load_catvnoncat().test_y.tolist() == data.test_y.tolist()


def test_same_seed_same_bytes_other_seed_other_split(named_src: Path, built, tmp_path: Path):
    out, _ = built
    again = build_dataset(named_src, tmp_path / "again", seed=0)
    first, second = read_raw(out), read_raw(tmp_path / "again")
    for key in first:
        assert first[key].tobytes() == second[key].tobytes(), key
    assert again.test_counts == (36, 24)

    other = read_raw(Path(build_dataset(named_src, tmp_path / "other", seed=1).outputs[0]).parent)
    assert other["test_set_x"].shape == first["test_set_x"].shape  # same sizes...
    assert {i for i, _ in identities(other["test_set_x"])} != \
        {i for i, _ in identities(first["test_set_x"])}  # ...other images


def test_refuses_to_overwrite_unless_asked(named_src: Path, built):
    out, _ = built
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(BuildError, match=r"already has train_catvnoncat\.h5.*--overwrite"):
        build_dataset(named_src, out, seed=5)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    build_dataset(named_src, out, seed=5, overwrite=True)
    assert (out / TRAIN.filename).read_bytes() != before[TRAIN.filename]
    build_dataset(named_src, out, seed=0, overwrite=True)  # leave it as the other tests expect
    assert (out / TRAIN.filename).read_bytes() == before[TRAIN.filename]


def test_folder_layout(tmp_path: Path):
    src = tmp_path / "photos"
    for i in range(10):
        identity_png(src / "Cats" / f"IMG_{i}.png", i, True)
        identity_png(src / "cats" / "2024" / f"IMG_{i}.png", 10 + i, True)  # nested: still cats
        identity_png(src / "dogs" / f"IMG_{i}.png", 20 + i, False)
        identity_png(src / "caterpillars" / f"cat.{i}.png", 30 + i, False)  # folder decides
    (src / "README.txt").write_text("my photos")
    report = build_dataset(src, tmp_path / "out", size=16, test_fraction=0.25, seed=2)
    assert report.layout == "folders"
    data = load_catvnoncat(tmp_path / "out")
    assert data.train_x.shape[1:] == (16, 16, 3)
    pairs = identities(data.train_x) + identities(data.test_x)
    assert sorted(pairs) == [(i, i < 20) for i in range(40)]
    assert data.train_y.ravel().tolist() == [int(c) for _, c in identities(data.train_x)]
    assert report.test_counts == (5, 5)  # 25 % of 20 cats and of 20 others
    assert [(p.name, e.kind) for p, e in report.skipped] == [("README.txt",
                                                              "outside class folders")]


def test_custom_class_names(tmp_path: Path):
    for i in range(6):
        identity_png(tmp_path / "src" / f"dog.{i}.png", i, True)
        identity_png(tmp_path / "src" / f"cat.{i}.png", 10 + i, False)
    build_dataset(tmp_path / "src", tmp_path / "out", positive="dog", negative="cat")
    data = load_catvnoncat(tmp_path / "out")
    assert data.classes == ["cat", "dog"]
    assert all(y == int(c) for y, (_, c) in zip(data.train_y.ravel(), identities(data.train_x),
                                                strict=True))


@pytest.mark.parametrize("out_name", ["dataset", "."])
def test_output_folder_inside_the_photos_is_left_out(tmp_path: Path, out_name: str):
    src = tmp_path / "src"
    for i in range(5):
        identity_png(src / f"cat.{i}.png", i, True)
        identity_png(src / f"dog.{i}.png", 10 + i, False)
    out = src / out_name
    first = build_dataset(src, out)
    report = build_dataset(src, out, overwrite=True)
    assert report.skipped == []  # the first build's files are not read as photos
    assert report.layout == first.layout == "names"
    assert sum(report.train_counts) + sum(report.test_counts) == 10


# --------------------------------------------------------------------------- build errors


def test_ambiguous_layout_is_an_error(tmp_path: Path):
    identity_png(tmp_path / "cat.1.png", 1, True)
    identity_png(tmp_path / "dogs" / "a.png", 2, False)
    with pytest.raises(BuildError, match=r"ambiguous layout.*--layout names.*--layout folders"):
        build_dataset(tmp_path, tmp_path / "out")


def test_one_class_only_is_an_error(tmp_path: Path):
    for i in range(4):
        identity_png(tmp_path / "dogs" / f"dog.{i}.png", i, False)
    with pytest.raises(BuildError, match=r"only one class: no file name .* starts with 'cat'"):
        build_dataset(tmp_path / "dogs", tmp_path / "out")
    with pytest.raises(BuildError, match=r"only one class: all 4 files are labelled 'dog'"):
        build_dataset(tmp_path / "dogs", tmp_path / "out", positive="dog")
    with pytest.raises(BuildError, match=r"no sub-folder .* is named 'cat' \(found: dogs\)"):
        build_dataset(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # checked before anything is written


def test_too_few_usable_images_per_class(tmp_path: Path):
    for i in range(5):
        identity_png(tmp_path / f"dog.{i}.png", i, False)
    identity_png(tmp_path / "cat.0.png", 9, True)
    (tmp_path / "cat.1.png").write_text("oops")
    with pytest.raises(BuildError, match=r"at least 2 usable images of each class.*found 1 'cat'"
                       ) as info:
        build_dataset(tmp_path, tmp_path / "out")
    assert [p.name for p, _ in info.value.report.skipped] == ["cat.1.png"]
    assert os.listdir(tmp_path / "out") == []  # no outputs, no temporary files


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course_tools.photos", *args], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)


def test_cli_builds_and_reports(named_src: Path, tmp_path: Path):
    result = run_cli("build", str(named_src), str(tmp_path / "out"), "--size", "32", "--seed", "0")
    assert result.returncode == 0, result.stderr
    assert "train_catvnoncat.h5: 240 images (32, 32, 3) uint8, 96 cat / 144 non-cat" \
        in result.stdout
    assert "test_catvnoncat.h5: 60 images" in result.stdout
    assert f"CATVNONCAT_DIR={tmp_path / 'out'}" in result.stdout
    assert "Reading images" in result.stderr  # the progress bar
    assert "Skipped 3 file(s)" in result.stderr and "notes.txt: not an image" in result.stderr
    assert load_catvnoncat(tmp_path / "out").train_x.shape == (240, 32, 32, 3)

    again = run_cli("build", str(named_src), str(tmp_path / "out"), "--size", "32", "--quiet")
    assert again.returncode == 1
    assert again.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "--overwrite" in again.stderr and "Reading images" not in again.stderr


@pytest.mark.parametrize(("setup", "message"), [
    ("missing", "folder not found"),
    ("junk", "no usable images: all 2 files were skipped"),
    ("dogs", "only one class"),
])
def test_cli_errors_are_one_clear_line(tmp_path: Path, setup: str, message: str):
    src = tmp_path / "src"
    if setup == "junk":
        src.mkdir()
        (src / "cat.1.jpg").write_text("not an image")
        (src / "dog.1.jpg").write_bytes(b"")
    elif setup == "dogs":
        for i in range(3):
            identity_png(src / f"dog.{i}.png", i, False)
    result = run_cli("build", str(src), str(tmp_path / "out"), "--quiet")
    assert result.returncode == 1
    assert result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and message in last
    assert "Traceback" not in result.stderr


def test_cli_rejects_bad_arguments(tmp_path: Path):
    result = run_cli("build", str(tmp_path), str(tmp_path / "o"), "--test-fraction", "1.5")
    assert result.returncode == 2 and "strictly between 0 and 1" in result.stderr


# --------------------------------------------------------------------------- memory


def photo_jpeg(path: Path, seed: int) -> Path:
    """A 500 x 375 JPEG that compresses like a photo: a colour gradient plus mild noise."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 1, 500, dtype=np.float32)[None, :, None] * rng.uniform(-120, 120, 3)
    fall = np.linspace(0, 1, 375, dtype=np.float32)[:, None, None] * rng.uniform(-120, 120, 3)
    pixels = 128 + ramp + fall + rng.normal(0, 8, (375, 500, 3))
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)
    return path


def peak_rss_mb(code: str, *args: str) -> tuple[float, str]:
    """Run ``code`` in a fresh Python; return its peak resident memory (MB) and its stdout."""
    # VmHWM is the peak of this process image since exec. (getrusage's ru_maxrss would not do:
    # it starts from the RSS of the parent, pytest, at fork.)
    footer = ("\nfrom pathlib import Path\nstatus = Path('/proc/self/status').read_text()\n"
              "print(next(line.split()[1] for line in status.splitlines()\n"
              "           if line.startswith('VmHWM:')))  # in kB")
    result = subprocess.run([sys.executable, "-c", code + footer, *args], capture_output=True,
                            text=True, timeout=600, check=True)
    *lines, peak = result.stdout.strip().splitlines()
    return int(peak) / 1024, "\n".join(lines)


@pytest.mark.slow
def test_build_memory_stays_bounded(tmp_path: Path):
    """Building from N photos needs at most 100 MB more than importing the modules.

    Holding the decoded photos would need N x 0.56 MB (560 MB for the default N = 1,000).
    For the timing in the docs: BENCH_IMAGES=5000 pytest tests/test_photos.py -k memory -s
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("measures memory with Linux's /proc/self/status")
    n = int(os.environ.get("BENCH_IMAGES", "1000"))
    distinct = [photo_jpeg(tmp_path / f"photo{i}.jpg", seed=i) for i in range(20)]
    src = tmp_path / "src"
    src.mkdir()
    for i in range(n):
        target = src / f"{'cat' if i % 2 == 0 else 'dog'}.{i // 2}.jpg"
        try:
            os.link(distinct[i % len(distinct)], target)  # same bytes, decoded again each time
        except OSError:
            target.write_bytes(distinct[i % len(distinct)].read_bytes())

    imports = ("import h5py, tqdm.auto\nfrom PIL import Image\nImage.init()\n"
               "from course_tools.photos import build_dataset\n")
    baseline, _ = peak_rss_mb(imports)
    build = imports + ("import sys, time\nwall, cpu = time.perf_counter(), time.process_time()\n"
                       "build_dataset(sys.argv[1], sys.argv[2])\n"
                       "print(f'{time.perf_counter() - wall:.1f} s wall, '\n"
                       "      f'{time.process_time() - cpu:.1f} s CPU')\n")
    peak, timing = peak_rss_mb(build, str(src), str(tmp_path / "out"))
    print(f"\nbuild of {n:,} 500x375 JPEGs: {timing}; peak memory {peak:.0f} MB, "
          f"{peak - baseline:.0f} MB over the imports alone ({baseline:.0f} MB)")
    data = load_catvnoncat(tmp_path / "out")
    assert data.train_x.shape[0] + data.test_x.shape[0] == n
    assert peak - baseline < 100
