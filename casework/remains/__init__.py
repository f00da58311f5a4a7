"""Post-mortem cases: unidentified remains, as recovered and examined."""
