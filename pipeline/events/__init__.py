"""One event per press release: which articles report the same event (issue 16).

Each article gets a small key (`event_key`): its primary regency, event date, officials,
programs, participant counts and a MinHash signature of its text (word 3-grams, site
furniture left out). `group` links two articles when the pair rule of `rules/events.yml`
says so and returns, for each article, the first article of its event: connected
components of the links, so the result does not depend on the order pairs are looked at.

Only pairs that share a block are compared, never all pairs:

* a band of the signature (datasketch's MinHashLSH banding for the near-duplicate
  level): reprints of one release;
* a band of the signature at the lower `text_similar` level, within one regency;
* one regency and one day (or the next day); one regency and one participant count.

A pair rule that links needs one of these (see the comment in rules/events.yml), so
the blocks lose no link. `event_rows` then makes one row per event: a stable id (from its
first member, which later members never change), canonical values, and the fields on
which members disagree. Members are never summed: an event's `participants` is the
number its members report, not their total.
"""
from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..ruletools.rules import cached_rules

# fields whose values are compared across an event's members (events.csv `disagree`)
COMPARED = ("event_date", "regency_code", "participants")


class EventKey(NamedTuple):
    """What grouping needs of one article (small: made where the record is made)."""
    article_id: str
    regency_code: str | None
    regency_name: str | None
    province_name: str | None
    event_date: str | None
    officials: tuple[str, ...]      # names, case and punctuation folded
    programs: tuple[str, ...]
    counts: tuple[int, ...]         # participant counts
    signature: bytes | None         # MinHash values (uint32), None for a text without 3 words


def spec() -> dict:
    return cached_rules()["events"]


# punctuation and symbols of the first 12,288 code points to spaces (str.translate is ~10x
# faster than testing each character); anything beyond (emoji) stays part of a word
_SPACES = {c: " " for c in range(0x3000) if not chr(c).isalnum()}


def _fold(name: str) -> str:
    return " ".join(name.casefold().translate(_SPACES).split())


def _words(record: dict) -> list[str]:
    """The words of the text outside its boilerplate ranges, case-folded."""
    text, parts, pos = record.get("text") or "", [], 0
    for start, end in sorted(record.get("boilerplate") or []):
        parts.append(text[pos:start])
        pos = max(pos, end)
    parts.append(text[pos:])
    return _fold(" ".join(parts)).split()


@lru_cache(maxsize=None)
def _permutations(n: int):
    """datasketch draws its permutations on every MinHash(); drawn once (seed 1), it is 5x faster."""
    from datasketch import MinHash
    return MinHash(num_perm=n, seed=1).permutations


def signature(record: dict, rules: dict | None = None) -> bytes | None:
    from datasketch import MinHash
    rules = rules or spec()
    k, words = rules["shingle_words"], _words(record)
    if len(words) < k:
        return None
    shingles = {" ".join(words[i:i + k]).encode("utf-8", "surrogatepass") for i in range(len(words) - k + 1)}
    m = MinHash(num_perm=rules["permutations"], permutations=_permutations(rules["permutations"]), scheme="affine32")
    m.update_batch(sorted(shingles))
    return m.hashvalues.astype(np.uint32).tobytes()


def event_key(record: dict, rules: dict | None = None) -> EventKey:
    if record.get("status") != "ok":  # an error row is an event of its own
        return EventKey(record["article_id"], None, None, None, None, (), (), (), None)
    return EventKey(
        record["article_id"], record.get("regency_code"), record.get("regency_name"), record.get("province_name"),
        record.get("event_date"),
        tuple(sorted({_fold(o["name"]) for o in record.get("officials", []) if o.get("name")})),
        tuple(sorted({p["program"] for p in record.get("programs", []) if p.get("program")})),
        tuple(sorted({p["count"] for p in record.get("participants", []) if isinstance(p.get("count"), int)})),
        signature(record, rules))


def _day(key: EventKey) -> int | None:
    return datetime.date.fromisoformat(key.event_date).toordinal() if key.event_date else None


def _band_params(threshold: float, permutations: int) -> tuple[int, int]:
    from datasketch import MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
    return lsh.b, lsh.r


class _Grouping:
    def __init__(self, keys: list[EventKey], rules: dict):
        self.keys, self.rules = keys, rules
        self.n = len(keys)
        self.parent = list(range(self.n))
        self.days = [_day(k) for k in keys]
        self.perms = rules["permutations"]
        self.has_sig = np.array([k.signature is not None for k in keys], dtype=bool)
        empty = bytes(4 * self.perms)
        self.sig = np.frombuffer(b"".join(k.signature or empty for k in keys), dtype=np.uint32).reshape(
            self.n, self.perms) if self.n else np.zeros((0, self.perms), dtype=np.uint32)
        regencies = sorted({k.regency_code for k in keys if k.regency_code})
        index = {code: i + 1 for i, code in enumerate(regencies)}
        self.regency = np.array([index.get(k.regency_code, 0) for k in keys], dtype=np.uint64)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def consider(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b and self.linked(i, j):
            self.parent[max(a, b)] = min(a, b)  # the root is the event's first member

    def similarity(self, i: int, j: int) -> float:
        if not (self.has_sig[i] and self.has_sig[j]):
            return 0.0
        return float(np.count_nonzero(self.sig[i] == self.sig[j])) / self.perms

    def linked(self, i: int, j: int) -> bool:
        """The pair rule (rules/events.yml)."""
        r, a, b = self.rules, self.keys[i], self.keys[j]
        if a.regency_code and b.regency_code and a.regency_code != b.regency_code:
            return False
        da, db = self.days[i], self.days[j]
        dated = da is not None and db is not None
        if dated and abs(da - db) > r["max_days"]:
            return False
        sim = self.similarity(i, j)
        if sim >= r["near_duplicate"]:
            return True
        if not (a.regency_code and a.regency_code == b.regency_code):
            return False
        points = r["points_text_similar"] if sim >= r["text_similar"] else 0
        points += min(len(set(a.officials) & set(b.officials)), r["max_officials"]) * r["points_official"]
        if {c for c in a.counts if c >= r["min_count"]} & set(b.counts):
            points += r["points_count"]
        if dated:
            points += r["points_same_date"]
        if set(a.programs) & set(b.programs):
            points += r["points_program"]
        return points >= r["link_points"]

    def _runs(self, keys: np.ndarray, members: np.ndarray) -> None:
        """Compare the articles of each run of equal keys."""
        if len(members) < 2:
            return
        order = np.lexsort((members, keys))
        keys, members = keys[order], members[order]
        cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        for run in np.split(members, cuts):
            run = run.tolist()
            for x, i in enumerate(run):
                for j in run[x + 1:]:
                    self.consider(i, j)

    def bands(self, threshold: float, by_regency: bool) -> None:
        b, r = _band_params(threshold, self.perms)
        rng = np.random.default_rng(16)  # fixed: one band key for one band, in every run
        weights = rng.integers(1, 2 ** 63, size=(b * r,), dtype=np.uint64) | np.uint64(1)
        mask = self.has_sig & (self.regency > 0) if by_regency else self.has_sig
        members = np.flatnonzero(mask)
        sig = self.sig[members].astype(np.uint64)
        with np.errstate(over="ignore"):  # the band key is a hash: wrapping is intended
            for band in range(b):
                cols = slice(band * r, (band + 1) * r)
                keys = (sig[:, cols] * weights[cols]).sum(axis=1, dtype=np.uint64)
                if by_regency:
                    keys = keys ^ (self.regency[members] * np.uint64(0x9E3779B97F4A7C15))
                self._runs(keys, members)

    def blocks(self) -> None:
        by_day: dict[tuple[str, int], list[int]] = {}
        by_count: dict[tuple[str, int], list[int]] = {}
        for i, key in enumerate(self.keys):
            if not key.regency_code:
                continue
            if self.days[i] is not None:
                by_day.setdefault((key.regency_code, self.days[i]), []).append(i)
            for c in key.counts:
                if c >= self.rules["min_count"]:
                    by_count.setdefault((key.regency_code, c), []).append(i)
        for (code, day), run in by_day.items():
            for step in range(1, self.rules["max_days"] + 1):  # and the next days'
                for i in run:
                    for j in by_day.get((code, day + step), ()):
                        self.consider(i, j)
        for run in [*by_day.values(), *by_count.values()]:
            for x, i in enumerate(run):
                for j in run[x + 1:]:
                    self.consider(i, j)


def group(keys: list[EventKey], rules: dict | None = None) -> list[int]:
    """For each key, the index of its event's first member."""
    g = _Grouping(keys, rules or spec())
    if g.n:
        g.bands(g.rules["near_duplicate"], by_regency=False)
        g.bands(g.rules["text_similar"], by_regency=True)
        g.blocks()
    return [g.find(i) for i in range(g.n)]


def event_id(first_member_id: str) -> str:
    """Derived from the event's first member, so members added later never change it."""
    return "ev-" + hashlib.sha256(first_member_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _canonical(values: list) -> tuple[object, list]:
    """The value most members give (the earliest member's on a tie), and the distinct
    values in member order."""
    known = [v for v in values if v is not None]
    if not known:
        return None, []
    counts = Counter(known)
    best = max(counts.values())
    return next(v for v in known if counts[v] == best), list(counts)


def event_rows(keys: list[EventKey], firsts: list[int]) -> list[dict]:
    """One row per event (fields.EVENT_COLUMNS), in the order of their first members."""
    members: dict[int, list[int]] = {}
    for i, first in enumerate(firsts):
        members.setdefault(first, []).append(i)
    rows = []
    for first, idx in sorted(members.items()):
        ks = [keys[i] for i in idx]
        values = {"event_date": [k.event_date for k in ks], "regency_code": [k.regency_code for k in ks],
                  "participants": [max(k.counts) if k.counts else None for k in ks]}
        canonical, disagree = {}, []
        for name in COMPARED:
            canonical[name], distinct = _canonical(values[name])
            if len(distinct) > 1:
                disagree.append(f"{name}: {' / '.join(map(str, distinct))}")
        place = next((k for k in ks if k.regency_code == canonical["regency_code"]), ks[0])
        rows.append({"event_id": event_id(keys[first].article_id), "members": len(ks),
                     "article_ids": "; ".join(k.article_id for k in ks),
                     "event_date": canonical["event_date"], "regency_code": canonical["regency_code"],
                     "regency_name": place.regency_name, "province_name": place.province_name,
                     "participants": canonical["participants"], "disagree": "; ".join(disagree) or None})
    return rows
