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
    """Entity P/R/F1 overall and per label (exact span and label), as spaCy scores them."""
    from spacy.training import Example
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs]
    result = nlp.evaluate(examples)
    per_type = result.get("ents_per_type") or {}
    out = {"all": _prf(result["ents_p"], result["ents_r"], result["ents_f"])}
    for label in LABELS:
        s = per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        out[label] = _prf(s["p"], s["r"], s["f"])
    out["sentences"] = len(docs)
    return out


def _prf(p: float, r: float, f: float) -> dict:
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def test_docs(vocab, shared: Path) -> dict:
    return {name: prepare.conll_docs(vocab, shared / "ner" / path) for name, path in TEST_SPLITS.items()}


def main(argv: list[str] | None = None) -> None:
    import spacy
    from spacy.cli.train import train as spacy_train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=prepare.REPO.parent / "shared")
    parser.add_argument("--build", type=Path, default=prepare.REPO / "build" / "ner")
    args = parser.parse_args(argv)

    prepare.main(["--shared", str(args.shared), "--out", str(args.build)])
    started = time.monotonic()
    output = args.build / "train-out"
    spacy_train(HERE / "config.cfg", output, use_gpu=-1, overrides={
        "paths.train": str(args.build / "train.spacy"), "paths.dev": str(args.build / "dev.spacy")})
    seconds = time.monotonic() - started

    # only what spacy.load needs: config, meta, tokenizer, vocab and the two components
    shutil.rmtree(MODEL_DIR, ignore_errors=True)
    shutil.copytree(output / "model-last", MODEL_DIR)
    nlp = spacy.load(MODEL_DIR)
    report = {
        "test": {name: score(nlp, docs) for name, docs in test_docs(nlp.vocab, args.shared).items()},
        "training_seconds": round(seconds),
        "training_data": json.loads((args.build / "prepare.json").read_text(encoding="utf-8")),
        "spacy": spacy.__version__,
    }
    (MODEL_DIR / "scores.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report["test"], indent=1))


if __name__ == "__main__":
    main()
