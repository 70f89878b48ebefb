"""One event per press release: which articles report the same event (issue 16).

Each article gets a small key (`event_key`): its primary regency, event date, officials,
programs, participant counts and a MinHash signature of its text (word 3-grams, site
furniture left out). `group` links two articles when the pair rule of `rules/events.yml`
says so and returns, for each article, the first article of its event: connected
components of the links, except that an event never holds two different known primary
regencies. The pair rule never links two known regencies that differ, but an article of
unknown regency could bridge them (the same release with and without its regency
words); a link that would join components of two known regencies is refused. Which
links are refused then depends on their order, so links are applied strongest first
(higher text similarity; ties by the articles' positions): the unknown-regency article
joins the article it is most similar to, whatever order the pairs are found in.

Only pairs that share a block are compared, never all pairs:

* a band of the signature (datasketch's MinHashLSH banding for the near-duplicate
  level): reprints of one release;
* a band of the signature at the lower `text_similar` level, within one regency;
* one regency and one day (or the next day); one regency and one participant count.

A pair rule that links needs one of these (see the comment in rules/events.yml), so
the blocks lose no link. `event_rows` then makes one row per event: an id from its first
member in input/store order (stable across store appends, which only add later members;
in a plain run, an article put before the first member makes a new id: docs/EVENTS.md),
canonical values, and the fields on which members disagree. Members are never summed:
an event's `participants` is the number its members report, not their total.
"""
from __future__ import annotations

import datetime
import hashlib
import sys
from collections import Counter
from functools import lru_cache
from typing import Iterator, NamedTuple

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
    counts: tuple[int, ...]         # participant counts, in the order of the text (the first: its headline)
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
    # a run keeps every article's key until the end: the texts that recur are shared
    place = [sys.intern(v) if isinstance(v, str) else None
             for v in (record.get("regency_code"), record.get("regency_name"), record.get("province_name"))]
    return EventKey(
        record["article_id"], *place, record.get("event_date"),
        tuple(sorted({sys.intern(_fold(o["name"])) for o in record.get("officials", []) if o.get("name")})),
        tuple(sorted({sys.intern(p["program"]) for p in record.get("programs", []) if p.get("program")})),
        tuple(dict.fromkeys(p["count"] for p in record.get("participants", []) if isinstance(p.get("count"), int))),
        signature(record, rules))


def _day(key: EventKey) -> int | None:
    return datetime.date.fromisoformat(key.event_date).toordinal() if key.event_date else None


@lru_cache(maxsize=None)
def _band_params(threshold: float, permutations: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH chooses for this threshold."""
    from datasketch import MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
    return lsh.b, lsh.r


def _stable(text: str) -> int:
    """A 64-bit hash that is the same in every process (str hash is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


@lru_cache(maxsize=None)
def _weights(n: int) -> np.ndarray:
    rng = np.random.default_rng(16)  # fixed: one band key for one band, in every run
    return rng.integers(1, 2 ** 63, size=(n,), dtype=np.uint64) | np.uint64(1)


def _signatures(keys: list[EventKey], permutations: int) -> tuple[np.ndarray, np.ndarray]:
    has = np.array([k.signature is not None for k in keys], dtype=bool)
    empty = bytes(4 * permutations)
    sig = np.frombuffer(b"".join(k.signature or empty for k in keys), dtype=np.uint32).reshape(
        len(keys), permutations)
    return sig, has


def block_chunks(keys: list[EventKey], rules: dict | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The blocks of each article, one kind at a time, as (block key, index into keys)
    arrays. Two articles are compared when they share a block:

    * a band of the signature at the near-duplicate level (datasketch's banding);
    * a band at the `text_similar` level together with the regency;
    * the regency with the event date or the day before it (so dates one day apart share
      one), the regency with a participant count of at least `min_count`.

    One band at a time keeps the memory of grouping a long run small: all the blocks of
    20,000 articles at once took about 100 MB at the end of the run."""
    rules = rules or spec()
    perms = rules["permutations"]
    if not keys:
        return
    sig, has = _signatures(keys, perms)
    regency = np.array([_stable(k.regency_code) if k.regency_code else 0 for k in keys], dtype=np.uint64)
    for level, by_regency in (("near_duplicate", False), ("text_similar", True)):
        b, r = _band_params(rules[level], perms)
        members = np.flatnonzero(has & (regency > 0)) if by_regency else np.flatnonzero(has)
        weights = _weights(b * r)
        with np.errstate(over="ignore"):  # a band key is a hash: wrapping is intended
            for band in range(b):
                cols = slice(band * r, (band + 1) * r)
                key = (sig[:, cols][members].astype(np.uint64) * weights[cols]).sum(axis=1, dtype=np.uint64) \
                    ^ np.uint64(_stable(f"{level}|{band}"))
                yield (key ^ regency[members] if by_regency else key), members
    extra, extra_owners = [], []
    for i, k in enumerate(keys):
        if not k.regency_code:
            continue
        if k.event_date:
            day = _day(k)
            extra += [_stable(f"day|{k.regency_code}|{d}") for d in range(day - rules["max_days"], day + 1)]
            extra_owners += [i] * (rules["max_days"] + 1)
        counts = [c for c in k.counts if c >= rules["min_count"]]
        extra += [_stable(f"count|{k.regency_code}|{c}") for c in counts]
        extra_owners += [i] * len(counts)
    yield np.array(extra, dtype=np.uint64), np.array(extra_owners, dtype=np.int64)


def block_keys(keys: list[EventKey], rules: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All the blocks of `keys` at once (a store keeps them, to find what a new article
    shares a block with)."""
    chunks = list(block_chunks(keys, rules))
    if not chunks:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate([b for b, _ in chunks]), np.concatenate([o for _, o in chunks]).astype(np.int64)


class _Grouping:
    def __init__(self, keys: list[EventKey], rules: dict):
        self.keys, self.rules = keys, rules
        self.n = len(keys)
        self.parent = list(range(self.n))
        self.regency = [k.regency_code for k in keys]  # of a root: its component's known regency
        self.days = [_day(k) for k in keys]
        self.perms = rules["permutations"]
        self.sig, self.has_sig = _signatures(keys, self.perms)

    def _regency_numbers(self) -> np.ndarray:
        """Each article's regency as a number (0: unknown), for comparing in bulk."""
        numbers: dict[str, int] = {}
        return np.array([numbers.setdefault(k.regency_code, len(numbers) + 1) if k.regency_code else 0
                         for k in self.keys], dtype=np.int64)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = sorted((self.find(i), self.find(j)))
        self.parent[b] = a  # the root is the event's first member
        self.regency[a] = self.regency[a] or self.regency[b]

    def union(self, i: int, j: int) -> None:
        """Join the components of i and j unless they have different known regencies."""
        ra, rb = self.regency[self.find(i)], self.regency[self.find(j)]
        if not (ra and rb and ra != rb):
            self.join(i, j)

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

    def join_copies(self, only: list[bool] | None) -> tuple[list[bool], list[bool] | None]:
        """Articles with equal keys (the same text, regency, date, officials ...) link to each
        other whatever else is in their blocks: join each to the first such article and compare
        only that one. Without this, many copies of one text (a batch run twice, a release
        carried word for word by many outlets) make each of their blocks' comparisons quadratic.
        A new copy makes its first article count as new (`only`), so its links are still looked for."""
        first: dict = {}
        copy = [False] * self.n
        only = list(only) if only is not None else None
        for i, key in enumerate(self.keys):
            if key.signature is None:  # no text to compare: nothing says they are one event
                continue
            j = first.setdefault(tuple(tuple(v) if isinstance(v, list) else v for v in key[1:]), i)  # (a store's keys come from JSON)
            if j != i:
                self.join(j, i)
                copy[i] = True
                if only is not None and only[i]:
                    only[j] = True
        return copy, only

    def compare_blocks(self, only: list[bool] | None) -> None:
        """Compare the articles of each block (with `only`, just the pairs with an `only` member).

        A link between two articles of one known regency is never refused (both components
        have that regency), so it is applied as found. A link with an unknown-regency article
        (only a near-duplicate can be one) is applied after them, strongest first."""
        copy, only = self.join_copies(only)
        copy = np.asarray(copy, dtype=bool)
        regency = self._regency_numbers()
        new = np.ones(self.n, dtype=bool) if only is None else np.asarray(only, dtype=bool)
        bridges: set[tuple[int, int]] = set()
        # one kind of block at a time: the links found do not depend on the order (the
        # known-regency ones are joined as found, the bridges applied at the end)
        for blocks, owners in block_chunks(self.keys, self.rules):
            self._compare_chunk(blocks, owners, copy, regency, new, bridges)
        links = [(-self.similarity(i, j), i, j) for i, j in bridges if self.linked(i, j)]
        for _, i, j in sorted(links):
            self.union(i, j)

    def _compare_chunk(self, blocks, owners, copy, regency, new, bridges: set) -> None:
        kept = ~copy[owners]
        blocks, owners = blocks[kept], owners[kept]
        order = np.lexsort((owners, blocks))
        blocks, owners = blocks[order], owners[order]
        repeats = np.flatnonzero(blocks[1:] == blocks[:-1])  # p: blocks[p] == blocks[p + 1]
        for run in np.split(repeats, np.flatnonzero(np.diff(repeats) != 1) + 1) if len(repeats) else ():
            run = np.unique(owners[run[0]:run[-1] + 2])
            roots = np.array([self.find(i) for i in run.tolist()])
            for x, i in enumerate(run.tolist()):
                # A big block (many copies of one template, one site's furniture) would cost
                # a Python step for every pair: leave out here, in bulk, the pairs the loop
                # below would skip - already one event (a root seen earlier is still shared:
                # events only merge), two known regencies, no new article.
                rest, joined = run[x + 1:], False
                keep = (roots[x + 1:] != self.find(i)) & ((regency[rest] == 0) | (regency[rest] == regency[i]) |
                                                         (regency[i] == 0))
                for j in (rest[keep & (new[rest] | new[i])]).tolist():
                    if self.find(i) == self.find(j):
                        continue
                    if self.keys[i].regency_code and self.keys[j].regency_code:
                        if self.linked(i, j):
                            self.join(i, j)
                            joined = True
                    else:
                        bridges.add((min(i, j), max(i, j)))
                if joined:
                    roots = np.array([self.find(k) for k in run.tolist()])


def group(keys: list[EventKey], rules: dict | None = None, events: list[list[int]] = (),
          only: list[bool] | None = None) -> list[int]:
    """For each key, the index of its event's first member (keys in input/store order).

    A store adds articles without regrouping the rest: `events` are the groups already
    known among `keys` (each joined as it is), and `only` marks the new articles; then
    only pairs with a new article are compared (links between old articles are already in
    their events). That gives the groups of grouping everything, except that a stored event
    is never taken apart: where a new link is stronger than the one that put an
    unknown-regency member into its stored event, grouping everything (strongest first) can
    put that member with an article of another regency instead; the store keeps it."""
    g = _Grouping(keys, rules or spec())
    for members in events:  # kept as they are: an append never takes a stored event apart
        for i in members[1:]:
            g.join(members[0], i)
    if g.n:
        g.compare_blocks(only)
    return [g.find(i) for i in range(g.n)]


def event_id(first_member_id: str) -> str:
    """Derived from the event's first member in input/store order: a store appends later
    members only, so they never change it; in a plain run, an article put before the first
    member (a new file sorting earlier) changes it."""
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
                  "participants": [k.counts[0] if k.counts else None for k in ks]}
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
