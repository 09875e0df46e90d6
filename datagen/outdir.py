"""The dataset folder a run (or a merge) writes: made, locked against a second writer, cleaned after a failure.

    with OutputFolder(out, "output.dir"):   a UserError naming the key if the folder cannot be made or
        ...                                 written, or is in use by another run; on any failure inside,
                                            temporary files are removed and an OSError becomes one line
                                            (MachineError) that says what is kept and how to go on.

The lock is an flock on `<folder>/.lock`, which holds the owner (pid, host, command, start time) for
the message a second run prints; the kernel drops it when its process ends, however it ends, so a
killed run never leaves a stale lock. The file is removed when the run ends.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import socket
import sys
import time
from pathlib import Path
from typing import Optional

from datagen.errors import MachineError, UserError
from datagen.journal import FOLDER as JOURNAL
from datagen.writer import TMP_SUFFIX

LOCK = ".lock"


def _reason(e: OSError) -> str:
    """'No space left on device' out of an OSError, also pyarrow's, whose errno is only in the text."""
    return e.strerror or str(e).split("] ", 1)[-1].split(". Detail:", 1)[0] or type(e).__name__


def _errno(e: OSError) -> Optional[int]:
    if e.errno is not None:
        return e.errno
    text = str(e)
    if text.startswith("[Errno "):
        try:
            return int(text[7:].split("]", 1)[0])
        except ValueError:
            return None
    return None


def _owner(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "a process that did not say"


def in_use(path: Path) -> Optional[str]:
    """Who holds the lock of a dataset folder (a run writing it), or None."""
    try:
        fd = os.open(path / LOCK, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except BlockingIOError:
        return _owner(fd)
    finally:
        os.close(fd)


class OutputFolder:
    def __init__(self, path: Path, key: str):
        self.path, self.key = path, key
        self._fd: Optional[int] = None
        self._made = False

    def __enter__(self) -> "OutputFolder":
        where = f"{self.key}={self.path}"
        if self.path.exists() and not self.path.is_dir():
            raise UserError(f"{where}: is a file, not a folder (give a folder to write the dataset into)")
        try:
            self._made = not self.path.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            if self._made:
                self._remove_if_empty()
            raise UserError(f"{where}: cannot write there ({_reason(e)}); choose a folder you can write to") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _owner(self._fd)
            os.close(self._fd)
            self._fd = None
            raise UserError(f"{where}: in use by another datagen run ({owner}); wait for it to end or choose "
                            f"another {self.key}") from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, (f"pid {os.getpid()} on {socket.gethostname()}, since "
                             f"{time.strftime('%Y-%m-%d %H:%M:%S')}: {' '.join(sys.argv[1:])[:300]}").encode(), 0)
        return self

    def __exit__(self, kind, error, tb) -> None:
        try:
            if error is not None:
                self._clean()
        finally:
            if self._fd is not None:
                (self.path / LOCK).unlink(missing_ok=True)
                os.close(self._fd)  # closing drops the lock
                self._fd = None
        if isinstance(error, OSError):
            raise MachineError(self._explain(error)) from None

    def _clean(self) -> None:
        """Remove what a failed run wrote half: temporary files, a journal with no finished chunk, a new empty folder."""
        for tmp in self.path.rglob(f"*{TMP_SUFFIX}*"):
            if tmp.is_file():
                tmp.unlink(missing_ok=True)
        journal = self.path / JOURNAL
        if journal.is_dir() and not self._journaled():
            shutil.rmtree(journal, ignore_errors=True)
        if self._made:
            self._remove_if_empty()

    def _journaled(self) -> int:
        """Finished chunks in the journal (their markers; config.json is not one)."""
        return sum(1 for p in (self.path / JOURNAL).glob("*-*.json"))

    def _remove_if_empty(self) -> None:
        """Remove the folder if it holds nothing but empty folders and the lock (a run that made nothing)."""
        if self.path.is_dir() and all(p.is_dir() or p.name == LOCK for p in self.path.rglob("*")):
            shutil.rmtree(self.path, ignore_errors=True)

    def _explain(self, e: OSError) -> str:
        what = f"{getattr(e, 'filename', None) or self.path}: {_reason(e)}"
        code = _errno(e)
        if code == errno.ENOSPC:
            what = f"{self.path}: no space left on the device (writing {getattr(e, 'filename', None) or 'the dataset'})"
        journal = self.path / JOURNAL
        if journal.is_dir() and self._journaled():
            size = sum(p.stat().st_size for p in journal.iterdir() if p.is_file())
            return (f"{what}; the finished work is kept in {journal} ({size / 1e6:.1f} MB): to go on from it, run "
                    f"the same command with {self.key}={self.path}{' once there is space' if code == errno.ENOSPC else ''}"
                    f"; or delete that folder")
        return f"{what}; nothing was kept"
