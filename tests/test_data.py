"""helpers.data: loading, verifying and fetching, on small files the tests make themselves."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import h5py
import numpy as np
import pytest

from helpers import data
from helpers.data import TEST, TRAIN, DatasetError


def write_split(path: Path, split: str, m: int = 6, px: int = 8, *, seed: int = 0,
                x_dtype=np.uint8, labels=None, keys=None, classes=(b"non-cat", b"cat")) -> Path:
    """Write a small file in the course schema (or a broken variant of it)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(m, px, px, 3)).astype(x_dtype)
    y = np.array(labels if labels is not None else [i % 2 for i in range(m)], dtype=np.int64)
    keys = keys or (f"{split}_set_x", f"{split}_set_y", "list_classes")
    with h5py.File(path, "w") as f:
        f.create_dataset(keys[0], data=x)
        f.create_dataset(keys[1], data=y)
        f.create_dataset(keys[2], data=np.array(classes, dtype="S7"))
    return path


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "good"
    folder.mkdir()
    write_split(folder / TRAIN.filename, "train", m=6, seed=1)
    write_split(folder / TEST.filename, "test", m=4, seed=2)
    return folder


def sums(folder: Path) -> dict[str, str]:
    return {spec.filename: data.sha256_of(folder / spec.filename) for spec in data.SPLITS}


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


def test_verify_passes_on_the_real_files(capsys):
    assert data.main(["verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("OK") for line in out)
    assert "209 images" in out[0] and "50 images" in out[1]


def test_verify_reports_one_line_per_problem(tmp_path: Path, capsys):
    write_split(tmp_path / TRAIN.filename, "train")  # valid structure, not the official bytes
    code = data.main(["verify", "--dir", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert len(err) == 2
    assert "SHA-256" in err[0] and "was not changed" in err[0]
    assert "test_catvnoncat.h5: file not found" in err[1]


def test_verify_checksum_mismatch_never_touches_the_file(tmp_path: Path):
    path = write_split(tmp_path / TRAIN.filename, "train")
    before = path.read_bytes()
    with pytest.raises(DatasetError, match="SHA-256"):
        data.verify_file(path, TRAIN)
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- fetch from a folder


def test_fetch_from_folder_copies_and_verifies(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    ok, problems = data.fetch(str(good_dir), target, expected=sums(good_dir))
    assert problems == []
    assert all("fetched from" in line for line in ok)
    for spec in data.SPLITS:
        assert (target / spec.filename).read_bytes() == (good_dir / spec.filename).read_bytes()
    assert sorted(p.name for p in target.iterdir()) == [TEST.filename, TRAIN.filename]


def test_fetch_again_is_a_no_op(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    data.fetch(str(good_dir), target, expected=sums(good_dir))
    mtime = (target / TRAIN.filename).stat().st_mtime_ns
    ok, problems = data.fetch(str(good_dir), target, expected=sums(good_dir))
    assert problems == [] and all("already present and verified" in line for line in ok)
    assert (target / TRAIN.filename).stat().st_mtime_ns == mtime


def test_fetch_refuses_a_source_with_the_wrong_sum(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    expected = sums(good_dir) | {TRAIN.filename: "0" * 64}
    ok, problems = data.fetch(str(good_dir), target, expected=expected)
    assert len(problems) == 1 and "not installed" in problems[0]
    assert not (target / TRAIN.filename).exists()
    assert sorted(p.name for p in target.iterdir()) == [TEST.filename], "no temporary file left"


def test_fetch_never_overwrites_a_mismatching_file(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    target.mkdir()
    mine = write_split(target / TRAIN.filename, "train", seed=99)  # e.g. the learner's own data
    before = mine.read_bytes()
    ok, problems = data.fetch(str(good_dir), target, expected=sums(good_dir))
    assert len(problems) == 1 and "not overwritten" in problems[0]
    assert mine.read_bytes() == before
    assert (target / TEST.filename).exists(), "the other file is still fetched"


def test_fetch_missing_source_folder(tmp_path: Path):
    ok, problems = data.fetch(str(tmp_path / "nowhere"), tmp_path / "target")
    assert ok == [] and len(problems) == 2
    assert all("source file not found" in p for p in problems)


def test_fetch_cli_reads_data_source_env(good_dir: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv(data.DATA_SOURCE_ENV, str(good_dir))
    target = tmp_path / "target"
    monkeypatch.setattr(data, "SPLITS", (
        data.SplitSpec("train", TRAIN.filename, data.sha256_of(good_dir / TRAIN.filename), 6),
        data.SplitSpec("test", TEST.filename, data.sha256_of(good_dir / TEST.filename), 4),
    ))
    assert data.main(["fetch", "--dir", str(target)]) == 0
    assert str(good_dir) in capsys.readouterr().out


# --------------------------------------------------------------------------- fetch over HTTP


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests_seen: list[str] = []

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        type(self).requests_seen.append(self.path)
        if self.path.endswith("/cut/" + TRAIN.filename):  # an interrupted download
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x89HDF\r\n\x1a\n" + b"x" * 1000)
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def server(good_dir: Path):
    """A real HTTP server on localhost serving the folder that holds good_dir."""
    _Handler.requests_seen = []
    handler = functools.partial(_Handler, directory=str(good_dir.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_over_http(server: str, good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    ok, problems = data.fetch(f"{server}/good/", target, expected=sums(good_dir))
    assert problems == [], problems
    assert all(f"{server}/good/" in line for line in ok)
    assert (target / TRAIN.filename).read_bytes() == (good_dir / TRAIN.filename).read_bytes()
    # a second fetch finds verified files and does not download again
    seen = len(_Handler.requests_seen)
    data.fetch(f"{server}/good/", target, expected=sums(good_dir))
    assert len(_Handler.requests_seen) == seen


def test_http_404_is_a_clear_error_and_leaves_nothing(server: str, tmp_path: Path):
    target = tmp_path / "target"
    ok, problems = data.fetch(f"{server}/missing/", target)
    assert ok == [] and len(problems) == 2
    assert all("download failed" in p and "404" in p for p in problems)
    assert list(target.iterdir()) == []


def test_http_wrong_bytes_fail_the_checksum_and_leave_nothing(server: str, good_dir: Path,
                                                             tmp_path: Path):
    target = tmp_path / "target"
    wrong = {TRAIN.filename: "1" * 64, TEST.filename: sums(good_dir)[TEST.filename]}
    ok, problems = data.fetch(f"{server}/good/", target, expected=wrong)
    assert len(problems) == 1 and "failed its checksum" in problems[0]
    assert sorted(p.name for p in target.iterdir()) == [TEST.filename]


def test_interrupted_download_leaves_nothing(server: str, good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    (good_dir.parent / "cut").mkdir()
    ok, problems = data.fetch(f"{server}/cut/", target, expected=sums(good_dir))
    assert any(TRAIN.filename in p for p in problems)
    assert not (target / TRAIN.filename).exists()
    assert [p.name for p in target.iterdir()] == [], "no partial or temporary file is left"
