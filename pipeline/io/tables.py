"""Writing the output directory: CSV tables, records.jsonl and run.json.

Outputs appear whole or not at all. Tables are streamed into a temporary directory
beside DIR (`.DIR.tmp-PID-RANDOM`) and swapped into place only when the run completes:

* the files are fsync'ed, then the temporary directory and DIR are exchanged with one
  `renameat2(RENAME_EXCHANGE)` call (Linux >= 3.15, via ctypes), so at every instant DIR
  is either the complete previous output or the complete new one, and DIR never
  disappears; the previous output, now under the temporary name, is then deleted.
  Where the exchange is not available (another OS, a file system without it) DIR is
  renamed aside to `.DIR.old-PID-RANDOM` and the new directory renamed into place: two
  renames, with a moment in which DIR does not exist;
* a live run holds an flock on its temporary directory. A run killed before it finished
  leaves its temporary directory behind (DIR untouched); the next run writing to the same
  DIR removes every such leftover that nobody holds a lock on, and if a kill fell between
  the two renames of the fallback (DIR missing, `.DIR.old-*` present) it puts the previous
  output back first. So stale directories never accumulate beyond one run;
* a DIR that existed keeps its mode (setgid included), group and POSIX ACLs: they are
  copied onto the temporary directory before its first file is made;
* a DIR that is a mount point cannot be renamed: the temporary directory lies inside it
  (`DIR/.berita.tmp-*`) and its files are renamed into DIR one by one. So is the current
  directory, which a shell would otherwise be left in after it was replaced.

Events (pipeline/events/) need every article, so each record's event key is kept while the
tables stream; `close` groups them, writes events.csv and rewrites articles.csv with each
row's event_id (a copy, row by row, renamed over the streamed one), all before the swap.

CSVs are UTF-8 with a BOM (Excel then keeps Indonesian characters), and a text cell that
begins with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet shows it instead
of running it. A lone surrogate in a text (from a `\\ud800` escape in the input) is written
as `?` in the CSVs and escaped in records.jsonl, so it never stops the run. NUL, which
spreadsheets and CSV readers stop at, is written as U+FFFD in the CSVs. records.jsonl
escapes U+2028/U+2029, which JavaScript and some JSONL readers take for line breaks.
"""
from __future__ import annotations

import csv
import ctypes
import ctypes.util
import errno
import io
import json
import os
import secrets
import shutil
import stat
from array import array
from pathlib import Path
from typing import NamedTuple

from .outdir import IN_PLACE_PREFIXES, OUTPUT_DIRS, OUTPUT_FILES
from ..events import EventKey, event_id, event_key, event_rows, group
from ..fields import COLUMNS, EVENT_COLUMNS
from .records import table_rows

try:
    import fcntl
except ImportError:  # not POSIX: no locks, stale directories are kept
    fcntl = None

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

RENAME_NOREPLACE = 1 << 0
RENAME_EXCHANGE = 1 << 1
_AT_FDCWD = -100
ACL_XATTRS = ("system.posix_acl_access", "system.posix_acl_default")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        value = value.replace("\0", "\ufffd")
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


# --------------------------------------------------------------- directory swap

_renameat2_fn = None


def _libc_renameat2():
    global _renameat2_fn
    if _renameat2_fn is None:
        fn = False
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            fn = libc.renameat2  # glibc >= 2.28
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
        except (OSError, AttributeError):
            fn = False
        _renameat2_fn = fn
    return _renameat2_fn or None


def renameat2(src, dst, flags: int) -> bool:
    """renameat2(2): True when done, False when this system or file system lacks it.

    Other failures raise OSError."""
    fn = _libc_renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dst))


def exchange(a, b) -> bool:
    """Atomically swap two existing paths; False if not supported here."""
    return renameat2(a, b, RENAME_EXCHANGE)


def _fsync_dir(path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _lock(path, blocking: bool = False):
    """An fd holding an exclusive flock on directory `path`; None if it is held elsewhere
    (or locks are unavailable and `blocking` is false)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    if fcntl is None:
        if blocking:
            return fd
        os.close(fd)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


def _unlock(fd) -> None:
    if fd is not None:
        try:
            os.close(fd)  # closing the last fd releases the flock
        except OSError:
            pass


def temp_prefixes(out_dir: Path) -> tuple[str, str]:
    return f".{out_dir.name}.tmp-", f".{out_dir.name}.old-"


def clean_stale(out_dir: Path) -> list[Path]:
    """Remove what killed runs left beside `out_dir` (or inside it, for a mount point);
    returns what was removed/restored.

    Only directories nobody holds a lock on are touched (a concurrent live run keeps its
    own). If `out_dir` is missing and a previous output was left renamed aside, it is put
    back."""
    out_dir = Path(out_dir)
    handled = []
    for place, prefixes in ((out_dir.parent, temp_prefixes(out_dir)), (out_dir, IN_PLACE_PREFIXES)):
        try:
            entries = sorted(place.iterdir())
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(prefixes):
                continue
            if entry.is_symlink() or not entry.is_dir():
                continue
            fd = _lock(entry)
            if fd is None:
                continue  # a live run (or not ours to touch)
            try:
                if place == out_dir.parent and entry.name.startswith(prefixes[1]) \
                        and not os.path.lexists(out_dir):
                    os.rename(entry, out_dir)  # the previous output, back in place
                else:
                    shutil.rmtree(entry, ignore_errors=True)
                handled.append(entry)
            except OSError:
                pass
            finally:
                _unlock(fd)
    return handled


def _is_current_directory(path: Path) -> bool:
    try:
        return os.path.samefile(path, os.getcwd())
    except OSError:  # the current directory was deleted
        return False


def copy_access(source: Path, target: Path) -> None:
    """Give `target` the permissions of `source`: mode with setgid, group, POSIX ACLs.

    A rerun must not widen who can read a directory the user had closed. What this user
    may not set (another group, ACLs on a file system without them) is left as it is."""
    st = os.stat(source)
    try:
        os.chown(target, -1, st.st_gid)
    except OSError:
        pass
    os.chmod(target, stat.S_IMODE(st.st_mode))  # after chown, which may clear setgid
    for attr in ACL_XATTRS:
        try:
            os.setxattr(target, attr, os.getxattr(source, attr))
        except (OSError, AttributeError):  # no such ACL, no xattrs here, or not Linux
            pass


class EncodedRecord(NamedTuple):
    """One record as the text it adds to each file. Made where the record is made (with
    -j N, in the worker), so the process that writes the tables only appends text."""
    status: str
    jsonl: str                             # its line of records.jsonl
    rows: tuple[tuple[str, str], ...]      # (table, CSV line), in table_rows order
    event: EventKey                        # what grouping it into an event needs


def encode_record(record: dict) -> EncodedRecord:
    # outside strings json.dumps writes neither character, so replacing them is exact
    line = json.dumps(record, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: \u escapes keep the text exact
        line = json.dumps(record, ensure_ascii=True) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf)
    rows = []
    for table, row in table_rows(record):
        buf.seek(0)
        buf.truncate()
        writer.writerow([safe_cell(row.get(c)) for c in COLUMNS[table]])
        rows.append((table, buf.getvalue()))
    return EncodedRecord("ok" if record["status"] == "ok" else "error", line, tuple(rows), event_key(record))


class OutputError(Exception):
    """DIR cannot be written (one-line message)."""


class TableWriter:
    """Streams one run's tables into a temporary directory and swaps it in at the end.

    `out_dir` must have passed outdir.check_out_dir. A mount point cannot be renamed, so
    there the temporary directory lies inside DIR and its files replace DIR's one by one
    (each file whole at every instant; the set of files mixed for a moment). The same is
    done for the current directory (`--out .`), so the shell it was run from stays in it."""

    def __init__(self, out_dir: Path):
        out_dir = Path(out_dir)
        if os.path.lexists(out_dir) and (out_dir.is_symlink() or not out_dir.is_dir()):
            raise OutputError(f"{out_dir}: exists and is not a directory")
        self.out_dir = out_dir
        self.in_place = out_dir.is_dir() and (os.path.ismount(out_dir) or _is_current_directory(out_dir))
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(self.out_dir)
        tmp_prefix = IN_PLACE_PREFIXES[0] if self.in_place else temp_prefixes(self.out_dir)[0]
        base = self.out_dir if self.in_place else self.out_dir.parent
        self.tmp_dir = base / f"{tmp_prefix}{os.getpid()}-{secrets.token_hex(4)}"
        os.mkdir(self.tmp_dir)  # 0777 & ~umask: a new DIR gets ordinary permissions
        if not self.in_place and self.out_dir.is_dir():
            copy_access(self.out_dir, self.tmp_dir)  # before any file, so files inherit ACL defaults
        self._lock_fd = _lock(self.tmp_dir, blocking=True)
        self.files = {}
        self.committed = False
        try:
            for table, columns in COLUMNS.items():
                f = open(self.tmp_dir / f"{table}.csv", "w", encoding="utf-8-sig", errors="replace", newline="")
                csv.writer(f).writerow(columns)
                self.files[table] = f
            self.records = open(self.tmp_dir / "records.jsonl", "w", encoding="utf-8")
        except BaseException:
            self.abort()
            raise
        self.counts = {"ok": 0, "error": 0}
        self.events: list[EventKey] = []
        self.article_lines = array("q")  # the length of each article's articles.csv line

    def write(self, record: dict | EncodedRecord) -> None:
        encoded = record if isinstance(record, EncodedRecord) else encode_record(record)
        self.records.write(encoded.jsonl)
        for table, line in encoded.rows:
            self.files[table].write(line)  # the file's errors="replace" turns a lone surrogate into ?
            if table == "articles":
                self.article_lines.append(len(line))
        self.events.append(encoded.event)
        self.counts[encoded.status] += 1

    def flush(self) -> None:
        for f in self.files.values():
            f.flush()
        self.records.flush()

    def close(self, run_info: dict) -> Path:
        for f in [*self.files.values(), self.records]:
            f.flush()
            os.fsync(f.fileno())
            f.close()
        self._write_events()
        path = self.tmp_dir / "run.json"
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(run_info, indent=1, ensure_ascii=False))
            f.flush()
            os.fsync(f.fileno())
        return self.tmp_dir

    def _write_events(self) -> None:
        """Group all articles into events (which needs them all, so it is done at the end):
        events.csv, and articles.csv again with each row's event_id filled in. Rows are
        copied by their known length (a title may hold a line break), one at a time."""
        firsts = group(self.events)
        with open(self.tmp_dir / "events.csv", "w", encoding="utf-8-sig", errors="replace", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(EVENT_COLUMNS)
            for row in event_rows(self.events, firsts):
                writer.writerow([safe_cell(row[c]) for c in EVENT_COLUMNS])
            f.flush()
            os.fsync(f.fileno())
        streamed, final = self.tmp_dir / "articles.csv", self.tmp_dir / "articles.csv.events"
        with open(streamed, encoding="utf-8-sig", newline="") as src, \
                open(final, "w", encoding="utf-8-sig", newline="") as dst:
            dst.write(src.readline())  # the header
            for length, first in zip(self.article_lines, firsts):
                line = src.read(length)
                # the row was written with an empty event_id, the last column
                dst.write(line[:-2] + event_id(self.events[first].article_id) + "\r\n")
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(final, streamed)

    def commit(self) -> None:
        """Swap the finished directory into place (see the module docstring)."""
        for path in self.tmp_dir.iterdir():  # files added by others (review.html, leftovers.csv)
            if path.is_file():
                with open(path, "rb") as f:
                    os.fsync(f.fileno())
        _fsync_dir(self.tmp_dir)
        if self.in_place:
            self._commit_in_place()
        elif self.out_dir.is_dir() and exchange(self.tmp_dir, self.out_dir):
            # tmp_dir now holds the previous output (not locked: a kill here leaves a stale
            # directory that the next run removes)
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        elif self.out_dir.is_dir():
            old = self.out_dir.parent / f"{temp_prefixes(self.out_dir)[1]}{os.getpid()}-{secrets.token_hex(4)}"
            old_fd = _lock(self.out_dir, blocking=True)
            try:
                os.rename(self.out_dir, old)
                os.rename(self.tmp_dir, self.out_dir)
            finally:
                _unlock(old_fd)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if not renameat2(self.tmp_dir, self.out_dir, RENAME_NOREPLACE):
                os.rename(self.tmp_dir, self.out_dir)
        self.committed = True
        _fsync_dir(self.out_dir.parent)
        _unlock(self._lock_fd)
        self._lock_fd = None

    def _commit_in_place(self) -> None:
        """DIR is a mount point: move the new entries in one by one (each rename atomic),
        then drop the previous run's entries that this run did not write."""
        new = {entry.name for entry in os.scandir(self.tmp_dir)}
        old = self.out_dir / f"{IN_PLACE_PREFIXES[1]}{os.getpid()}-{secrets.token_hex(4)}"
        os.mkdir(old)
        for name in sorted(new):
            target = self.out_dir / name
            if target.is_dir() and not target.is_symlink():
                os.rename(target, old / name)  # a directory cannot be replaced by rename
            os.replace(self.tmp_dir / name, target)
        for name in OUTPUT_FILES | OUTPUT_DIRS:  # anything else in DIR is not berita's to remove
            target = self.out_dir / name
            if name not in new and os.path.lexists(target):
                os.rename(target, old / name)
        shutil.rmtree(old, ignore_errors=True)
        os.rmdir(self.tmp_dir)
        _fsync_dir(self.out_dir)

    def abort(self) -> None:
        for f in [*self.files.values(), getattr(self, "records", None)]:
            if f is None:
                continue
            try:
                f.close()
            except Exception:
                pass
        if not self.committed:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        _unlock(self._lock_fd)
        self._lock_fd = None
