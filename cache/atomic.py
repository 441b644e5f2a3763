"""Writing a file the user named without ever destroying something else: the one helper every export uses.

The rules, and why:
- The data goes to a temp file made with `O_EXCL` and `O_NOFOLLOW` under a random name in the target's
  own directory: its name cannot be predicted, so a symlink planted beside the target cannot redirect the write, and
  the final rename stays on one file system.
- The temp file is flushed and fsynced before it takes the target's name (`os.replace`), so a crash or
  a full disk leaves either the old file or the new one, never a 0-byte or half file; on any failure
  the temp file is removed.
- Only a regular file is ever replaced (and only when asked). A directory, a device (`/dev/null`), a
  FIFO, a socket or a symlink is refused, `overwrite` or not, with a message saying what it is.
- Without `overwrite` the new file appears with `os.link`, which fails if the name exists: no window
  in which another file could be clobbered.
"""

from __future__ import annotations

import errno
import os
import random
import stat
from pathlib import Path

from .errors import DigestError

MAX_NUMBERED = 999  # name-2 … name-999 before `create_new` gives up


class WriteError(DigestError):
    """A file could not be written; `exists` is True when only an existing regular file stood in the way."""

    def __init__(self, path: object, reason: str, *, exists: bool = False) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason
        self.exists = exists


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a directory"
    if stat.S_ISLNK(mode):
        return "it is a symbolic link (name the file it points to instead)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EDQUOT:
        return "over the disk quota"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno == errno.ENOENT:
        return "no such directory"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a directory"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return exc.strerror or str(exc)


def _check_target(path: Path, *, overwrite: bool) -> bool:
    """Whether `path` exists (as a regular file we may replace); WriteError if it must not be touched."""
    try:
        info = os.lstat(path)  # lstat: a symlink is judged as itself, never followed
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise WriteError(path, _describe(exc)) from None
    kind = file_kind(info.st_mode)
    if kind is not None:
        raise WriteError(path, f"{kind}; refusing to replace it")
    if not overwrite:
        raise WriteError(path, "the file exists", exists=True)
    return True


# O_BINARY as tempfile.mkstemp sets it: on Windows a file opened without it turns "\n" into "\r\n".
_TEMP_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))
_temp_names = random.SystemRandom()


def _temp_beside(path: Path, data: bytes, *, durable: bool = True) -> str:
    """A temp file holding `data` in `path`'s directory (fsynced when `durable`); its name. Removed
    again on failure. Made in one `open` with mode 0o666, so the umask applies as for any file the
    user makes (a sync keeps hundreds of pages: `mkstemp` plus a chmod cost system calls each)."""
    prefix = f"{path.parent}/.{path.name[:60]}."
    for _attempt in range(100):
        tmp = f"{prefix}{_temp_names.getrandbits(64):016x}.tmp"
        try:
            fd = os.open(tmp, _TEMP_FLAGS, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise WriteError(path, _describe(exc)) from None
    else:
        raise WriteError(path, "no free temporary name beside it")
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException as exc:
        _unlink_quietly(tmp)
        if isinstance(exc, OSError):
            raise WriteError(path, _describe(exc)) from None
        raise
    return tmp


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _link_new(tmp: str, path: Path) -> bool:
    """Give `tmp` the name `path` only if nothing has it; False if the name is taken."""
    try:
        os.link(tmp, path, follow_symlinks=False)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise WriteError(path, _describe(exc)) from None
    # A file system without hard links: create the name exclusively, then fill it from the temp file.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except FileExistsError:
        return False
    except OSError as exc:
        raise WriteError(path, _describe(exc)) from None
    try:
        with open(tmp, "rb") as source:
            while chunk := source.read(1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        _unlink_quietly(os.fspath(path))  # ours, made a moment ago with O_EXCL
        raise WriteError(path, _describe(exc)) from None
    os.close(fd)
    return True


def write_atomic(path: Path | str, data: bytes, *, overwrite: bool = False, durable: bool = True) -> Path:
    """Write `data` to `path` as one step: all of it or nothing, never through a link, never over a
    non-regular file, and over an existing regular file only with `overwrite`. Raises WriteError.
    `durable=False` skips the fsyncs (a copy that can be rebuilt, such as the kept raw pages)."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise WriteError(path, "it is a directory; name a file")
    if not overwrite:
        _check_target(path, overwrite=False)  # an existing name fails before any data is written
    tmp = _temp_beside(path, data, durable=durable)
    replaced = False
    try:
        if overwrite:
            _check_target(path, overwrite=True)  # as late as possible: it may have changed
            try:
                os.replace(tmp, path)
                replaced = True
            except OSError as exc:
                raise WriteError(path, _describe(exc)) from None
        elif not _link_new(tmp, path):
            raise WriteError(path, "the file exists", exists=True)
    finally:
        if not replaced:
            _unlink_quietly(tmp)  # after a link it is a second name; after a failure, debris
    if durable:
        _sync_dir(path.parent)
    return path


def create_new(folder: Path | str, name: str, data: bytes) -> Path:
    """Write `data` as `folder/name`, or `name-2`, `name-3` … : never over anything that exists."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(folder, _describe(exc)) from None
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    tmp = _temp_beside(folder / name, data)
    try:
        for n in range(1, MAX_NUMBERED + 1):
            candidate = folder / (name if n == 1 else f"{stem}-{n}{dot}{suffix}")
            if _link_new(tmp, candidate):
                _sync_dir(folder)
                return candidate
    finally:
        _unlink_quietly(tmp)
    raise WriteError(folder / name, f"{MAX_NUMBERED} files of that name exist already")
