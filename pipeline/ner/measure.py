"""How the shipped NER does on the dev corpus: officials' names found, and its cost.

    python -m pipeline.ner.measure [--shared ../shared] [--model DIR]

Coverage: each occurrence in a dev text of a gold official's name or alias (found as
prepare.py finds them) is marked `exact` when a PERSON entity has the same offsets,
`overlap` when one overlaps it, else `none`; per official, the best of its occurrences.
The NER runs on `capitalized_windows`. Dev spans are part of the training data, so these
figures are optimistic for unseen text.
Cost: milliseconds per dev article with the NER on capitalized windows, on windows around
officials' names (a stand-in for position cues) and on whole texts, beside berita's own
pipeline.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import yaml

from . import capitalized_windows, entities, load_model, merge_windows, prepare, word_bounds


def dev_articles(shared: Path) -> list[tuple[dict, dict]]:
    corpus = shared / "corpus"
    golds = {g["id"]: g for g in map(json.loads, (corpus / "dev.gold.jsonl").read_text(encoding="utf-8").splitlines())}
    articles = map(json.loads, (corpus / "dev.jsonl").read_text(encoding="utf-8").splitlines())
    return [(a, golds[a["id"]]) for a in articles if a["id"] in golds]


def coverage(pairs: list[tuple[dict, dict]]) -> dict:
    aliases = yaml.safe_load((prepare.REPO / "rules" / "regencies.yml").read_text(encoding="utf-8"))["aliases"]
    mentions, officials = Counter(), Counter()
    for article, gold in pairs:
        text = article["text"]
        people = [(e.start, e.end) for e in entities(text, capitalized_windows(text), ("PERSON",))]
        for official in gold.get("officials", []):
            forms = {official["name"], *official.get("aliases", [])}
            spans = [(s, e) for s, e, label in prepare.gold_spans(text, {"officials": [official]}, aliases)
                     if text[s:e] in forms]
            if not spans:
                officials["not in text"] += 1
                continue
            marks = [_mark(span, people) for span in spans]
            mentions.update(marks)
            officials[min(marks, key=["exact", "overlap", "none"].index)] += 1
    return {"mentions": _shares(mentions), "officials": _shares(officials)}


def _mark(span: tuple[int, int], people: list[tuple[int, int]]) -> str:
    if span in people:
        return "exact"
    return "overlap" if any(s < span[1] and span[0] < e for s, e in people) else "none"


def _shares(counts: Counter) -> dict:
    total = sum(v for k, v in counts.items() if k != "not in text")
    out = {k: {"n": counts[k], "share": round(counts[k] / total, 3) if total else 0.0}
           for k in ("exact", "overlap", "none")}
    if counts["not in text"]:
        out["not in text"] = counts["not in text"]
    return out


def cost(pairs: list[tuple[dict, dict]], repeats: int = 3) -> dict:
    """Milliseconds per dev article, best of `repeats` (the machine is shared): CPU time of
    this process, and wall time. berita's own pipeline is timed the same way, as the scale."""
    from ..nlp import build_nlp

    texts = [article["text"] for article, _ in pairs]
    # a stand-in for windows around position cues: six words either side of each occurrence
    # of an official's name
    aliases = yaml.safe_load((prepare.REPO / "rules" / "regencies.yml").read_text(encoding="utf-8"))["aliases"]
    name_windows = {article["text"]: [word_bounds(article["text"], s, e, 6) for s, e, label
                                      in prepare.gold_spans(article["text"], {"officials": gold.get("officials", [])}, aliases)]
                    for article, gold in pairs}
    load_model()
    berita = build_nlp()
    runs = {
        "berita_pipeline": lambda text: berita(text),
        "ner_name_windows_margin6": lambda text: entities(text, name_windows[text]),
        "ner_capitalized_windows_margin3": lambda text: entities(text, capitalized_windows(text, 3)),
        "ner_capitalized_windows_margin1": lambda text: entities(text, capitalized_windows(text, 1)),
        "ner_whole_text": lambda text: entities(text, [(0, len(text))]),
    }
    out = {}
    for name, run in runs.items():
        cpu, wall = min(_timed(run, texts) for _ in range(repeats))
        out[name] = {"cpu_ms_per_article": round(1000 * cpu / len(texts), 2),
                     "wall_ms_per_article": round(1000 * wall / len(texts), 2)}
    chars = sum(len(t) for t in texts)
    for margin in (3, 1):
        windowed = sum(e - s for t in texts for s, e in capitalized_windows(t, margin))
        out[f"ner_capitalized_windows_margin{margin}"]["share_of_text"] = round(windowed / chars, 3)
    windowed = sum(e - s for t in texts for s, e in merge_windows(name_windows[t], len(t)))
    out["ner_name_windows_margin6"]["share_of_text"] = round(windowed / chars, 3)
    out["articles"] = len(texts)
    return out


def _timed(run, texts) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for text in texts:
        run(text)
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=prepare.REPO.parent / "shared")
    args = parser.parse_args(argv)
    pairs = dev_articles(args.shared)
    print(json.dumps({"dev_names": coverage(pairs), "cost": cost(pairs)}, indent=1))


if __name__ == "__main__":
    main()
