"""Reading the inputs of ``berita run PATH... --out DIR``.

Accepted inputs
---------------
Each PATH is one of

* a ``.txt`` file: one article; ``id`` = file stem, ``text`` = the whole file;
* a ``.jsonl`` file: one JSON object per line with ``id`` and ``text`` and optionally
  ``url``, ``published``, ``title`` (other keys are ignored; blank lines are skipped);
* a ``.csv`` file with the same columns (header row required; column names are matched
  after stripping spaces, case-insensitively; the delimiter -- ``,``, ``;`` or tab -- is
  sniffed from the header line; quoted fields may contain newlines);
* a ``.html`` / ``.htm`` file: a saved web page, one article (see *Web pages* below);
* a directory, walked recursively for those kinds (suffix matched
  case-insensitively).  Files are read in sorted order of their path relative to the
  directory (compared component by component); hidden files and directories (name
  starting with ``.``) are skipped, symlinked directories are not followed.

The same file reached twice (e.g. given explicitly and inside a directory) is read once.

Web pages
---------
A ``.html``/``.htm`` file is handed to trafilatura (imported only when such a file is
read), which finds the article's main text and drops navigation, sidebars, footers,
comments and figures, photo captions included: trafilatura has no setting that keeps a
``<figcaption>`` (``include_images`` adds the image's address, not its caption).  ``id`` = file stem; ``text`` = the extracted text,
which is what ``records.jsonl`` keeps and what every offset points into; ``title``,
``author`` and ``url`` (the canonical address) come from the page's metadata and
``published`` from htmldate, as ``YYYY-MM-DD``: the original publication date the page
declares (its address, meta tags, structured data, date-labelled elements and
timestamps), without htmldate's extensive search of the free text, which would return
one of the article's own dates.  It feeds the year of year-less dates as ``published``
does for other inputs.  trafilatura decodes the bytes itself (it reads the page's
declared charset).  Lines it keeps that are site furniture (``Baca juga: ...``) are left
to the boilerplate rules, as in any text.  A page without any main text is an error
record.

Decoding (one documented fallback chain, :func:`decode_bytes`)
--------------------------------------------------------------
0. Bytes without a BOM that contain more than 1 % NUL bytes are UTF-16 without a BOM
   if the NULs all sit on odd (LE) or even (BE) positions and that decodes cleanly;
   otherwise the file is *not text* (binary).
1. strict UTF-8 (``utf-8-sig``: a UTF-8 BOM is dropped);
2. a UTF-32 / UTF-16 BOM selects that codec (the BOM is dropped);
3. not UTF-8: if the bytes are *mostly* UTF-8 (they contain valid multi-byte UTF-8
   sequences and no more invalid sequences than valid ones), or start with a UTF-8 BOM,
   they are UTF-8 damaged in places -> step 5.  Otherwise charset-normalizer's best
   guess, except that cp1252 is chosen whenever charset-normalizer rates it as clean as
   its best guess (short Latin-script samples are otherwise attributed to cp1250, cp775
   or even CJK code pages, giving ``naďve`` for ``naïve``);
4. (charset-normalizer found nothing) ->
5. UTF-8 with ``errors="replace"`` (invalid bytes become U+FFFD).

Any step after 2 adds a warning to the article saying what was done.  After decoding, a
text with more than 5 % control characters (other than tab/newline/CR/FF/VT), or in
which more than 10 % of the characters are U+FFFD replacements, is *not text*.  A file
that is not text becomes an error record, never an exception.

``.jsonl`` and ``.csv`` files are streamed line by line: the encoding is chosen from the
first 64 KiB (same chain; BOM files are decoded as a stream).  In a UTF-8 file a line
that is not valid UTF-8 is decoded on its own with steps 3-5 and its record gets a
warning; in a legacy-encoded file (e.g. cp1252) every non-ASCII line is decoded with
the guessed encoding and its record says so.

Text and offsets
----------------
The decoded text is kept exactly as decoded, with ONE exception: ``\\r\\n`` and lone
``\\r`` are converted to ``\\n`` (:func:`normalize_newlines`).  Nothing else is touched:
no Unicode normalisation, no stripping, NUL and other control characters are kept.
``Article.text`` is therefore the text written to ``records.jsonl`` and every character
offset produced downstream points into it (not into the raw input bytes, whose BOM,
encoding and line endings may differ).  Only ``text`` is newline-normalised; ``title``
etc. are passed through as given.  (In a ``.jsonl`` line, a ``\\ud800``-style escape
without its pair -- a lone surrogate, which UTF-8 cannot hold -- is replaced with U+FFFD,
one character for one, with a warning; that is a decoding repair like step 5.)

Errors
------
* Problems with the PATH arguments themselves -- a path that does not exist, a
  directory without readable input files, an explicitly named file that
  cannot be opened or has another suffix -- raise :class:`InputError` (one-line
  message) from :func:`check_paths`.  :func:`iter_articles` calls it *eagerly*, before
  returning its generator, so nothing has been yielded (or written) when it raises.
* Problems inside a file yield an :class:`Article` with ``error`` set and ``text == ""``:
  undecodable/binary file; a JSONL line that is not valid JSON, not an object, lacks
  ``id`` or ``text``, or whose ``text`` is not a string (``error`` starts with
  ``path:LINE:``; ``id`` is the given id if usable, else ``<stem>:<line>``); a CSV
  without a ``text`` column (one error record for the file, ``id`` = stem); a CSV row
  without a ``text`` value or that the csv module rejects (``path:LINE:``).
* A ``.jsonl`` or ``.csv`` file that holds no record at all (empty, blank lines only,
  a header row only) is one error record (``id`` = stem, ``path: no records (...)``),
  so every input file shows up in the output; an empty ``.txt`` is an empty article.
* An error record's ``title`` is the given title, else the first line of the given
  text, when the record has them.
* In a CSV without an ``id`` column, ids are ``<stem>:<row>`` where row 1 is the first
  data row after the header; an empty id cell gets the same id plus a warning.
* A JSONL ``id`` is a string or an integer, kept as written; any other value (``1.0``,
  ``NaN``, ``1e999``, ``true``, ...) makes the record an error record.

Duplicate ids
-------------
Ids are unique across the whole run: the second article with id ``X`` is renamed
``X#2``, the third ``X#3``, skipping any ``X#n`` already handed out *or present anywhere
in the input* (so ``X, X, X#2`` gives ``X, X#3, X#2``: a renamed id never takes the id of
another article).  The renamed article gets a warning naming the source of the first
``X``.  Error records take part.

Streaming
---------
:func:`iter_articles` is a generator over files and lines; only one ``.txt`` file, one
JSONL line or one CSV row (plus a 64 KiB sample per file) is held at a time.  The only
per-run state is the set of ids seen so far.  At the first duplicate id, the inputs are
read once more for the set of all their ids (see above); a run without duplicates reads
each file once.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .outdir import is_berita_output

__all__ = [
    "Article",
    "InputError",
    "SUPPORTED_SUFFIXES",
    "check_paths",
    "decode_bytes",
    "iter_articles",
    "normalize_newlines",
    "one_line",
]

HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (".txt", ".jsonl", ".csv", *HTML_SUFFIXES)
# Gold records (`*.gold.jsonl`) found while walking a directory are skipped.
GOLD_SUFFIX = ".gold.jsonl"
OPTIONAL_FIELDS = ("url", "published", "title")

SAMPLE_BYTES = 64 * 1024        # how much of a .jsonl/.csv is sniffed for its encoding
MAX_NUL_RATIO = 0.01            # more NUL bytes than this (and no BOM) -> binary / UTF-16
MAX_CONTROL_RATIO = 0.05        # more control characters than this -> binary
MAX_REPLACEMENT_RATIO = 0.10    # more U+FFFD than this after errors="replace" -> binary
CSV_FIELD_LIMIT = 16 * 1024 * 1024  # per field; bounds memory on a runaway quote


@dataclass
class Article:
    id: str
    text: str
    url: str | None = None
    published: str | None = None
    title: str | None = None
    author: str | None = None  # from a web page's metadata
    source: str = ""  # "path" or "path:line" for messages
    error: str | None = None  # set when the record could not be read; text is then ""
    warnings: list[str] = field(default_factory=list)


class InputError(Exception):
    """A PATH argument is unusable; raised before anything is read or yielded."""


class _NotText(Exception):
    """Bytes that are not text in any encoding we accept (reason in args[0])."""


# --------------------------------------------------------------------------- paths


def one_line(text, limit: int | None = 300) -> str:
    """`text` as one line for a message or an error row: runs of whitespace (line breaks
    too) as one space, at most `limit` characters."""
    return " ".join(str(text).split())[:limit]


def _walk(directory: Path) -> list[Path]:
    found: list[tuple[tuple[str, ...], Path]] = []
    for root, dirnames, filenames in os.walk(directory):
        # hidden directories and berita's own outputs (`corpus --out corpus/out`) are not input
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and not is_berita_output(Path(root) / d))
        rel_root = Path(root).relative_to(directory)
        for name in filenames:
            if name.startswith(".") or name.lower().endswith(GOLD_SUFFIX):
                continue  # answer keys sit beside their articles; they are not input
            if os.path.splitext(name)[1].lower() in SUPPORTED_SUFFIXES:
                found.append((rel_root.parts + (name,), Path(root) / name))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


def check_paths(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> list[Path]:
    """Validate the PATH arguments; return the files to read, in reading order.

    Raises :class:`InputError` (one-line message listing every problem) if any path
    does not exist, is a directory without readable input files, or is a
    file that cannot be opened or has an unsupported suffix.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("no input paths given")

    problems: list[str] = []
    files: list[Path] = []
    seen: set[str] = set()
    for path in paths:
        try:
            path.stat()
        except FileNotFoundError:
            problems.append(f"{path}: no such file or directory")
            continue
        except OSError as exc:
            problems.append(f"{path}: cannot access ({exc.strerror or exc})")
            continue

        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                problems.append(f"{path}: cannot read directory")
                continue
            candidates = _walk(path)
            if not candidates:
                problems.append(f"{path}: directory contains no .txt, .jsonl, .csv or .html files")
                continue
            if not any(os.access(p, os.R_OK) for p in candidates):
                problems.append(f"{path}: none of the .txt, .jsonl, .csv or .html files in it is readable")
                continue
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                problems.append(
                    f"{path}: unsupported file type {path.suffix or '(no suffix)'!r} "
                    "(expected .txt, .jsonl, .csv, .html or .htm)"
                )
                continue
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                problems.append(f"{path}: cannot read ({exc.strerror or exc})")
                continue
            candidates = [path]
        else:
            problems.append(f"{path}: not a regular file or directory")
            continue

        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key not in seen:
                seen.add(key)
                files.append(candidate)

    if problems:
        if len(problems) == 1:
            raise InputError(one_line(problems[0], None))
        raise InputError(one_line(f"{len(problems)} unusable inputs: " + "; ".join(problems), None))
    return files


# ------------------------------------------------------------------------ decoding


_BOMS = (  # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_NON_ASCII_DECODED = re.compile("[^\x00-\x7f\ufffd]")


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` -> ``\\n``; the only change made to decoded text."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _nul_check(data: bytes) -> str | None:
    """Step 0: None if NULs are rare; a UTF-16 codec name if NULs follow that pattern.

    Raises _NotText for anything else with many NULs.
    """
    nuls = data.count(0)
    if nuls < 2 or nuls <= MAX_NUL_RATIO * len(data):
        return None
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    for encoding, on, off, slots in (
        ("utf-16-le", odd, even, len(data) // 2),
        ("utf-16-be", even, odd, (len(data) + 1) // 2),
    ):
        if len(data) % 2 == 0 and on >= 0.5 * slots and off <= 0.02 * on:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _control_ratio(text) <= MAX_CONTROL_RATIO:
                return encoding
    raise _NotText(f"looks like a binary file, not text ({100 * nuls / len(data):.0f}% NUL bytes)")


def _control_ratio(text: str) -> float:
    sample = text[:1_000_000]
    return len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0


def _check_is_text(text: str, replaced: bool) -> None:
    ratio = _control_ratio(text)
    if ratio > MAX_CONTROL_RATIO:
        raise _NotText(f"looks like a binary file, not text ({100 * ratio:.0f}% control characters)")
    if replaced and text:
        sample = text[:1_000_000]
        ratio = sample.count("\ufffd") / len(sample)
        if ratio > MAX_REPLACEMENT_RATIO:
            raise _NotText(f"not decodable as text ({100 * ratio:.0f}% invalid bytes)")


def _guess_encoding(data: bytes) -> str | None:
    """Step 3: charset-normalizer's best guess, preferring cp1252 when it is as clean."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    cp1252 = from_bytes(data, cp_isolation=["cp1252"]).best()
    if cp1252 is not None and (best is None or cp1252.chaos <= best.chaos + 0.02):
        return "cp1252"
    if best is None or best.encoding in ("utf_8", "ascii"):
        return None  # not valid UTF-8 anyway: leave it to step 5
    return best.encoding


def _utf8_replace(data: bytes) -> tuple[str, list[str]]:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    return text, [f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD"]


def _decode_fallback(data: bytes) -> tuple[str, list[str], str]:
    """Steps 3-5 for bytes that are not valid UTF-8 and have no UTF-16/32 BOM.

    Returns (text, warnings, encoding); encoding "utf-8" means errors="replace" was used.
    """
    if data.startswith(codecs.BOM_UTF8):
        text, warnings = _utf8_replace(data[len(codecs.BOM_UTF8):])
        return text, warnings, "utf-8"
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(_NON_ASCII_DECODED.findall(replaced))
    if good and bad <= good:
        text, warnings = _utf8_replace(data)
        return text, warnings, "utf-8"
    encoding = _guess_encoding(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
            return text, [f"not valid UTF-8; decoded as {encoding} (charset-normalizer guess)"], encoding
        except (UnicodeDecodeError, LookupError):
            pass
    text, warnings = _utf8_replace(data)
    return text, warnings, "utf-8"


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode a whole file with the documented fallback chain.

    Returns (text, warnings); the text is NOT newline-normalised.  Raises _NotText
    (internal) for binary data.
    """
    if not data:
        return "", []
    bom = _bom_encoding(data)
    if bom is None:
        utf16 = _nul_check(data)
        if utf16 is not None:
            text = data.decode(utf16)
            return text, [f"decoded as {utf16.upper()} (no byte-order mark)"]
    try:  # 1. strict UTF-8
        text = data.decode("utf-8-sig")
        _check_is_text(text, replaced=False)
        return text, []
    except UnicodeDecodeError:
        pass
    if bom is not None:  # 2. UTF-16/32 by BOM
        try:
            text = data.decode(bom)
            warnings: list[str] = []
            replaced = False
        except UnicodeDecodeError:
            text = data.decode(bom, errors="replace")
            warnings = [f"invalid {bom.upper()} sequences replaced with U+FFFD"]
            replaced = True
        _check_is_text(text, replaced)
        return text, warnings
    text, warnings, encoding = _decode_fallback(data)  # 3.-5.
    _check_is_text(text, replaced=encoding == "utf-8")
    return text, warnings


# ---------------------------------------------------------------- line streaming


def _iter_lines(f: io.BufferedReader) -> Iterator[tuple[int, str, list[str]]]:
    """Sniff the encoding of a binary file object; return a generator of decoded lines.

    Lines are split on ``\\n`` only and keep their line ending.  Raises _NotText
    eagerly (before any line is produced) if the sample looks binary.
    """
    sample = f.read(SAMPLE_BYTES)
    complete = len(sample) < SAMPLE_BYTES
    f.seek(0)

    bom = _bom_encoding(sample)
    if bom is not None:
        return _stream_lines(f, bom, [])
    utf16 = _nul_check(sample)
    if utf16 is not None:
        return _stream_lines(f, utf16, [f"decoded as {utf16.upper()} (no byte-order mark)"])
    try:
        decoded = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=complete)
        _check_is_text(decoded, replaced=False)
        return _utf8_lines(f)
    except UnicodeDecodeError:
        pass
    text, _, encoding = _decode_fallback(sample)
    _check_is_text(text, replaced=encoding == "utf-8")
    if encoding == "utf-8":  # (mostly) UTF-8: decode line by line, repairing bad lines
        return _utf8_lines(f)
    return _legacy_lines(f, encoding)


def _stream_lines(f, encoding: str, warnings: list[str]) -> Iterator[tuple[int, str, list[str]]]:
    stream = io.TextIOWrapper(f, encoding=encoding, errors="replace", newline="\n")
    try:
        for lineno, line in enumerate(stream, 1):
            yield lineno, line, list(warnings)
    finally:
        stream.detach()


def _utf8_lines(f) -> Iterator[tuple[int, str, list[str]]]:
    for lineno, raw in enumerate(f, 1):
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            text, warnings = raw.decode("utf-8"), []
        except UnicodeDecodeError:
            text, warnings, _ = _decode_fallback(raw)
        yield lineno, text, warnings


def _legacy_lines(f, encoding: str) -> Iterator[tuple[int, str, list[str]]]:
    note = f"file is not UTF-8; decoded as {encoding} (charset-normalizer guess)"
    for lineno, raw in enumerate(f, 1):
        if raw.isascii():
            yield lineno, raw.decode("ascii"), []
        else:
            yield lineno, raw.decode(encoding, errors="replace"), [note]


# ------------------------------------------------------------------------ readers


def first_line(text: str, skip: Iterable[Sequence[int]] = (), limit: int = 200) -> str:
    """The first line with more than whitespace that no range of `skip` covers, stripped, at
    most `limit` characters: the title of an article that has none. `skip` holds the
    boilerplate ranges (in text order), so `Advertisement` or a site banner is no title."""
    ranges = iter(skip)
    covering = next(ranges, None)
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        raw = text[start:end]
        line = raw.strip()
        if line:
            line_start = start + len(raw) - len(raw.lstrip())
            line_end = line_start + len(line)
            while covering is not None and covering[1] < line_end:  # ends before this line does
                covering = next(ranges, None)
            if covering is None or covering[0] > line_start:
                return line[:limit]
        start = end + 1
    return ""


def _error(id_: str, source: str, message: str, warnings: list[str] | None = None, **fields) -> Article:
    return Article(id=id_, text="", source=source, error=one_line(message),
                   warnings=list(warnings or []), **fields)


def _read_txt(path: Path) -> Iterator[Article]:
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield _error(path.stem, source, f"{source}: cannot read ({exc.strerror or exc})")
        return
    try:
        text, warnings = decode_bytes(data)
    except _NotText as exc:
        yield _error(path.stem, source, f"{source}: {exc}")
        return
    if not text.strip():
        warnings.append("empty text")
    yield Article(id=path.stem, text=normalize_newlines(text), source=source, warnings=warnings)


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _scalar_to_str(value) -> str | None:
    """A usable id/metadata string from a JSON scalar, or None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _id_problem(raw_id) -> str | None:
    """Why a JSON value is not an id (ids are strings and integers, as written), or None."""
    if raw_id is None:
        return "missing 'id'"
    if isinstance(raw_id, float):  # 1.0, 1e999, NaN, Infinity: str() would not give what was written
        return "'id' must be a string or an integer (got a number with a fraction or exponent, or NaN/Infinity)"
    if _scalar_to_str(raw_id) is None:
        return f"'id' must be a string or an integer (got {_json_type(raw_id)})"
    if not str(raw_id).strip():
        return "empty 'id'"
    return None


def _optional_fields(get, warnings: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in OPTIONAL_FIELDS:
        value = get(name)
        if value is None:
            out[name] = None
            continue
        text = _scalar_to_str(value)
        if text is None:
            warnings.append(f"{name!r} ignored: not a string (got {_json_type(value)})")
        out[name] = text if text else None
    return out


def _read_lines(path: Path, records: Callable[[Iterator, str, str], Iterator[Article]]) -> Iterator[Article]:
    """The articles of a .jsonl or .csv file: its encoding chosen from a sample, then
    `records(lines, source, stem)` over its decoded lines. A file that is not text is one
    error record."""
    source, stem = str(path), path.stem
    with open(path, "rb") as f:
        try:
            lines = _iter_lines(f)
        except _NotText as exc:
            yield _error(stem, source, f"{source}: {exc}")
            return
        yield from records(lines, source, stem)


def _read_jsonl(path: Path) -> Iterator[Article]:
    return _read_lines(path, _jsonl_records)


def _jsonl_records(lines, source: str, stem: str) -> Iterator[Article]:
    seen_line = seen_record = False
    for lineno, line, warnings in lines:
        where = f"{source}:{lineno}"
        fallback_id = f"{stem}:{lineno}"
        stripped = line.strip().lstrip("\ufeff").strip()
        seen_line = True
        if not stripped:
            continue
        seen_record = True
        try:
            obj = json.loads(stripped, strict=False)
        except json.JSONDecodeError as exc:
            yield _error(fallback_id, where,
                         f"{where}: not valid JSON ({exc.msg} at column {exc.colno})", warnings)
            continue
        except (ValueError, RecursionError) as exc:
            yield _error(fallback_id, where, f"{where}: not valid JSON ({exc})", warnings)
            continue
        if not isinstance(obj, dict):
            yield _error(fallback_id, where,
                         f"{where}: not a JSON object (got {_json_type(obj)})", warnings)
            continue
        obj = _without_surrogates(obj, warnings)

        problems = []
        raw_id = obj.get("id")
        id_problem = _id_problem(raw_id)
        id_ = None if id_problem else str(raw_id).strip()
        if id_problem:
            problems.append(id_problem)
        text = obj.get("text")
        if "text" not in obj or text is None:
            problems.append("missing 'text'")
        elif not isinstance(text, str):
            problems.append(f"'text' is not a string (got {_json_type(text)})")

        fields = _optional_fields(obj.get, warnings)
        if problems:
            if not fields["title"] and isinstance(text, str):
                fields["title"] = first_line(text) or None
            yield _error(id_ or fallback_id, where, f"{where}: " + "; ".join(problems),
                         warnings, **fields)
            continue
        if not text.strip():
            warnings.append("empty text")
        yield Article(id=id_, text=normalize_newlines(text), source=where,
                      warnings=warnings, **fields)
    if not seen_record:
        yield _error(stem, source, f"{source}: no records ({'blank lines only' if seen_line else 'empty file'})")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(obj: dict, warnings: list[str]) -> dict:
    """A ``\\ud800``-style escape without its pair decodes to a lone surrogate, which no
    UTF-8 output can hold: each becomes U+FFFD (one character for one, so offsets hold)."""
    out = obj
    for key in ("id", "text", *OPTIONAL_FIELDS):
        value = obj.get(key)
        if isinstance(value, str) and _SURROGATE.search(value):
            if out is obj:
                out = dict(obj)
            out[key] = _SURROGATE.sub("\ufffd", value)
            warnings.append(f"{key!r}: lone surrogate escape(s) replaced with U+FFFD")
    return out


def _sniff_delimiter(header_line: str) -> str:
    """``,`` / ``;`` / tab: whichever occurs most often outside quotes (ties -> that order)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    if best == 0:
        return ","
    return next(d for d in (",", ";", "\t") if counts[d] == best)


class _LineFeed:
    """Feeds decoded lines to csv.reader and collects their decoding warnings."""

    def __init__(self, lines: Iterator[tuple[int, str, list[str]]]):
        self._lines = lines
        self.pending: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        _, line, warnings = next(self._lines)
        for w in warnings:
            if w not in self.pending:
                self.pending.append(w)
        return line

    def take_warnings(self) -> list[str]:
        out, self.pending = self.pending, []
        return out


def _read_csv(path: Path) -> Iterator[Article]:
    return _read_lines(path, _csv_records)


def _csv_records(lines, source: str, stem: str) -> Iterator[Article]:
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)  # process-wide; only ever raised
    # Header: first non-blank line; sniff the delimiter from it.
    skipped = 0
    for _, first, first_warnings in lines:
        if first.strip():
            break
        skipped += 1
    else:
        yield _error(stem, source, f"{source}: no records ({'blank lines only' if skipped else 'empty file'})")
        return
    delimiter = _sniff_delimiter(first)

    def chained():
        yield skipped + 1, first, first_warnings
        yield from lines

    feed = _LineFeed(chained())
    reader = csv.reader(feed, delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        yield _error(stem, source, f"{source}: unreadable CSV header ({exc})")
        return
    header_warnings = feed.take_warnings()
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        columns.setdefault(name, i)
    if "text" not in columns:
        shown = ", ".join(repr(h) for h in header)
        yield _error(stem, source,
                     f"{source}: no 'text' column in the CSV header "
                     f"(columns: {shown}; delimiter {delimiter!r})", header_warnings)
        return

    line_offset = skipped  # csv.reader.line_num does not count the skipped lines
    row_no = 0
    while True:
        start = reader.line_num + line_offset + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_no += 1
            where = f"{source}:{start}"
            yield _error(f"{stem}:{row_no}", where, f"{where}: CSV error ({exc})",
                         feed.take_warnings())
            continue
        warnings = feed.take_warnings()
        if not any(cell.strip() for cell in row):
            continue
        row_no += 1
        where = f"{source}:{start}"

        def get(name, row=row):
            i = columns.get(name)
            return row[i] if i is not None and i < len(row) else None

        if len(row) > len(header):
            warnings.append(f"row has {len(row)} fields, header has {len(header)}; extra fields ignored")
        fallback_id = f"{stem}:{row_no}"
        if "id" in columns:
            id_ = (get("id") or "").strip()
            if not id_:
                warnings.append(f"empty id; using {fallback_id!r}")
                id_ = fallback_id
        else:
            id_ = fallback_id
        fields = _optional_fields(lambda name: get(name) or None, warnings)
        text = get("text")
        if text is None:
            yield _error(id_, where,
                         f"{where}: no 'text' value (row has {len(row)} fields, "
                         f"header has {len(header)})", warnings, **fields)
            continue
        if not text.strip():
            warnings.append("empty text")
        yield Article(id=id_, text=normalize_newlines(text), source=where,
                      warnings=warnings, **fields)
    if row_no == 0:
        yield _error(stem, source, f"{source}: no records (a header row only)", header_warnings)


# htmldate's settings for `published`: the page's original publication date, not one
# guessed from its free text (that would be one of the article's dates, not the page's)
_PUBLISHED_DATE = {"extensive_search": False, "original_date": True}


def _read_html(path: Path) -> Iterator[Article]:
    import trafilatura  # imported here: start-up does not pay for it

    source = str(path)
    data = path.read_bytes()
    try:
        page = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                           date_extraction_params=_PUBLISHED_DATE)
    except Exception as exc:  # noqa: BLE001 -- a page trafilatura cannot read is one error row
        yield _error(path.stem, source, f"{source}: cannot read the page ({type(exc).__name__}: {exc})")
        return
    text = normalize_newlines(page.text or "") if page is not None else ""
    if not text.strip():
        yield _error(path.stem, source, f"{source}: no article text found in the page")
        return
    yield Article(id=path.stem, text=text, url=page.url or None, published=page.date or None,
                  title=page.title or None, author=page.author or None, source=source)


_READERS = {".txt": _read_txt, ".jsonl": _read_jsonl, ".csv": _read_csv,
            **dict.fromkeys(HTML_SUFFIXES, _read_html)}


def _read_file(path: Path) -> Iterator[Article]:
    try:
        yield from _READERS[path.suffix.lower()](path)
    except OSError as exc:  # vanished / unreadable since check_paths, or I/O error mid-file
        yield _error(path.stem, str(path), f"{path}: cannot read ({exc.strerror or exc})")


def _unique_ids(articles: Iterator[Article], input_ids: Callable[[], set[str]]) -> Iterator[Article]:
    """Rename duplicates `X#n`; `input_ids()` gives every id of the input (read at the first
    duplicate), which a new name must not take: a later article may still bring it."""
    first_source: dict[str, str] = {}  # every id handed out so far -> where it came from
    counts: dict[str, int] = {}
    taken: set[str] | None = None
    for article in articles:
        base = article.id
        if base in first_source:
            if taken is None:
                taken = input_ids()
            n = counts.get(base, 1)
            while True:
                n += 1
                new_id = f"{base}#{n}"
                if new_id not in first_source and new_id not in taken:
                    break
            counts[base] = n
            article.warnings.append(
                f"duplicate id {base!r} (first seen in {first_source[base]}); renamed to {new_id!r}"
            )
            article.id = new_id
        first_source[article.id] = article.source
        yield article


def _generate(files: list[Path]) -> Iterator[Article]:
    for path in files:
        yield from _read_file(path)


def iter_articles(paths) -> Iterator[Article]:
    """Validate ``paths`` now (may raise :class:`InputError`), then stream articles.

    Not a generator function on purpose: the InputError is raised by the call itself,
    before the caller has created any output.
    """
    files = check_paths(paths)
    return _unique_ids(_generate(files), lambda: {a.id for a in _generate(files)})
