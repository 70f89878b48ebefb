"""Writing the output directory: CSV tables, records.jsonl and run.json.

Tables are streamed into a temporary directory beside DIR and moved into place only when
the run completes, so a killed run leaves the previous DIR as it was. CSVs are UTF-8 with
a BOM (Excel then keeps Indonesian characters), and a text cell that begins with `=`, `+`,
`-` or `@` is prefixed with `'` so a spreadsheet shows it instead of running it.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

from .records import COLUMNS, table_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class TableWriter:
    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.tmp_dir = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.tmp-", dir=self.out_dir.parent))
        self.files = {}
        self.writers = {}
        for table, columns in COLUMNS.items():
            f = open(self.tmp_dir / f"{table}.csv", "w", encoding="utf-8-sig", newline="")
            w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            w.writeheader()
            self.files[table], self.writers[table] = f, w
        self.records = open(self.tmp_dir / "records.jsonl", "w", encoding="utf-8")
        self.counts = {"ok": 0, "error": 0}

    def write(self, record: dict) -> None:
        for table, row in table_rows(record):
            self.writers[table].writerow({k: safe_cell(v) for k, v in row.items()})
        self.records.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.counts["ok" if record["status"] == "ok" else "error"] += 1

    def flush(self) -> None:
        for f in self.files.values():
            f.flush()
        self.records.flush()

    def close(self, run_info: dict) -> Path:
        for f in self.files.values():
            f.close()
        self.records.close()
        (self.tmp_dir / "run.json").write_text(json.dumps(run_info, indent=1, ensure_ascii=False), encoding="utf-8")
        return self.tmp_dir

    def commit(self) -> None:
        """Swap the finished directory into place."""
        old = None
        if self.out_dir.exists():
            old = self.out_dir.parent / f".{self.out_dir.name}.old-{os.getpid()}"
            os.rename(self.out_dir, old)
        os.rename(self.tmp_dir, self.out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        for f in [*self.files.values(), self.records]:
            try:
                f.close()
            except Exception:
                pass
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
