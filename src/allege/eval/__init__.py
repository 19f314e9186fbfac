"""Scoring allege against gold data sets (PolNeAR attribution; see DESIGN.md)."""
