"""course_tools.fetch: copies from a folder and downloads from a local HTTP server, verified."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from data_tools import good_folder, sums, write_split

from course_tools import fetch
from helpers import data
from helpers.data import TEST, TRAIN


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return good_folder(tmp_path)


# --------------------------------------------------------------------------- verify only


def test_verify_passes_on_the_real_files(capsys):
    assert fetch.main(["--verify-only"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("OK") for line in out)
    assert "209 images" in out[0] and "50 images" in out[1]


def test_verify_reports_one_line_per_problem(tmp_path: Path, capsys):
    write_split(tmp_path / TRAIN.filename, "train")  # valid structure, not the official bytes
    code = fetch.main(["--verify-only", "--dir", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert len(err) == 2
    assert "SHA-256" in err[0] and "was not changed" in err[0]
    assert "test_catvnoncat.h5: file not found" in err[1]


# --------------------------------------------------------------------------- fetch from a folder


def test_fetch_from_folder_copies_and_verifies(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    ok, problems = fetch.fetch(str(good_dir), target, expected=sums(good_dir))
    assert problems == []
    assert all("fetched from" in line for line in ok)
    for spec in data.SPLITS:
        assert (target / spec.filename).read_bytes() == (good_dir / spec.filename).read_bytes()
    assert sorted(p.name for p in target.iterdir()) == [TEST.filename, TRAIN.filename]


def test_fetch_again_is_a_no_op(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    fetch.fetch(str(good_dir), target, expected=sums(good_dir))
    mtime = (target / TRAIN.filename).stat().st_mtime_ns
    ok, problems = fetch.fetch(str(good_dir), target, expected=sums(good_dir))
    assert problems == [] and all("already present and verified" in line for line in ok)
    assert (target / TRAIN.filename).stat().st_mtime_ns == mtime


def test_fetch_refuses_a_source_with_the_wrong_sum(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    expected = sums(good_dir) | {TRAIN.filename: "0" * 64}
    ok, problems = fetch.fetch(str(good_dir), target, expected=expected)
    assert len(problems) == 1 and "not installed" in problems[0]
    assert not (target / TRAIN.filename).exists()
    assert sorted(p.name for p in target.iterdir()) == [TEST.filename], "no temporary file left"


def test_fetch_never_overwrites_a_mismatching_file(good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    target.mkdir()
    mine = write_split(target / TRAIN.filename, "train", seed=99)  # e.g. the learner's own data
    before = mine.read_bytes()
    ok, problems = fetch.fetch(str(good_dir), target, expected=sums(good_dir))
    assert len(problems) == 1 and "not overwritten" in problems[0]
    assert mine.read_bytes() == before
    assert (target / TEST.filename).exists(), "the other file is still fetched"


def test_fetch_missing_source_folder(tmp_path: Path):
    ok, problems = fetch.fetch(str(tmp_path / "nowhere"), tmp_path / "target")
    assert ok == [] and len(problems) == 2
    assert all("source file not found" in p for p in problems)


def test_fetch_cli_reads_data_source_env(good_dir: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv(fetch.DATA_SOURCE_ENV, str(good_dir))
    target = tmp_path / "target"
    monkeypatch.setattr(fetch, "SPLITS", (
        data.SplitSpec("train", TRAIN.filename, data.sha256_of(good_dir / TRAIN.filename), 6),
        data.SplitSpec("test", TEST.filename, data.sha256_of(good_dir / TEST.filename), 4),
    ))
    assert fetch.main(["--dir", str(target)]) == 0
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
    ok, problems = fetch.fetch(f"{server}/good/", target, expected=sums(good_dir))
    assert problems == [], problems
    assert all(f"{server}/good/" in line for line in ok)
    assert (target / TRAIN.filename).read_bytes() == (good_dir / TRAIN.filename).read_bytes()
    # a second fetch finds verified files and does not download again
    seen = len(_Handler.requests_seen)
    fetch.fetch(f"{server}/good/", target, expected=sums(good_dir))
    assert len(_Handler.requests_seen) == seen


def test_http_404_is_a_clear_error_and_leaves_nothing(server: str, tmp_path: Path):
    target = tmp_path / "target"
    ok, problems = fetch.fetch(f"{server}/missing/", target)
    assert ok == [] and len(problems) == 2
    assert all("download failed" in p and "404" in p for p in problems)
    assert list(target.iterdir()) == []


def test_http_wrong_bytes_fail_the_checksum_and_leave_nothing(server: str, good_dir: Path,
                                                             tmp_path: Path):
    target = tmp_path / "target"
    wrong = {TRAIN.filename: "1" * 64, TEST.filename: sums(good_dir)[TEST.filename]}
    ok, problems = fetch.fetch(f"{server}/good/", target, expected=wrong)
    assert len(problems) == 1 and "failed its checksum" in problems[0]
    assert sorted(p.name for p in target.iterdir()) == [TEST.filename]


def test_interrupted_download_leaves_nothing(server: str, good_dir: Path, tmp_path: Path):
    target = tmp_path / "target"
    (good_dir.parent / "cut").mkdir()
    ok, problems = fetch.fetch(f"{server}/cut/", target, expected=sums(good_dir))
    assert any(TRAIN.filename in p for p in problems)
    assert not (target / TRAIN.filename).exists()
    assert [p.name for p in target.iterdir()] == [], "no partial or temporary file is left"


def test_verify_only_refuses_a_source(capsys):
    with pytest.raises(SystemExit):
        fetch.main(["--verify-only", "--source", "somewhere"])
    assert "drop --source" in capsys.readouterr().err
