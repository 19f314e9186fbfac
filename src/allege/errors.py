"""One error tree: every failure allege reports on purpose is an :class:`AllegeError`.

Each error carries the exit code the CLI uses for it, and a message that says what went
wrong and what to do next.
"""

from __future__ import annotations


class AllegeError(Exception):
    """Root of every error allege raises on purpose."""

    exit_code = 1


class InputError(AllegeError):
    """The input cannot be read as an article: missing, empty, binary, undecodable."""

    exit_code = 2


class ModelNotFound(AllegeError):
    """No spaCy English pipeline is installed."""

    exit_code = 3


class DataError(AllegeError):
    """An evaluation or training data set is missing or malformed."""

    exit_code = 4
