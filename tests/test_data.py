"""helpers.data: loading, verifying and splitting, on small files the tests make themselves."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from data_tools import good_folder, write_split

from helpers import data
from helpers.data import TEST, TRAIN, DatasetError


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return good_folder(tmp_path)


# --------------------------------------------------------------------------- loading


def test_load_returns_course_shapes_and_str_classes(good_dir: Path):
    d = data.load_catvnoncat(good_dir)
    assert d.train_x.shape == (6, 8, 8, 3) and d.train_x.dtype == np.uint8
    assert d.train_y.shape == (1, 6) and d.train_y.dtype == np.int64
    assert d.test_x.shape == (4, 8, 8, 3)
    assert d.test_y.shape == (1, 4)
    assert d.classes == ["non-cat", "cat"]
    train_x, train_y, test_x, test_y, classes = d  # unpacks like the classic five-tuple
    assert train_y.tolist() == [[0, 1, 0, 1, 0, 1]]
    with h5py.File(good_dir / TEST.filename) as f:  # the pixels, unchanged and in file order
        np.testing.assert_array_equal(test_x, f["test_set_x"][:])


def test_load_uses_env_var_not_cwd(good_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(good_dir))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert data.load_catvnoncat().train_x.shape[0] == 6


def test_default_dir_is_next_to_package_whatever_the_cwd(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert data.data_dir() == Path(data.__file__).resolve().parent.parent / "datasets"


def test_real_dataset_loads_with_the_classic_numbers():
    """The files make setup fetched (CI fetches them before testing)."""
    d = data.load_catvnoncat()
    assert d.train_x.shape == (209, 64, 64, 3) and d.test_x.shape == (50, 64, 64, 3)
    assert int(d.train_y.sum()) == 72 and int(d.test_y.sum()) == 33
    assert d.classes == ["non-cat", "cat"]


# --------------------------------------------------------------------------- bad input


def expect_error(path: Path, split: str, *fragments: str) -> str:
    with pytest.raises(DatasetError) as info:
        data.read_split(path, split)
    message = str(info.value)
    assert str(path) in message, "the message must name the file"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_missing_file_says_how_to_fetch(tmp_path: Path):
    expect_error(tmp_path / TRAIN.filename, "train", "not found", "make setup")


def test_empty_file(tmp_path: Path):
    path = tmp_path / TRAIN.filename
    path.write_bytes(b"")
    expect_error(path, "train", "empty (0 bytes)", "Delete it")


def test_truncated_file(good_dir: Path):
    path = good_dir / TRAIN.filename
    path.write_bytes(path.read_bytes()[:3000])
    expect_error(path, "train", "truncated or corrupt")


def test_html_error_page_saved_as_h5(tmp_path: Path):
    path = tmp_path / TRAIN.filename
    path.write_text("<!DOCTYPE html><html><body>404: Not Found</body></html>")
    expect_error(path, "train", "HTML", "error page")


def test_git_lfs_pointer(tmp_path: Path):
    path = tmp_path / TRAIN.filename
    path.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 2572022\n")
    expect_error(path, "train", "Git LFS pointer")


def test_random_bytes_are_not_hdf5(tmp_path: Path):
    path = tmp_path / TRAIN.filename
    path.write_bytes(bytes(range(256)) * 4)
    expect_error(path, "train", "not an HDF5 file")


def test_wrong_keys(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "train", keys=("images", "labels", "names"))
    expect_error(path, "train", "missing key(s) train_set_x, train_set_y, list_classes",
                 "found: images, labels, names")


def test_test_file_under_the_train_name(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "test")
    expect_error(path, "train", "looks like the test file")


def test_wrong_dtype(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "train", x_dtype=np.float32)
    expect_error(path, "train", "dtype float32, expected uint8")


def test_wrong_shape(tmp_path: Path):
    path = tmp_path / TRAIN.filename
    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.zeros((4, 8, 8), dtype=np.uint8)  # grayscale, no channel axis
        f["train_set_y"] = np.zeros(4, dtype=np.int64)
        f["list_classes"] = np.array([b"non-cat", b"cat"], dtype="S7")
    expect_error(path, "train", "shape (4, 8, 8), expected (m, num_px, num_px, 3)")


def test_label_count_mismatch(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "train", m=4, labels=[0, 1, 1])
    expect_error(path, "train", "3 labels for 4 images")


def test_labels_outside_0_1(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "train", m=4, labels=[0, 1, 2, -1])
    expect_error(path, "train", "labels [-1, 2] outside {0, 1}")


def test_train_and_test_of_different_sizes_are_refused(tmp_path: Path):
    write_split(tmp_path / TRAIN.filename, "train", px=8)
    write_split(tmp_path / TEST.filename, "test", px=16)
    with pytest.raises(DatasetError, match="same dataset"):
        data.load_catvnoncat(tmp_path)


# --------------------------------------------------------------------------- verify


def test_verify_checksum_mismatch_never_touches_the_file(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "train")
    before = path.read_bytes()
    with pytest.raises(DatasetError, match="SHA-256"):
        data.verify_file(path, TRAIN)
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- stratified folds


def test_stratified_folds_are_pinned_for_a_seed():
    """The folds of notebook 4's committee and the photo builder's split depend on these exact
    draws: a change here changes experiments/cnn_results.md and every built dataset."""
    y = np.array([0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1])
    assert data.stratified_folds(y, 3, seed=7).tolist() == [0, 1, 2, 2, 0, 0, 2, 1, 0, 1, 2, 1]
    split = data.stratified_folds(y, 2, seed=7, first_fold_fraction=0.25)
    assert split.tolist() == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0]  # 7 x 0.25 -> 2, 5 x 0.25 -> 1


def test_stratified_folds_accepts_a_generator_and_continues_its_stream():
    y = np.array([0, 1] * 5)
    rng = np.random.default_rng(3)
    first = data.stratified_folds(y, 2, rng)
    assert np.array_equal(first, data.stratified_folds(y, 2, seed=3))
    assert not np.array_equal(data.stratified_folds(y, 2, rng), first)  # the stream moved on


def test_stratified_folds_fraction_needs_two_folds():
    with pytest.raises(ValueError, match="2 folds"):
        data.stratified_folds(np.array([0, 1] * 5), 3, seed=0, first_fold_fraction=0.2)
