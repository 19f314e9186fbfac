"""Extractors: pure functions from a parsed spaCy Doc to what the article says."""
