"""`make model`: prepare the data, train with config.cfg, ship the pipeline, record its scores.

    python -m pipeline.ner.train [--shared ../shared] [--build build/ner]

Steps: prepare.py writes the DocBins into the build folder (not committed); `spacy train`
runs with the committed config (fixed seed, fixed number of epochs, CPU, no vectors, no
network); the last model is copied to pipeline/ner/model/ with only what spacy.load needs;
scores.json beside it records P/R/F1 per label on the NERGrit and NERP test splits, which
tests/test_ner.py re-scores against the shipped model.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from . import LABELS, MODEL_DIR, prepare

HERE = Path(__file__).parent
TEST_SPLITS = {"nergrit": "nergrit/test.txt", "nerp": "nerp/test.txt"}


def score(nlp, docs) -> dict:
    """Entity P/R/F1 (exact span and label) overall, per label, and the mean of the per-label
    F1 (IndoNLU's "type macro" F1, conlleval-style), on the corpus's own tokens."""
    from spacy.tokens import Doc
    from spacy.training import Example
    examples = [Example(Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc]), doc)
                for doc in docs]
    result = nlp.evaluate(examples)
    per_type = result.get("ents_per_type") or {}
    out = {"all": _prf(result["ents_p"], result["ents_r"], result["ents_f"])}
    for label in LABELS:
        s = per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        out[label] = _prf(s["p"], s["r"], s["f"])
    out["macro_f"] = round(sum(out[label]["f"] for label in LABELS) / len(LABELS), 4)
    out["sentences"] = len(docs)
    return out


def _prf(p: float, r: float, f: float) -> dict:
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def test_docs(vocab, shared: Path) -> dict:
    return {name: prepare.conll_docs(vocab, shared / "ner" / path) for name, path in TEST_SPLITS.items()}


def main(argv: list[str] | None = None) -> None:
    from spacy.cli.train import train as spacy_train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=prepare.REPO.parent / "shared")
    # relative, as in config.cfg, so the shipped config names no path of this machine
    parser.add_argument("--build", type=Path, default=Path("build") / "ner")
    args = parser.parse_args(argv)

    prepare.main(["--shared", str(args.shared), "--out", str(args.build)])
    started = time.monotonic()
    spacy_train(HERE / "config.cfg", args.build / "train-out", use_gpu=-1, overrides={
        "paths.train": str(args.build / "train.spacy"), "paths.dev": str(args.build / "dev.spacy")})
    ship(args.build, args.shared, time.monotonic() - started)


def ship(build: Path, shared: Path, seconds: float) -> None:
    """Copy the trained pipeline into the package and record its scores beside it."""
    import spacy

    from . import load_model, measure

    # only what spacy.load needs: config, meta, tokenizer, vocab and the two components. The
    # string store keeps just the labels: the hash embeddings need no strings, and the words
    # of the training texts (dev names among them) stay out of the repository.
    shutil.rmtree(MODEL_DIR, ignore_errors=True)
    shutil.copytree(build / "train-out" / "model-last", MODEL_DIR)
    (MODEL_DIR / "vocab" / "strings.json").write_text(json.dumps(list(LABELS)), encoding="utf-8")
    load_model.cache_clear()
    nlp = load_model()
    report = {
        "test": {name: score(nlp, docs) for name, docs in test_docs(nlp.vocab, shared).items()},
        "dev_names": measure.coverage(measure.dev_articles(shared)),
        "training_seconds": round(seconds),
        "training_data": json.loads((build / "prepare.json").read_text(encoding="utf-8")),
        "spacy": spacy.__version__,
    }
    (MODEL_DIR / "scores.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
