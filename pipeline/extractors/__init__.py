"""Extractors: from raw text to grounded values (cleaning, tokens, sentences, then one module per field)."""
