"""berita's tokenizer: spaCy's Indonesian punctuation rules without its 16k special cases.

berita's extractors read characters, not tokens (every value is grounded by character
offsets; tokens only anchor the `Doc.spans`). spaCy's Indonesian special cases are almost
all hyphenated words kept whole (`anak-anak`); building them takes ~1.1 s at start-up, and
their special-case matcher makes tokenizing ~30x slower than the same punctuation rules
alone, which would make the tokenizer the largest cost of a run. So berita keeps spaCy's
Indonesian prefixes, suffixes, infixes and URL matching and leaves the special cases out.
`build_nlp(tokenizer="spacy")` gives the stock tokenizer back, for a component that needs it.

Linear time on junk. spaCy takes punctuation off a word one affix at a time, and each time
looks for the next suffix with a search over the whole rest of the word: quadratic or worse
in the length of a punctuation run (a line of 4,000 '-' took 10 s to tokenize, 40,000
hours; the prefix search scans the word as well). So a run of PUNCT_RUN or more punctuation
characters is one token, prefixes are matched at the start of a word only, and suffixes
are looked for in its last SUFFIX_WINDOW characters only.
"""
from __future__ import annotations

import regex
import spacy
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

TEXT_KEY = "berita_text"

# No letter, digit, mark or space: `-----`, `=====`, `*****`, `_____`, `.,.,.,.,`. Real
# articles have runs of at most 5 (`![]()`, `---|`).
PUNCT_RUN = 8
_PUNCT_RUN = regex.compile(rf"[^\p{{L}}\p{{N}}\p{{M}}\s]{{{PUNCT_RUN},}}")
# Every Indonesian suffix rule matches at most 10 characters, except `\.\.+`, whose long
# runs are punctuation runs above.
SUFFIX_WINDOW = 32


# The quick test first (the regex costs ~40 % of tokenizing an article): in the UTF-8 bytes,
# ASCII letters, digits and spaces stay and every other byte becomes NUL, so a punctuation
# run is a run of NULs (and so is a long run of other non-ASCII characters: the regex decides).
_ASCII_WORD_OR_SPACE = bytes(b if b < 128 and (chr(b).isalnum() or chr(b).isspace()) else 0 for b in range(256))
_NULS = bytes(PUNCT_RUN)


def _mask_runs(text: str) -> str:
    """`text` with each punctuation run replaced by as many letters, which spaCy keeps
    as one token in one step (the same length, so token offsets stay those of `text`)."""
    if _NULS not in text.encode("utf-8", "surrogatepass").translate(_ASCII_WORD_OR_SPACE) \
            or _PUNCT_RUN.search(text) is None:
        return text
    return _PUNCT_RUN.sub(lambda m: "x" * len(m.group()), text)


class _SuffixSearchInWindow:
    """The compiled suffix regex's `search`, tried on the last SUFFIX_WINDOW characters of
    a word only (a lookbehind still sees the character before them). Being Python code, it
    is also where an article budget enforced from another thread (engine._Watchdog) can
    stop a long tokenization. `__self__` is the compiled regex, as on the bound method:
    spaCy serializes the tokenizer's patterns from it."""

    def __init__(self, compiled):
        self.__self__ = compiled
        self._search = compiled.search

    def __call__(self, word: str):
        return self._search(word, max(0, len(word) - SUFFIX_WINDOW))


class TextKeepingTokenizer(Tokenizer):
    """A spaCy Tokenizer that also keeps the text it was given on the Doc: spaCy rebuilds
    `doc.text` from the tokens on every access, and every extractor needs the text."""

    def __call__(self, text):
        masked = _mask_runs(text)
        doc = super().__call__(masked)
        if masked is not text:  # the same tokens, with the text they stand for
            doc = Doc(self.vocab, words=[text[t.idx:t.idx + len(t)] for t in doc],
                      spaces=[bool(t.whitespace_) for t in doc])
        doc.user_data[TEXT_KEY] = text  # read by spans.text_of
        return doc


@spacy.registry.tokenizers("berita.punctuation_tokenizer.v1")
def create_punctuation_tokenizer():
    def make_tokenizer(nlp):
        defaults = nlp.Defaults
        return TextKeepingTokenizer(
            nlp.vocab,
            rules={},
            # every prefix rule is anchored (`^...`): a match at the start is the same as a
            # search, which would try (and fail) at every position of the word
            prefix_search=compile_prefix_regex(defaults.prefixes).match if defaults.prefixes else None,
            suffix_search=_SuffixSearchInWindow(compile_suffix_regex(defaults.suffixes))
            if defaults.suffixes else None,
            infix_finditer=compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )
    return make_tokenizer
