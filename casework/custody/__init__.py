"""Samples and the append-only chain of custody of remains, samples and effects."""
