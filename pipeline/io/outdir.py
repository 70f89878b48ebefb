"""Where `berita run` may write: the checks made on `--out DIR` before any work starts.

berita replaces DIR as a whole when a run completes (see tables.py), so it must never
replace a directory that holds anything it did not write itself:

* DIR may be missing, empty, or a previous berita output: `run.json` written by berita
  and nothing but berita's own files beside it;
* any other non-empty directory is refused, unless `--force` is given;
* a DIR that is, or lies above, one of the inputs is refused even with `--force`;
* a symbolic link at DIR is refused (replacing it would delete what it points to, which in
  a shared temporary directory anyone may choose);
* a DIR that is a mount point cannot be renamed: it is filled in place instead
  (tables.TableWriter), file by file.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..fields import COLUMNS

RUN_INFO = "run.json"
RUN_INFO_KEY = "berita_version"  # what marks a run.json as berita's
# Everything a run may leave in DIR. A directory holding only these (and a berita
# run.json) is berita's to replace.
OUTPUT_FILES = frozenset({RUN_INFO, "records.jsonl", "review.html", "leftovers.csv", "events.csv",
                          *(f"{table}.csv" for table in COLUMNS)})
OUTPUT_DIRS = frozenset({"review"})  # the review page's data (review/page.py)
# Work directories of an in-place run (a mount point as DIR), inside DIR itself.
IN_PLACE_PREFIXES = (".berita.tmp-", ".berita.old-")
# ... and of `berita review DIR`, which a killed run may leave.
REVIEW_WORK_PREFIXES = (".review.tmp-", ".review.old-")


class OutDirError(Exception):
    """`--out` names a directory berita must not write (one-line message)."""


def is_berita_output(directory: Path) -> bool:
    """True when `directory` holds a run.json that berita wrote."""
    try:
        with open(Path(directory) / RUN_INFO, encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(info, dict) and RUN_INFO_KEY in info


def foreign_entries(directory: Path) -> list[str]:
    """Names inside `directory` that a berita run did not write."""
    foreign = []
    for entry in os.scandir(directory):
        name = entry.name
        if name.startswith(IN_PLACE_PREFIXES + REVIEW_WORK_PREFIXES):
            continue
        is_dir = entry.is_dir(follow_symlinks=False)
        if (name in OUTPUT_DIRS and is_dir) or (name in OUTPUT_FILES and not is_dir and not entry.is_symlink()):
            continue
        foreign.append(name)
    return sorted(foreign)


def _contains(directory: str, path: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def check_out_dir(out: str, inputs: list[str], force: bool = False) -> Path:
    """The absolute DIR to write for `--out out`, or OutDirError saying why not."""
    if not out or not out.strip():
        raise OutDirError("--out is empty: give the directory to write the tables into")
    path = Path(os.path.abspath(out))  # `--out .` is the current directory, by its name
    if path.is_symlink():
        raise OutDirError(f"--out {out}: is a symbolic link; give the directory itself "
                          "(berita replaces DIR, and would replace what the link points to)")
    if os.path.lexists(path) and not path.is_dir():
        raise OutDirError(f"--out {out}: exists and is not a directory")
    real_out = os.path.realpath(path)
    for given in inputs:
        if _contains(real_out, os.path.realpath(given)):
            raise OutDirError(f"--out {out}: holds the input {given}; "
                              "write the tables to a directory of their own")
    if not path.is_dir():
        return path
    try:
        foreign = foreign_entries(path)
    except OSError as exc:
        raise OutDirError(f"--out {out}: cannot read ({exc.strerror or exc})") from exc
    ours = is_berita_output(path)
    if force or (ours and not foreign) or not any(
            not name.startswith(IN_PLACE_PREFIXES) for name in os.listdir(path)):
        return path
    if ours:
        why = f"is a berita output, but also holds {_listing(foreign)}"
    elif foreign:
        why = f"is not empty and not a berita output (it holds {_listing(foreign)})"
    else:
        why = "holds files named like berita's but no run.json of berita's"
    raise OutDirError(f"--out {out}: {why}; berita replaces DIR as a whole, so choose "
                      "another directory, or pass --force to replace it")


def _listing(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
