"""berita's tokenizer: spaCy's Indonesian punctuation rules without its 16k special cases.

berita's extractors read characters, not tokens (every value is grounded by character
offsets; tokens only anchor the `Doc.spans`). spaCy's Indonesian special cases are almost
all hyphenated words kept whole (`anak-anak`); building them takes ~1.1 s at start-up, and
their special-case matcher makes tokenizing ~30x slower than the same punctuation rules
alone, which would make the tokenizer the largest cost of a run. So berita keeps spaCy's
Indonesian prefixes, suffixes, infixes and URL matching and leaves the special cases out.
`build_nlp(tokenizer="spacy")` gives the stock tokenizer back, for a component that needs it.
"""
from __future__ import annotations

import spacy
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

TEXT_KEY = "berita_text"


class TextKeepingTokenizer(Tokenizer):
    """A spaCy Tokenizer that also keeps the text it was given on the Doc: spaCy rebuilds
    `doc.text` from the tokens on every access, and every extractor needs the text."""

    def __call__(self, text):
        doc = super().__call__(text)
        doc.user_data[TEXT_KEY] = text  # read by spans.text_of
        return doc


@spacy.registry.tokenizers("berita.punctuation_tokenizer.v1")
def create_punctuation_tokenizer():
    def make_tokenizer(nlp):
        defaults = nlp.Defaults
        return TextKeepingTokenizer(
            nlp.vocab,
            rules={},
            prefix_search=compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
            suffix_search=compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
            infix_finditer=compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )
    return make_tokenizer
