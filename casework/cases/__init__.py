"""What both kinds of case share: marks, effects, dental findings, notes, shares, references."""
