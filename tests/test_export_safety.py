"""Issue 13: exports never destroy. Real files, FIFOs, sockets, devices, symlinks, a read-only and a
full file system (in a private mount namespace, as in test_store_faults.py)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sz_digest.cache.atomic import WriteError, create_new, write_atomic
from sz_digest.cache.exit_codes import ExitCode
from sz_digest.cache.store import Store
from sz_digest.tui.cli import main
from test_store_faults import _filled_store, in_private_mount


def export(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), "export", "--format", "md", *args])


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def data(tmp_path) -> Path:
    return _filled_store(tmp_path / "store")


def _special_files(folder: Path) -> dict[str, Path]:
    """A FIFO, a socket, a directory, a symlink, and a character device when we may make one."""
    made = {}
    fifo = folder / "fifo.md"
    os.mkfifo(fifo)
    made["fifo"] = fifo
    sock_path = folder / "sock.md"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()
    made["socket"] = sock_path
    (folder / "dir.md").mkdir()
    made["directory"] = folder / "dir.md"
    victim = folder / "victim.txt"
    victim.write_text("precious")
    (folder / "link.md").symlink_to(victim)
    made["symlink"] = folder / "link.md"
    try:
        os.mknod(folder / "null.md", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
        made["device"] = folder / "null.md"
    except PermissionError:
        pass
    return made


@pytest.mark.parametrize("force", [False, True])
def test_export_refuses_to_replace_anything_not_a_regular_file(data, tmp_path, capsys, force):
    out = tmp_path / "out"
    out.mkdir()
    specials = _special_files(out)
    before = {name: os.lstat(path) for name, path in specials.items()}
    for kind, path in specials.items():
        code = export(data, "-o", str(path), *(["--force"] if force else []))
        err = capsys.readouterr().err
        assert code == ExitCode.WRITE_FAILED, kind
        assert err.count("\n") == 1 and "Traceback" not in err and "refusing to replace it" in err, err
        after = os.lstat(path)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before[kind].st_mode) and after.st_ino == before[kind].st_ino
    assert (out / "victim.txt").read_text() == "precious"
    assert listing(out) == sorted([p.name for p in specials.values()] + ["victim.txt"]), "no temp files left"


def test_a_symlink_planted_at_the_old_temp_name_is_never_followed(data, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".export.md.sz-digest-tmp", ".export.md.tmp", "export.md.tmp"):
        (out / name).symlink_to(victim)
    assert export(data, "-o", str(out / "export.md")) == ExitCode.OK
    assert victim.read_text() == "precious"
    assert (out / "export.md").read_text("utf-8").startswith("# ")
    assert not (out / "export.md").is_symlink()
    (out / "export.md").write_text("old")
    assert export(data, "-o", str(out / "export.md")) == ExitCode.USAGE  # exists, no --force
    assert (out / "export.md").read_text() == "old"
    assert export(data, "-o", str(out / "export.md"), "--force") == ExitCode.OK
    assert (out / "export.md").read_text("utf-8").startswith("# ") and victim.read_text() == "precious"
    assert len(listing(out)) == 4, "no temp files left"
    capsys.readouterr()


def test_dash_writes_stdout_and_odd_paths_fail_in_one_line(data, tmp_path, capsys):
    assert export(data, "-o", "-") == ExitCode.OK
    out, err = capsys.readouterr()
    assert out.startswith("# ") and not (Path.cwd() / "-").exists()
    for target in (tmp_path / "missing-dir" / "x.md", tmp_path / "store" / "data" / "sz-digest.sqlite3" / "x.md",
                   tmp_path / ("n" * 300 + ".md")):
        assert export(data, "-o", str(target), "--force") == ExitCode.WRITE_FAILED
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and "cannot write" in err


def test_stdout_that_cannot_be_written_exits_5(data):
    result = subprocess.run([sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data), "export"],
                            stdout=open("/dev/full", "w"), stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == ExitCode.WRITE_FAILED
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_read_only_and_full_file_systems_fail_cleanly_and_leave_no_junk(tmp_path):
    data = _filled_store(tmp_path / "store")
    for label, mount in (("ro", "mount --bind {root} {root} && mount -o remount,ro,bind {root}"),
                         ("full", "mount -t tmpfs -o size=64k tmpfs {root}")):
        root = tmp_path / label
        root.mkdir()
        result = in_private_mount(tmp_path, mount.format(root=root), f"""
            import json, os
            from pathlib import Path
            from sz_digest.cache.atomic import WriteError, create_new
            from sz_digest.tui.cli import main
            root = Path({str(root)!r})
            if {label!r} == "full":
                (root / "old.md").write_text("old")
                (root / "filler").write_bytes(b"x" * 40_000)
            big = "长" * 100_000  # 300 KB: more than the tiny file system holds
            codes = []
            for args in (["-o", str(root / "new.md")], ["-o", str(root / "old.md"), "--force"]):
                codes.append(main(["--data-dir", {str(data)!r}, "export", *args]))
            try:
                create_new(root, "reader.md", big.encode())
                codes.append("written")
            except WriteError as exc:
                codes.append(exc.reason)
            print(json.dumps({{"codes": codes, "files": sorted(os.listdir(root))}}))
        """)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        report = __import__("json").loads(result.stdout)
        if label == "ro":
            assert report["codes"] == [5, 5, "read-only file system"] and report["files"] == []
        else:
            # A small export fits; the reader's 300 KB one does not, and leaves no 0-byte file behind.
            assert report["codes"][2] == "the disk is full"
            assert "reader.md" not in report["files"] and not [f for f in report["files"] if f.endswith(".tmp")]
            assert report["files"] == sorted(["filler", "new.md", "old.md"])


def test_create_new_never_overwrites_and_numbers_the_name(tmp_path):
    (tmp_path / "a.md").write_text("first")
    os.mkfifo(tmp_path / "a-2.md")
    path = create_new(tmp_path, "a.md", b"second")
    assert path.name == "a-3.md" and path.read_bytes() == b"second"
    assert (tmp_path / "a.md").read_text() == "first" and stat.S_ISFIFO(os.lstat(tmp_path / "a-2.md").st_mode)
    with pytest.raises(WriteError):
        write_atomic(tmp_path / "a.md", b"x")
    assert listing(tmp_path) == ["a-2.md", "a-3.md", "a.md"]


def test_export_never_replaces_the_store_itself(data, tmp_path, capsys):
    db = data / "sz-digest.sqlite3"
    before = db.read_bytes()
    (tmp_path / "link.md").symlink_to(db)
    targets = [db, data / "sz-digest.sqlite3-wal", data / "pages" / "1600001.html", data / "." / "sz-digest.sqlite3",
               data / "sync.lock", data / "pages"]
    for target in targets:
        if target == data / "pages":
            (data / "pages").rename(tmp_path / "pages-aside")  # the name alone is the store's, made or not
        assert export(data, "-o", str(target), "--force") == ExitCode.USAGE
        err = capsys.readouterr().err
        assert "part of the store" in err and err.count("\n") == 1
    assert not (data / "pages").exists()
    assert export(data, "-o", str(tmp_path / "link.md"), "--force") != ExitCode.OK  # a symlink to it
    assert db.read_bytes() == before
    with Store.open(data, seed_sample=False) as store:
        assert store.integrity_ok() and store.known_ids() == {"1600001"}


def test_feed_output_goes_through_the_same_helper(data, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    specials = _special_files(out)
    for kind, path in specials.items():
        if kind == "directory":
            continue
        code = main(["--data-dir", str(data), "feed", "-o", str(path)])
        err = capsys.readouterr().err
        assert code == ExitCode.WRITE_FAILED, kind
        assert "refusing to replace it" in err and err.count("\n") == 1 and "Traceback" not in err
    assert (out / "victim.txt").read_text() == "precious"
    assert not [name for name in listing(out) if name.endswith(".tmp")]


def test_dev_stdout_is_stdout(data, tmp_path):
    target = tmp_path / "piped.md"
    for name in ("/dev/stdout", "/proc/self/fd/1"):
        with open(target, "wb") as handle:
            result = subprocess.run([sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(data), "export",
                                     "-o", name], stdout=handle, stderr=subprocess.PIPE, text=True, timeout=60)
        assert result.returncode == ExitCode.OK, result.stderr
        assert target.read_text("utf-8").startswith("# ")
