"""Corroboration: one claim across many sources (stance of articles toward claims)."""
